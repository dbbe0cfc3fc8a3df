"""Accounts services: creating users, signing in, deactivation and teams."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.accounts import service, teams
from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.accounts.service import Profile
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from tests.factories import PASSWORD, TeamFactory, UserFactory


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_user_normalises_and_stores_profile(app):
    user = service.create_user(
        "  Nia.Okafor@Example.COM ",
        Profile(display_name="Nia", timezone="Asia/Singapore", languages=("EN", " fr", "en", "")),
        PASSWORD,
        "curator",
        ["Sales", "  "],
    )
    assert user.email == "nia.okafor@example.com"
    assert user.timezone == "Asia/Singapore"
    assert user.languages == ["en", "fr"]
    assert user.role == "curator"
    assert [m.team.name for m in user.memberships] == ["Sales"]


@pytest.mark.parametrize(
    "email",
    [
        "",
        "plain",
        "a@",
        "@example.com",
        "a b@example.com",
        "x@-bad-.com",
        "a" * 250 + "@example.com",
    ],
)
def test_create_user_rejects_malformed_emails(app, email):
    with pytest.raises(ValidationFailed) as caught:
        service.create_user(email, Profile(display_name="X"), PASSWORD)
    assert "email" in caught.value.errors
    assert _count(User) == 0


@pytest.mark.parametrize("email", ["maya@example.com", "MAYA@example.com", "Maya@Example.Com"])
def test_create_user_duplicate_email_any_case_is_a_conflict(app, user, email):
    with pytest.raises(Conflict) as caught:
        service.create_user(email, Profile(display_name="Copy"), PASSWORD, team_names=["Ghost"])
    assert "already exists" in caught.value.detail
    assert _count(User) == 1
    assert _count(Team) == 0


def test_unknown_time_zone_names_the_zone(app):
    with pytest.raises(ValidationFailed) as caught:
        service.create_user(
            "tz@example.com", Profile(display_name="T", timezone="Mars/Olympus"), PASSWORD
        )
    assert "Mars/Olympus" in caught.value.errors["timezone"][0]
    assert _count(User) == 0


def test_oversized_fields_and_bad_languages_are_all_reported(app):
    profile = Profile(display_name="n" * 121, job_title="j" * 121, languages=("en", "not a code!"))
    with pytest.raises(ValidationFailed) as caught:
        service.create_user("big@example.com", profile, "short", "overlord", ["t" * 121])
    assert set(caught.value.errors) >= {
        "display_name",
        "job_title",
        "languages",
        "password",
        "role",
        "teams",
    }
    assert _count(User) == 0
    assert _count(Team) == 0


def test_too_many_languages(app):
    codes = tuple(f"l{chr(97 + i)}" for i in range(13))
    with pytest.raises(ValidationFailed) as caught:
        service.create_user(
            "lang@example.com", Profile(display_name="L", languages=codes), PASSWORD
        )
    assert "at most 12" in caught.value.errors["languages"][0]


def test_missing_display_name(app):
    with pytest.raises(ValidationFailed) as caught:
        service.create_user("x@example.com", Profile(display_name="   "), PASSWORD)
    assert caught.value.errors["display_name"] == ["This field is required."]


def test_authenticate(app, user):
    assert service.authenticate("MAYA@example.com", PASSWORD) == user
    assert user.last_login_at is not None
    assert service.authenticate("maya@example.com", "wrong password") is None
    assert service.authenticate("nobody@example.com", PASSWORD) is None
    assert service.authenticate("", "") is None


def test_deactivated_user_cannot_authenticate_and_keeps_row(app, user, admin):
    service.deactivate_user(user, admin)
    assert service.authenticate(user.email, PASSWORD) is None
    kept = db.session.get(User, user.id)
    assert kept is not None and kept.active is False and kept.deactivated_at is not None
    with pytest.raises(Conflict):
        service.deactivate_user(user, admin)
    with pytest.raises(Conflict):
        service.deactivate_user(admin, admin)
    service.reactivate_user(user)
    assert service.authenticate(user.email, PASSWORD) == user


def test_team_membership_and_leadership(app, user, admin, curator):
    team = TeamFactory(name="Marketing")
    other = TeamFactory(name="Sales")
    assert teams.can_manage_team(admin, team)
    assert not teams.can_manage_team(user, team)

    teams.add_team_member(team, user, leader=True)
    teams.add_team_member(team, curator)
    db.session.refresh(user)
    assert teams.can_manage_team(user, team)
    assert not teams.can_manage_team(user, other)
    assert not teams.can_manage_team(curator, team)

    teams.add_team_member(team, user, leader=False)  # demoted, still a member
    db.session.refresh(user)
    assert not teams.can_manage_team(user, team)
    assert user.team_ids == {team.id}
    assert _count(TeamMembership) == 2

    teams.remove_team_member(team, user)
    db.session.refresh(user)
    assert user.team_ids == set()
    with pytest.raises(NotFound):
        teams.remove_team_member(team, user)


def test_deactivated_user_cannot_join_a_team(app, user, admin):
    service.deactivate_user(user, admin)
    with pytest.raises(Conflict):
        teams.add_team_member(TeamFactory(), user)


def test_create_team_rejects_duplicates_any_case(app):
    teams.create_team("Design")
    with pytest.raises(Conflict):
        teams.create_team("design")
    with pytest.raises(ValidationFailed):
        teams.create_team("")


def test_existing_team_is_reused_case_insensitively(app):
    team = TeamFactory(name="Support")
    created = service.create_user(
        "s@example.com", Profile(display_name="S"), PASSWORD, team_names=["SUPPORT"]
    )
    assert [m.team_id for m in created.memberships] == [team.id]
    assert _count(Team) == 1


def test_set_role_cannot_demote_self(app, admin, user):
    with pytest.raises(Conflict):
        service.set_role(admin, "member", admin)
    assert service.set_role(user, "curator", admin).role == "curator"
    with pytest.raises(ValidationFailed):
        service.set_role(user, "king", admin)


def test_factory_users_are_distinct(app):
    assert UserFactory().email != UserFactory().email
