"""`flask seed-demo` on the test database: the people, teams, time zones, and signing in."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from advocacy.accounts.models import Organisation, Team, TeamMembership, User
from advocacy.accounts.service import find_user_by_email
from advocacy.demo import ADMIN_EMAIL, CURATOR_EMAIL, PEOPLE, TEAMS
from advocacy.extensions import db


def seed(app) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def printed_password(output: str) -> str:
    return re.search(r"password \(every demo person\): (\S+)", output).group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_builds_a_believable_organisation(app):
    output = seed(app)

    assert "http://127.0.0.1:5000" in output and ADMIN_EMAIL in output
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.name, organisation.default_timezone) == ("Acme", "Europe/London")
    assert 35 <= count(User) == len(PEOPLE) <= 45
    assert sorted(db.session.scalars(select(Team.name))) == sorted(TEAMS)
    zones = set(db.session.scalars(select(User.timezone)))
    assert zones == {"America/Vancouver", "Europe/London", "Asia/Singapore"}
    assert find_user_by_email(ADMIN_EMAIL).role == "admin"
    assert find_user_by_email(CURATOR_EMAIL).role == "curator"

    users = db.session.scalars(select(User)).all()
    assert all(u.job_title and u.department and u.location and u.languages for u in users)
    assert len({(u.working_hours_start, u.working_hours_end) for u in users}) > 1
    assert any(len(u.memberships) > 1 for u in users)

    leaders = db.session.execute(
        select(Team.name, func.count())
        .join(TeamMembership)
        .where(TeamMembership.is_leader)
        .group_by(Team.name)
    ).all()
    assert dict(leaders) == {name: 1 for name in TEAMS}


def test_seed_demo_twice_changes_nothing(app):
    seed(app)
    users, memberships = count(User), count(TeamMembership)

    output = seed(app)

    assert "already seeded" in output
    assert (count(User), count(TeamMembership), count(Team)) == (users, memberships, len(TEAMS))


def test_the_admin_signs_in_with_the_printed_password(app):
    password = printed_password(seed(app))
    client = app.test_client()

    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": password})

    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf_token = None
    assert client.get("/settings/").status_code == 200
