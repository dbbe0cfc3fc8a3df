"""Sharing: tracked links, caption variants, the disclosure, share intents, the redirect, and the
functions the leaderboard relies on."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import compliance, sharing
from advocacy.feeds.models import Share, TrackedLink
from advocacy.models_base import utcnow
from tests.factories import TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory, caption, publish_policy, target


@pytest.fixture
def disclosure(app):
    compliance.set_disclosure("#AcmeEmployee", UserFactory(role="admin"))
    return "#AcmeEmployee"


def test_share_records_an_intent_with_a_stable_tracked_link(app, user, disclosure):
    content = caption(ContentFactory(campaign="launch"), "x", "We launched!")
    first = sharing.share_content(user, content, "x")
    again = sharing.share_content(user, content, "x")
    other_network = sharing.share_content(user, content, "linkedin")

    assert first.tracked_url == again.tracked_url != other_network.tracked_url
    code = first.tracked_url.rsplit("/", 1)[1]
    assert first.tracked_url == f"http://advocacy.test/r/{code}"
    assert sharing.CODE_PATTERN.match(code) and len(code) == 11
    assert first.caption == "We launched! #AcmeEmployee"
    assert parse_qs(urlsplit(first.intent_url).query) == {
        "text": ["We launched! #AcmeEmployee"],
        "url": [first.tracked_url],
    }
    assert db.session.scalar(select(func.count()).select_from(Share)) == 3
    assert db.session.scalar(select(func.count()).select_from(TrackedLink)) == 2


def test_codes_differ_between_sharers_and_cannot_be_derived(app):
    content = ContentFactory()
    codes = {sharing.get_or_create_link(UserFactory(), content, "x").code for _ in range(20)}
    assert len(codes) == 20


def test_tracked_destination_and_the_redirect(app, client, user):
    content = ContentFactory(
        destination_url="https://acme.example/jobs?team=eng#apply", campaign="hiring"
    )
    link = sharing.get_or_create_link(user, content, "linkedin")
    expected = (
        "https://acme.example/jobs?team=eng&utm_source=linkedin&utm_medium=employee_advocacy"
        f"&utm_campaign=hiring&adv_ref={link.code}#apply"
    )
    assert sharing.tracked_destination(link) == expected
    response = client.get(f"/r/{link.code}")  # signed out: the world follows these links
    assert response.status_code == 302 and response.headers["Location"] == expected
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "code", ["unknown0000", "x", "../../etc", "a" * 40, "https:%2F%2Fevil.example"]
)
def test_unknown_codes_are_404_pages(client, code):
    response = client.get(f"/r/{code}")
    assert response.status_code == 404
    assert "Location" not in response.headers


def test_find_and_verify_for_the_leaderboard(app, user):
    content = ContentFactory()
    link = sharing.get_or_create_link(user, content, "email")
    assert sharing.find_tracked_link(link.code).id == link.id
    assert sharing.find_tracked_link("nope!") is None
    sharing.share_content(user, content, "email")
    sharing.share_content(user, content, "email")
    when = utcnow()
    assert sharing.mark_share_verified(link.id, when) == 2
    assert sharing.mark_share_verified(link.id, when + timedelta(hours=1)) == 0
    verified = set(db.session.scalars(select(Share.verified_at)))
    assert verified == {when}


def test_each_sharer_gets_one_stable_variant(app):
    content = caption(ContentFactory(), "linkedin", "Variant A", "Variant B", "Variant C")
    users = [UserFactory() for _ in range(12)]
    chosen = [sharing.suggested_caption(u, content, "linkedin") for u in users]
    assert set(chosen) <= {"Variant A", "Variant B", "Variant C"} and len(set(chosen)) > 1
    assert chosen == [sharing.suggested_caption(u, content, "linkedin") for u in users]


def test_networks_without_captions_borrow_then_fall_back_to_the_title(app, user):
    content = caption(ContentFactory(title="Big news"), "facebook", "From Facebook")
    assert sharing.suggested_caption(user, content, "xing") == "From Facebook"
    assert sharing.suggested_caption(user, ContentFactory(title="Big news"), "email") == "Big news"


def test_long_borrowed_captions_are_cut_for_x(app, user, disclosure):
    content = caption(ContentFactory(), "linkedin", "word " * 200)
    result = sharing.share_content(user, content, "x")
    assert result.caption.endswith("… #AcmeEmployee")
    assert len(result.caption) + 24 <= 280


def test_edited_captions_keep_the_disclosure_and_are_checked(app, user, disclosure):
    content = ContentFactory(captions_editable=True)
    result = sharing.share_content(user, content, "linkedin", caption="My own words")
    assert result.caption == "My own words #AcmeEmployee"
    compliance.add_blocked_terms("guaranteed\nbest ever", UserFactory(role="admin"))
    with pytest.raises(ValidationFailed) as caught:
        sharing.share_content(user, content, "linkedin", caption="Guaranteed the BEST EVER")
    assert "“best ever”, “guaranteed”" in caught.value.detail
    assert caught.value.errors == {
        "caption": ["Remove the blocked terms “best ever”, “guaranteed”."]
    }
    with pytest.raises(ValidationFailed, match="at most"):
        sharing.share_content(user, content, "x", caption="x" * 250)
    assert db.session.scalar(select(func.count()).select_from(Share)) == 1


def test_captions_that_may_not_be_edited(app, user):
    with pytest.raises(ValidationFailed) as caught:
        sharing.share_content(user, ContentFactory(captions_editable=False), "x", caption="Mine")
    assert "cannot be edited" in caught.value.errors["caption"][0]


@pytest.mark.parametrize("network", ["myspace", "", "LinkedIn", "x "])
def test_unknown_networks_are_refused(app, user, network):
    with pytest.raises(ValidationFailed) as caught:
        sharing.share_content(user, ContentFactory(), network)
    assert "Unknown network" in caught.value.errors["network"][0]


def test_what_cannot_be_shared(app, user):
    scheduled = ContentFactory(publish_at=utcnow() + timedelta(hours=1))
    with pytest.raises(Conflict, match="scheduled"):
        sharing.share_content(user, scheduled, "x")
    with pytest.raises(Conflict, match="expired"):
        sharing.share_content(user, ContentFactory(state="expired"), "x")
    with pytest.raises(Conflict, match="employees only"):
        sharing.share_content(user, ContentFactory(kind="announcement", internal_only=True), "x")
    elsewhere = target(ContentFactory(), teams=[TeamFactory()])
    with pytest.raises(NotFound):
        sharing.share_content(user, elsewhere, "x")
    assert db.session.scalar(select(func.count()).select_from(Share)) == 0


def test_the_policy_must_be_acknowledged_before_sharing_and_again_when_it_changes(app, user):
    content = ContentFactory()
    publish_policy(1)
    with pytest.raises(Conflict, match="version 1"):
        sharing.share_content(user, content, "linkedin")
    compliance.acknowledge_policy(user, 1)
    sharing.share_content(user, content, "linkedin")
    publish_policy(2)
    with pytest.raises(Conflict, match="version 2"):
        sharing.share_content(user, content, "linkedin")
