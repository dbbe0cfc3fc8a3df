"""Admin pages (users, invite, import, organisation) and team pages: access, htmx, outcomes."""

from __future__ import annotations

import io
import re

import pytest

from advocacy.accounts.models import User
from advocacy.extensions import db
from tests.factories import MembershipFactory, TeamFactory, UserFactory

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}

ADMIN_PAGES = ["/admin/users/", "/admin/users/import", "/admin/organisation"]


@pytest.fixture
def team(app):
    return TeamFactory(name="Sales")


@pytest.fixture
def other_team(app):
    return TeamFactory(name="Marketing")


@pytest.fixture
def leader(app, team):
    person = UserFactory(display_name="Leo Leader", email="leo@example.com")
    MembershipFactory(team=team, user=person, is_leader=True)
    return person


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES + ["/admin/users/1"])
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["user", "curator", "leader"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_admins_get_403_on_admin_pages(request, login_as, path, who):
    client = login_as(request.getfixturevalue(who))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/invite",
        "/admin/users/import",
        "/admin/organisation",
        "/admin/users/{id}/role",
        "/admin/users/{id}/deactivate",
        "/admin/users/{id}/reactivate",
    ],
)
def test_non_admins_get_403_on_admin_actions(login_as, user, curator, path):
    client = login_as(user)
    response = client.post(
        path.format(id=curator.id), data={"role": "admin", "email": "x@example.com"}
    )
    assert response.status_code == 403
    assert db.session.get(User, curator.id).role == "curator"
    assert db.session.get(User, curator.id).active


def test_admin_sees_admin_pages_and_nav(login_as, admin):
    client = login_as(admin)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    home = client.get("/").get_data(as_text=True)
    assert 'href="/manage"' in home and 'href="/teams/"' in home


def test_members_see_teams_nav_but_not_admin(login_as, user):
    home = login_as(user).get("/").get_data(as_text=True)
    assert 'href="/teams/"' in home
    assert 'href="/admin/users/"' not in home


# --- users list: page, fragment, boosted --------------------------------------------------


