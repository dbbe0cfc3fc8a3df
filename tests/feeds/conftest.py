"""People for feed tests: a team with its leader and a member, another team's leader."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def org(app):
    """One person per role, with `team` (led by `leader`) and `other_team`."""
    team = TeamFactory(name="Sales")
    other_team = TeamFactory(name="Marketing")
    leader = MembershipFactory(team=team, is_leader=True, user__display_name="Lee Leader").user
    other_leader = MembershipFactory(team=other_team, is_leader=True).user
    member = MembershipFactory(team=team, user__display_name="Tam Teammate").user
    return {
        "team": team,
        "other_team": other_team,
        "leader": leader,
        "other_leader": other_leader,
        "team_member": member,
        "member": UserFactory(display_name="Max Member"),
        "curator": UserFactory(display_name="Cleo Curator", role="curator"),
        "admin": UserFactory(display_name="Adam Admin", role="admin"),
    }
