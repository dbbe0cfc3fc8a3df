"""The data export (open the ZIP, read the JSON) and erasure: anonymised account, tokens
revoked, sessions ended, aggregates kept, personal rows gone; who may do what."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from advocacy.accounts.models import ApiToken, User
from advocacy.accounts.tokens import create_api_token
from advocacy.discussions.models import MemberProfile, Post, SpaceFollow, ThreadFollow
from advocacy.discussions.notifications.models import Notification
from advocacy.extensions import db
from advocacy.feeds import sharing
from advocacy.feeds.models import Share, TrackedLink
from advocacy.media.images import store_image
from advocacy.media.models import StoredImage
from advocacy.privacy.models import ErasureRecord
from tests.accounts.test_profile_page import png
from tests.discussions.factories import make_space, make_thread
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.feeds.factories import ContentFactory


@pytest.fixture
def person(app, run_jobs):
    """Someone with a team, a token, authored content, a share, a thread and a reply to it."""
    user = MembershipFactory(
        user__display_name="Petra Private",
        user__email="petra@example.com",
        user__job_title="Engineer",
    ).user
    create_api_token(user, "laptop")
    ContentFactory(author_id=user.id, title="Petra's pick", state="draft")
    shared = ContentFactory(title="Company news")
    sharing.share_content(user, shared, "x", caption=None)
    space = make_space(name="Engineering")
    thread = make_thread(space, author=user, title="Build times", body="Ours take **ages**.")
    other = UserFactory(display_name="Omar Other")
    from advocacy.discussions import threads

    threads.reply(other, thread, "Hi @petra, same here")
    run_jobs()  # the notification fan-out
    return user


def _archive(client) -> dict[str, object]:
    response = client.get("/settings/privacy/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {
            name: archive.read(name).decode()
            if name.endswith(".txt")
            else json.loads(archive.read(name))
            for name in archive.namelist()
        }


def test_the_export_holds_everything_about_the_person(login_as, person):
    files = _archive(login_as(person))
    assert set(files) == {
        "README.txt",
        "profile.json",
        "feed.json",
        "discussions.json",
        "notifications.json",
        "leaderboard.json",
        "referrals.json",
    }
    profile = files["profile.json"]
    assert profile["profile"]["email"] == "petra@example.com"
    assert profile["profile"]["job_title"] == "Engineer"
    assert len(profile["teams"]) == 1
    [token] = profile["api_tokens"]
    assert token["name"] == "laptop" and "hash" not in json.dumps(token)
    feed = files["feed.json"]
    assert [c["title"] for c in feed["content_authored"]] == ["Petra's pick"]
    [share] = feed["shares"]
    assert share["network"] == "x"
    assert feed["tracked_links"][0]["url"].startswith("http://advocacy.test/r/")
    discussions = files["discussions.json"]
    assert [t["title"] for t in discussions["threads_started"]] == ["Build times"]
    assert discussions["posts"][0]["body"] == "Ours take **ages**."
    assert files["notifications.json"]["notifications"][0]["kind"] in {"mention", "reply"}
    assert "Searches are logged without any identity" in files["README.txt"]
    assert "- feed.json:" in files["README.txt"]


def test_the_export_has_no_one_elses_data(login_as, person):
    other = UserFactory(display_name="Nora Nobody")
    files = _archive(login_as(other))
    assert files["feed.json"]["shares"] == []
    assert files["discussions.json"]["posts"] == []
    assert "petra" not in json.dumps(files).lower()


def test_erasing_my_account_anonymises_it_and_signs_me_out(login_as, person):
    client = login_as(person)
    user_id = person.id
    person.avatar = store_image(png(), origin="avatar", square_side=64)
    db.session.commit()
    picture_id = person.avatar_id
    refused = client.post(
        "/settings/privacy/erase",
        data={"confirm_email": "someone@else.com", "password": "wrong"},
    )
    assert refused.status_code == 422
    assert "Type your own e-mail address" in refused.get_data(as_text=True)
    assert db.session.get(User, user_id).display_name == "Petra Private"

    response = client.post(
        "/settings/privacy/erase",
        data={"confirm_email": "PETRA@example.com", "password": PASSWORD},
    )
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.display_name == f"Former employee #{user_id}"
    assert user.email == f"former-{user_id}@erased.invalid"
    assert (user.job_title, user.password_hash, user.active) == ("", None, False)
    assert user.memberships == []
    assert user.avatar_id is None and db.session.get(StoredImage, picture_id) is None
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user_id))
    # Sessions end: the same browser is sent to the sign-in page.
    assert client.get("/settings/").status_code == 302
    # Aggregates and shared history stay, without identity or personal text.
    share = db.session.scalar(select(Share).where(Share.user_id == user_id))
    assert share is not None and share.caption == ""
    assert db.session.scalar(select(func.count()).select_from(TrackedLink)) == 1
    opening = db.session.scalar(select(Post).where(Post.author_id == user_id))
    assert opening.body_source == "Ours take **ages**."
    for model, column in (
        (MemberProfile, MemberProfile.user_id),
        (Notification, Notification.recipient_id),
        (ThreadFollow, ThreadFollow.user_id),
        (SpaceFollow, SpaceFollow.user_id),
    ):
        assert (
            db.session.scalar(select(func.count()).select_from(model).where(column == user_id)) == 0
        )
    assert db.session.scalar(select(ErasureRecord.requested_by)) == "self"


def test_an_erased_account_cannot_sign_in_or_use_tokens(app, client, api, person):
    token = create_api_token(person, "ci")[1]
    from advocacy.privacy.service import erase_account

    erase_account(person, UserFactory(role="admin"))
    assert (
        client.post("/login", data={"email": "petra@example.com", "password": PASSWORD}).status_code
        != 302
    )
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert test_client.get("/api/v1/me").status_code == 401


def test_admins_erase_leavers_and_see_the_record(login_as, admin, person):
    client = login_as(admin)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Erase Petra Private" in page
    response = client.post(f"/admin/users/{person.id}/erase")
    assert response.status_code == 303
    listing = client.get("/admin/privacy").get_data(as_text=True)
    assert f"Former employee #{person.id}" in listing and "an admin" in listing
    assert client.post(f"/admin/users/{person.id}/erase").status_code == 409  # already erased
    assert client.post(f"/admin/users/{admin.id}/erase").status_code == 409  # not oneself


def test_members_may_not_erase_others(login_as, user, person):
    client = login_as(user)
    assert client.post(f"/admin/users/{person.id}/erase").status_code == 403
    assert client.get("/admin/privacy").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, person.id).display_name == "Petra Private"


def test_the_last_admin_cannot_erase_themself(login_as, admin):
    response = login_as(admin).post(
        "/settings/privacy/erase", data={"confirm_email": admin.email, "password": PASSWORD}
    )
    assert response.status_code == 409
    assert "last admin" in response.get_data(as_text=True)
