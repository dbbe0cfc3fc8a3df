"""The HR referrals page and its CSVs: who may open them, what a team leader sees, and a
formula in a name that reaches the CSV as text."""

from __future__ import annotations

import csv
import io

import pytest

from advocacy.feeds import sharing
from advocacy.recruiting import referrals
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def two_referrals(app, teams, referrer, opening, signed):
    """Rita (Engineering) and an outsider in Sales each referred a candidate who was hired."""
    outsider = UserFactory(display_name='=HYPERLINK("http://evil")', email="o@example.com")
    MembershipFactory(team=teams[1], user=outsider)
    for number, person in enumerate((referrer, outsider)):
        link = sharing.get_or_create_link(person, opening, "linkedin")
        body = {"ref": link.code, "type": "application", "external_id": f"r{number}"}
        assert signed("/api/v1/conversions", body).status_code == 201
        referrals.update_stage(f"r{number}", "hired")
    return referrer, outsider


def test_a_team_leader_sees_only_their_teams_referrals(app, login_as, teams, two_referrals):
    leader = UserFactory(display_name="Lee Leader")
    MembershipFactory(team=teams[0], user=leader, is_leader=True)
    page = login_as(leader).get("/recruiting/").get_data(as_text=True)
    assert "Rita Referrer" in page and "HYPERLINK" not in page
    csv = login_as(leader).get("/recruiting/employee.csv").get_data(as_text=True)
    assert csv.splitlines()[1:] == ["Rita Referrer,0,1,1"]


def test_admins_get_every_referral_and_formulas_stay_text(app, login_as, admin, two_referrals):
    response = login_as(admin).get("/recruiting/employee.csv?excel=1")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeffemployee,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert ['\'=HYPERLINK("http://evil")', "0", "1", "1"] in rows


@pytest.mark.parametrize("path", ["/recruiting/", "/recruiting/opening.csv"])
def test_members_may_not_open_hr_pages(app, login_as, user, path):
    assert login_as(user).get(path).status_code == 403
