"""Spaces and membership: creating (with every bad input), joining, requests, invitations and
roles, leaving, follows; moderation flags; preferences and the person page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from advocacy.discussions import membership, moderation, profiles, threads
from advocacy.discussions.models import Flag, JoinRequest, MemberProfile, Space, SpaceMember
from advocacy.discussions.notifications.models import Notification
from advocacy.errors import Conflict, Forbidden
from advocacy.extensions import db
from tests.discussions.factories import add_member, make_space, make_thread
from tests.factories import TeamFactory, UserFactory
from tests.openapi_validation import problem_of


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"name": "", "visibility": "public"}, 422, "This field is required."),
        ({"name": "x" * 81, "visibility": "public"}, 422, "Field cannot be longer than 80"),
        ({"name": "Ok", "visibility": "hidden"}, 422, "Not a valid choice"),
        ({"name": "Taken", "visibility": "public"}, 409, "Already in use."),
        ({"name": "Official", "visibility": "public", "official": "y"}, 403, "Only admins"),
    ],
)
def test_bad_spaces_are_refused_with_nothing_saved(people, login_as, data, status, message):
    make_space(people["owner"], name="taken")
    response = login_as(people["member"]).post("/discussions/spaces", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count(Space) == 1


def test_create_space_makes_the_creator_owner(people, login_as):
    response = login_as(people["member"]).post(
        "/discussions/spaces",
        data={"name": "Book club", "description": "Reads", "visibility": "private"},
    )
    assert response.status_code == 303
    space = db.session.scalar(select(Space))
    member = db.session.scalar(select(SpaceMember))
    assert (space.visibility, member.user_id, member.role) == (
        "private",
        people["member"].id,
        "owner",
    )


def test_join_public_request_private_and_approve(people, space_of, login_as, run_jobs):
    public, private = space_of("public"), space_of("private")
    outsider = login_as(people["non_member"])
    assert outsider.post(f"/discussions/spaces/{public.id}/join").status_code == 303
    assert outsider.post(f"/discussions/spaces/{public.id}/join").status_code == 409
    assert outsider.post(f"/discussions/spaces/{private.id}/join").status_code == 403
    response = outsider.post(
        f"/discussions/spaces/{private.id}/request", data={"message": "Please"}
    )
    assert response.status_code == 303
    assert "You asked to join" in outsider.get(f"/discussions/spaces/{private.id}").get_data(
        as_text=True
    )
    assert outsider.post(f"/discussions/spaces/{private.id}/request", data={}).status_code == 409
    run_jobs()
    moderator_notes = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == people["moderator"].id)
    ).all()
    assert moderator_notes == ["join_request"]
    owner = login_as(people["owner"])
    members_page = owner.get(f"/discussions/spaces/{private.id}/members").get_data(as_text=True)
    assert "Requests to join" in members_page and "Please" in members_page
    approved = owner.post(
        f"/discussions/spaces/{private.id}/requests/{people['non_member'].id}/approve",
        headers={"HX-Request": "true"},
    )
    assert approved.status_code == 200 and approved.get_data(as_text=True).lstrip().startswith(
        '<section id="members"'
    )
    assert count(JoinRequest) == 0
    assert (
        login_as(people["non_member"]).get(f"/discussions/spaces/{private.id}").status_code == 200
    )


def test_decline_and_secret_spaces_take_no_requests(people, space_of, login_as):
    private, secret = space_of("private"), space_of("secret")
    membership.request_to_join(people["non_member"], private, "")
    owner = login_as(people["owner"])
    assert (
        owner.post(
            f"/discussions/spaces/{private.id}/requests/{people['non_member'].id}/decline"
        ).status_code
        == 303
    )
    assert (
        owner.post(
            f"/discussions/spaces/{private.id}/requests/{people['non_member'].id}/decline"
        ).status_code
        == 404
    )
    outsider = login_as(people["non_member"])
    assert outsider.post(f"/discussions/spaces/{secret.id}/request", data={}).status_code == 404


def test_members_roles_and_the_last_owner(people, space_of, login_as):
    space = space_of("secret")
    with pytest.raises(Forbidden):
        membership.add_member(people["moderator"], space, people["non_member"], "owner")
    membership.add_member(people["moderator"], space, people["non_member"], "moderator")
    with pytest.raises(Conflict, match="needs an owner"):
        membership.remove_member(people["owner"], space, people["owner"])
    owner = login_as(people["owner"])
    bad = owner.post(
        f"/discussions/spaces/{space.id}/members",
        data={"email": "nobody@example.com", "role": "member"},
    )
    assert bad.status_code == 422 and "Nobody has this e-mail address." in bad.get_data(
        as_text=True
    )
    removed = owner.post(f"/discussions/spaces/{space.id}/members/{people['non_member'].id}/remove")
    assert removed.status_code == 303
    assert login_as(people["non_member"]).get(f"/discussions/spaces/{space.id}").status_code == 404
    assert (
        login_as(people["member"]).post(f"/discussions/spaces/{space.id}/leave").status_code == 303
    )
    assert login_as(people["member"]).get(f"/discussions/spaces/{space.id}").status_code == 404


def test_space_edit_and_follow(people, space_of, login_as, run_jobs):
    space = space_of("public")
    owner = login_as(people["owner"])
    assert (
        owner.post(
            f"/discussions/spaces/{space.id}/edit", data={"name": "", "description": ""}
        ).status_code
        == 422
    )
    assert (
        owner.post(
            f"/discussions/spaces/{space.id}/edit", data={"name": "Renamed", "description": "New"}
        ).status_code
        == 303
    )
    assert db.session.get(Space, space.id).name == "Renamed"
    follower = login_as(people["non_member"])
    response = follower.post(
        f"/discussions/spaces/{space.id}/follow",
        data={"following": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.get_data(as_text=True).lstrip().startswith('<form id="follow-space"')
    assert 'aria-pressed="true"' in response.get_data(as_text=True)
    make_thread(space, people["owner"], "Fresh thread")
    run_jobs()
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == people["non_member"].id)
    ).all()
    assert kinds == ["new_thread"]


def test_flags_reach_the_moderation_queue(people, space_of, login_as):
    space = space_of("public")
    thread = make_thread(space, people["owner"])
    post = threads.reply(people["member"], thread, "Rude words")
    reporter = login_as(people["non_member"])
    assert (
        reporter.post(f"/discussions/posts/{post.id}/flag", data={"reason": ""}).status_code == 422
    )
    assert (
        reporter.post(f"/discussions/posts/{post.id}/flag", data={"reason": "Rude"}).status_code
        == 303
    )
    assert (
        reporter.post(f"/discussions/posts/{post.id}/flag", data={"reason": "Again"}).status_code
        == 409
    )
    moderator = login_as(people["moderator"])
    queue = moderator.get("/discussions/moderation/").get_data(as_text=True)
    assert "Rude words" in queue and "Reason:</strong> Rude" in queue
    [flag] = db.session.scalars(select(Flag)).all()
    response = moderator.post(
        f"/discussions/moderation/flags/{flag.id}",
        data={"action": "delete"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Nothing is waiting" in response.get_data(as_text=True)
    db.session.expire_all()
    assert post.deleted and flag.resolution == "deleted"
    assert moderation.count_open_flags(people["moderator"]) == 0
    assert (
        moderator.post(
            f"/discussions/moderation/flags/{flag.id}", data={"action": "dismiss"}
        ).status_code
        == 409
    )


def test_preferences_handle_and_validation(people, login_as):
    other = people["member"]
    profiles.get_profile(other)
    db.session.commit()
    TeamFactory(name="Sales Team")
    client = login_as(people["non_member"])
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert 'value="nia"' in page
    base = {"digest": "daily", "digest_hour": "8", "digest_weekday": "0"}
    taken = client.post("/settings/notifications", data={**base, "handle": "mo"})
    assert taken.status_code == 409 and "Someone else has this handle." in taken.get_data(
        as_text=True
    )
    team = client.post("/settings/notifications", data={**base, "handle": "sales-team"})
    assert team.status_code == 409
    bad = client.post("/settings/notifications", data={**base, "handle": "no spaces!"})
    assert bad.status_code == 422
    half = client.post(
        "/settings/notifications", data={**base, "handle": "nia", "quiet_start": "22:00"}
    )
    assert half.status_code == 422 and "or neither" in half.get_data(as_text=True)
    with time_machine.travel(datetime(2026, 1, 5, 12, 0, tzinfo=UTC), tick=False):
        client = login_as(people["non_member"])
        ok = client.post(
            "/settings/notifications",
            data={
                **base,
                "handle": "Nia.O",
                "digest": "weekly",
                "digest_weekday": "4",
                "email_mention": "y",
            },
        )
    assert ok.status_code == 303
    profile = db.session.get(MemberProfile, people["non_member"].id)
    assert (profile.handle, profile.digest, profile.email_reply, profile.email_mention) == (
        "nia.o",
        "weekly",
        False,
        True,
    )
    assert profile.next_digest_at == datetime(2026, 1, 9, 8, 0, tzinfo=UTC)  # Friday 08:00 GMT


def test_person_page_shows_local_time_and_only_visible_threads(people, space_of, login_as):
    author = UserFactory(
        display_name="Kenji Sato", timezone="Asia/Singapore", job_title="Frontend Engineer"
    )
    public, secret = space_of("public"), space_of("secret")
    add_member(secret, author)
    make_thread(public, author, "Open topic")
    make_thread(secret, author, "Hidden topic")
    with time_machine.travel(datetime(2026, 5, 6, 3, 0, tzinfo=UTC), tick=False):
        page = login_as(people["non_member"]).get(f"/people/{author.id}").get_data(as_text=True)
    assert "It is <strong>11:00 Wed (+08)</strong> for Kenji." in page
    assert "Working now (until 17:00)." in page and "Frontend Engineer" in page
    assert "Open topic" in page and "Hidden topic" not in page
    assert login_as(people["non_member"]).get("/people/99999").status_code == 404


def test_spaces_api(people, api, space_of):
    space_of("secret")
    client = api(people["member"])
    created = client.post("/api/v1/spaces", json={"name": "API space", "visibility": "private"})
    assert created.status_code == 201
    problem_of(client.post("/api/v1/spaces", json={"name": "API space"}), 409)
    problem_of(client.post("/api/v1/spaces", json={"name": "X", "visibility": "nope"}), 422)
    problem_of(client.post("/api/v1/spaces", json={"name": "Y", "official": True}), 403)
    names = [s["name"] for s in client.get("/api/v1/spaces").get_json()["items"]]
    assert names == ["API space", "The secret space"]  # the member belongs to the secret one
    space_id = created.get_json()["id"]
    added = client.post(
        f"/api/v1/spaces/{space_id}/members",
        json={"user_id": people["owner"].id, "role": "moderator"},
    )
    assert {m["display_name"]: m["role"] for m in added.get_json()} == {
        "Mo Member": "owner",
        "Olive Owner": "moderator",
    }
    problem_of(client.post(f"/api/v1/spaces/{space_id}/members", json={"user_id": 99999}), 404)
