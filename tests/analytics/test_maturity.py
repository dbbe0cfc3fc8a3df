"""The social maturity stage follows measured shares and discussion, with what would move it up."""

from __future__ import annotations

from advocacy.analytics import maturity
from advocacy.feeds import sharing
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory


def test_the_stage_follows_shares_across_teams(app, login_as, admin):
    assert maturity.assess().stage is None
    post = ContentFactory()
    teams = [TeamFactory(), TeamFactory(), TeamFactory()]
    people = [UserFactory() for _ in range(4)]
    sharing.share_content(people[0], post, "linkedin")
    assessment = maturity.assess()
    assert (assessment.stage, assessment.next_stage) == ("Social Advocate", "Social Team")
    assert [c.label for c in assessment.to_move_up] == ["Teams with 2+ sharers"]

    for index, person in enumerate(people):
        MembershipFactory(team=teams[index // 2], user=person)
        sharing.share_content(person, post, "x")
    assessment = maturity.assess()
    assert assessment.stage == "Social Team"
    assert {c.label: c.measured for c in assessment.to_move_up} == {
        "Replies to someone else's thread": 0
    }
    page = login_as(admin).get("/analytics/maturity").get_data(as_text=True)
    assert "Social Team" in page and "What would move it up" in page