def test_user_list_page_fragment_and_boosted(login_as, admin, user, team):
    MembershipFactory(team=team, user=user, is_leader=True)
    client = login_as(admin)

    page = client.get("/admin/users/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<html" in html and 'id="users-table"' in html and 'id="invite"' in html
    assert "Maya Member" in html and "Sales (leader)" in html and "Member" in html
    assert "HX-Request" in page.headers["Vary"]

    fragment = client.get("/admin/users/?q=maya", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in body and body.lstrip().startswith("{#") is False
    assert 'id="users-table"' in body and "Maya Member" in body and "Ada Admin" not in body
    assert "HX-Request" in fragment.headers["Vary"]

    boosted = client.get("/admin/users/?q=maya", headers=BOOSTED)
    assert "<html" in boosted.get_data(as_text=True)
    assert "HX-Request" in boosted.headers["Vary"]


def test_search_matches_email_and_says_when_nobody_matches(login_as, admin, user):
    client = login_as(admin)
    assert "Maya Member" in client.get("/admin/users/?q=MAYA@example", headers=HX).get_data(
        as_text=True
    )
    assert "Nobody matches" in client.get("/admin/users/?q=zzz", headers=HX).get_data(as_text=True)


# --- invitations ----------------------------------------------------------------------------


def test_invite_creates_user_and_sends_mail(login_as, admin, team, mail_outbox, run_jobs):
    client = login_as(admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "email": "New.Person@Example.com",
            "display_name": "New Person",
            "role": "curator",
            "teams": ["Sales"],
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users/"
    created = db.session.scalar(db.select(User).where(User.email == "new.person@example.com"))
    assert created.role == "curator" and created.password_hash is None
    assert [m.team.name for m in created.memberships] == ["Sales"]
    run_jobs()
    assert len(mail_outbox) == 1
    assert mail_outbox[0].to == ["new.person@example.com"]
    page = client.get("/admin/users/").get_data(as_text=True)
    assert "is invited" in page and "New Person" in page and "invited" in page


def test_invite_by_htmx_returns_fresh_form_and_trigger(login_as, admin, mail_outbox, run_jobs):
    client = login_as(admin)
    response = client.post(
        "/admin/users/invite",
        data={"email": "hx@example.com", "display_name": "Hx Person", "role": "member"},
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "usersChanged" in response.headers["HX-Trigger"]
    assert 'id="invite"' in body and "<html" not in body
    assert 'hx-swap-oob="true"' in body and "hx@example.com is invited" in body
    run_jobs()
    assert len(mail_outbox) == 1


def test_duplicate_email_is_409_with_message(login_as, admin, user, mail_outbox, run_jobs):
    client = login_as(admin)
    response = client.post(
        "/admin/users/invite",
        data={"email": "MAYA@example.com", "display_name": "Again", "role": "member"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "A user with the e-mail maya@example.com already exists." in body
    assert "Already in use." in body
    assert "<html" in body
    run_jobs()
    assert mail_outbox == []

    fragment = client.post(
        "/admin/users/invite",
        data={"email": "maya@example.com", "display_name": "Again", "role": "member"},
        headers=HX,
    )
    assert fragment.status_code == 409
    assert "already exists" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)


def test_invalid_invite_is_422(login_as, admin, mail_outbox, run_jobs):
    client = login_as(admin)
    response = client.post(
        "/admin/users/invite", data={"email": "", "display_name": "", "role": "member"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    run_jobs()
    assert mail_outbox == []


# --- one user: role, deactivation -----------------------------------------------------------


def test_change_role(login_as, admin, user):
    client = login_as(admin)
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "curator"})
    assert response.status_code == 303
    assert db.session.get(User, user.id).role == "curator"
    assert "is now curator" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_admin_cannot_demote_themself(login_as, admin):
    client = login_as(admin)
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "member"})
    assert response.status_code == 409
    assert "cannot remove your own admin role" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).role == "admin"


def test_deactivate_keeps_the_row_and_reactivate(login_as, admin, user):
    client = login_as(admin)
    response = client.post(f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    listing = client.get("/admin/users/").get_data(as_text=True)
    assert f'id="user-{user.id}"' in listing and "deactivated" in listing

    fragment = client.post(f"/admin/users/{user.id}/reactivate", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="user-account"' in body and "can sign in again" in body
    assert "userChanged" in fragment.headers["HX-Trigger"]
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True


def test_deactivated_user_cannot_sign_in(login_as, admin, user, client):
    login_as(admin).post(f"/admin/users/{user.id}/deactivate")
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 401


def test_admin_cannot_deactivate_themself(login_as, admin):
    response = login_as(admin).post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert db.session.get(User, admin.id).active


def test_user_page_page_fragment_and_unknown(login_as, admin, user):
    client = login_as(admin)
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "maya@example.com" in page.get_data(as_text=True)
    assert client.get("/admin/users/99999").status_code == 404


# --- CSV import -----------------------------------------------------------------------------


def _upload(client, text: str, **options):
    data = {"file": (io.BytesIO(text.encode()), "users.csv"), **options}
    return client.post("/admin/users/import", data=data, content_type="multipart/form-data")


def test_import_page_explains_columns(login_as, admin):
    html = login_as(admin).get("/admin/users/import").get_data(as_text=True)
    for column in (
        "email",
        "name",
        "job_title",
        "department",
        "location",
        "timezone",
        "role",
        "teams",
        "languages",
    ):
        assert f"<code>{column}</code>" in html
    assert 'enctype="multipart/form-data"' in html


def test_import_end_to_end_shows_report(login_as, admin, mail_outbox, run_jobs):
    client = login_as(admin)
    csv_text = (
        "email,name,department,timezone,role,teams,languages\n"
        "ana@example.com,Ana Lima,Sales,Europe/Lisbon,curator,Sales;Lisbon,en;pt\n"
        "bad-address,Bad Row,,,,,\n"
    )
    response = _upload(client, csv_text, import_valid_rows="y", send_invitations="y")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/jobs/")
    run_jobs()
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 users" in report
    assert "bad-address" in report and "<td>3</td>" in report
    ana = db.session.scalar(db.select(User).where(User.email == "ana@example.com"))
    assert ana.role == "curator" and ana.timezone == "Europe/Lisbon"
    assert sorted(m.team.name for m in ana.memberships) == ["Lisbon", "Sales"]
    assert [m.to for m in mail_outbox] == [["ana@example.com"]]


def test_import_with_errors_imports_nothing_by_default(login_as, admin, mail_outbox, run_jobs):
    client = login_as(admin)
    response = _upload(
        client, "email,name\nok@example.com,Ok\nnot-an-email,Bad\n", send_invitations="y"
    )
    run_jobs()
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported" in report
    assert db.session.scalar(db.select(User).where(User.email == "ok@example.com")) is None
    assert mail_outbox == []


def test_import_rejects_bad_file_with_422(login_as, admin):
    client = login_as(admin)
    response = _upload(client, "who,what\nx,y\n")
    assert response.status_code == 422
    assert "The header row lacks email, name" in response.get_data(as_text=True)
    missing = client.post("/admin/users/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Choose a CSV file." in missing.get_data(as_text=True)


# --- organisation ---------------------------------------------------------------------------


def test_organisation_settings(login_as, admin):
    client = login_as(admin)
    response = client.post(
        "/admin/organisation", data={"name": "Globex", "default_timezone": "Asia/Singapore"}
    )
    assert response.status_code == 303
    page = client.get("/admin/organisation").get_data(as_text=True)
    assert 'value="Globex"' in page
    assert re.search(
        r'<option selected value="Asia/Singapore">|<option value="Asia/Singapore" selected', page
    )


def test_organisation_rejects_unknown_zone(login_as, admin):
    response = login_as(admin).post(
        "/admin/organisation", data={"name": "Globex", "default_timezone": "Mars/Base"}
    )
    assert response.status_code == 422


# --- teams ----------------------------------------------------------------------------------


def test_every_user_sees_teams_and_members(login_as, user, leader, team):
    client = login_as(user)
    listing = client.get("/teams/").get_data(as_text=True)
    assert "Sales" in listing and "Leo Leader" in listing
    assert "Create a team" not in listing
    page = client.get(f"/teams/{team.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Leo Leader" in html and "leader" in html
    assert "Add a member" not in html and "Make leader" not in html


def test_team_page_fragment_and_boosted(login_as, user, team):
    client = login_as(user)
    fragment = client.get(f"/teams/{team.id}", headers=HX)
    assert 'id="team-members"' in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get(f"/teams/{team.id}", headers=BOOSTED)
    assert "<html" in boosted.get_data(as_text=True)
    assert "HX-Request" in boosted.headers["Vary"]


def test_admin_creates_team_member_cannot(login_as, admin, user):
    assert login_as(user).post("/teams/", data={"name": "Nope"}).status_code == 403
    client = login_as(admin)
    response = client.post("/teams/", data={"name": "Support", "description": "Helps"})
    assert response.status_code == 303
    assert "Support" in client.get(response.headers["Location"]).get_data(as_text=True)
    duplicate = client.post("/teams/", data={"name": "support"})
    assert duplicate.status_code == 409
    assert "Already in use." in duplicate.get_data(as_text=True)


def test_leader_manages_own_team(login_as, leader, team, user):
    client = login_as(leader)
    assert "Add a member" in client.get(f"/teams/{team.id}").get_data(as_text=True)

    added = client.post(f"/teams/{team.id}/members", data={"email": "maya@example.com"}, headers=HX)
    body = added.get_data(as_text=True)
    assert added.status_code == 200 and "Maya Member" in body and "<html" not in body
    assert "teamChanged" in added.headers["HX-Trigger"]

    promoted = client.post(f"/teams/{team.id}/members/{user.id}/leader")
    assert promoted.status_code == 303
    db.session.expire_all()
    assert team.id in db.session.get(User, user.id).led_team_ids

    removed = client.post(f"/teams/{team.id}/members/{user.id}/remove")
    assert removed.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).team_ids == set()


def test_leader_gets_403_on_another_team(login_as, leader, other_team, user):
    MembershipFactory(team=other_team, user=user)
    client = login_as(leader)
    assert "Add a member" not in client.get(f"/teams/{other_team.id}").get_data(as_text=True)
    assert (
        client.post(
            f"/teams/{other_team.id}/members", data={"email": "leo@example.com"}
        ).status_code
        == 403
    )
    assert client.post(f"/teams/{other_team.id}/members/{user.id}/leader").status_code == 403
    assert client.post(f"/teams/{other_team.id}/members/{user.id}/remove").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, user.id).team_ids == {other_team.id}


def test_plain_member_cannot_manage_team(login_as, user, team):
    MembershipFactory(team=team, user=user)
    client = login_as(user)
    assert (
        client.post(f"/teams/{team.id}/members", data={"email": "maya@example.com"}).status_code
        == 403
    )
    assert client.post(f"/teams/{team.id}/members/{user.id}/leader").status_code == 403


def test_admin_manages_any_team_and_unknown_email_is_422(login_as, admin, team, user):
    client = login_as(admin)
    unknown = client.post(f"/teams/{team.id}/members", data={"email": "nobody@example.com"})
    assert unknown.status_code == 422
    assert "Nobody has this e-mail address" in unknown.get_data(as_text=True)
    added = client.post(
        f"/teams/{team.id}/members", data={"email": "maya@example.com", "leader": "y"}
    )
    assert added.status_code == 303
    db.session.expire_all()
    assert team.id in db.session.get(User, user.id).led_team_ids


def test_deactivated_user_cannot_join_team(login_as, admin, team, user):
    client = login_as(admin)
    client.post(f"/admin/users/{user.id}/deactivate")
    response = client.post(f"/teams/{team.id}/members", data={"email": "maya@example.com"})
    assert response.status_code == 409
    assert "deactivated" in response.get_data(as_text=True)


def test_unknown_team_is_404(login_as, user):
    assert login_as(user).get("/teams/99999").status_code == 404
