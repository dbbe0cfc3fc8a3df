"""Blocked words, the disclosure, the versioned policy and the validation of what authors enter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.feeds import compliance
from advocacy.feeds.content import create_content
from advocacy.feeds.content_input import ContentInput
from advocacy.models_base import utcnow
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("This is GUARANTEED returns", ["guaranteed"]),
        ("guaranteed.", ["guaranteed"]),
        ("(Guaranteed)", ["guaranteed"]),
        ("unguaranteed results", []),
        ("guaranteedly", []),
        ("Get rich   quick!", ["rich quick"]),
        ("rich\nquick", ["rich quick"]),
        ("richquick", []),
        ("Ünïcode straße ok", ["straße"]),
        ("", []),
    ],
)
def test_blocked_terms_are_whole_word_and_case_insensitive(text, found):
    assert compliance.find_blocked_terms(text, ["guaranteed", "rich quick", "straße"]) == found


def test_check_texts_names_every_offending_term_per_field():
    with pytest.raises(ValidationFailed) as caught:
        compliance.check_texts(
            {"title": "Guaranteed win", "captions.x.0": "fine", "summary": "rich quick guaranteed"},
            ["guaranteed", "rich quick"],
        )
    assert caught.value.errors == {
        "title": ["Remove the blocked term “guaranteed”."],
        "summary": ["Remove the blocked terms “guaranteed”, “rich quick”."],
    }
    assert "“guaranteed”, “rich quick”" in caught.value.detail


def test_adding_and_removing_terms(app):
    admin = UserFactory(role="admin")
    added = compliance.add_blocked_terms("Crypto\n\n  fast   money \ncrypto", admin)
    assert [t.term for t in added] == ["crypto", "fast money"]
    assert compliance.add_blocked_terms("CRYPTO", admin) == []
    assert compliance.blocked_terms() == ["crypto", "fast money"]
    with pytest.raises(ValidationFailed, match="at least one"):
        compliance.add_blocked_terms("  \n ", admin)
    with pytest.raises(ValidationFailed, match="at most 100"):
        compliance.add_blocked_terms("x" * 101, admin)
    compliance.remove_blocked_term(added[0].id)
    assert compliance.blocked_terms() == ["fast money"]
    with pytest.raises(NotFound):
        compliance.remove_blocked_term(added[0].id)


@pytest.mark.parametrize(
    ("caption", "shared"),
    [
        ("Proud of the team", "Proud of the team #AcmeEmployee"),
        ("  Proud  ", "Proud #AcmeEmployee"),
        ("", "#AcmeEmployee"),
        ("#acmeemployee proud", "#acmeemployee proud"),  # already there: not twice
        ("#AcmeEmployees rock", "#AcmeEmployees rock #AcmeEmployee"),  # a different word
    ],
)
def test_disclosure_is_always_present(caption, shared):
    assert compliance.with_disclosure(caption, "#AcmeEmployee") == shared


def test_disclosure_setting(app):
    admin = UserFactory(role="admin")
    assert compliance.disclosure() == ""
    compliance.set_disclosure("  #Acme   Employee ", admin)
    assert compliance.disclosure() == "#Acme Employee"
    with pytest.raises(ValidationFailed):
        compliance.set_disclosure("x" * 61, admin)


def test_policy_versions_and_acknowledgements(app):
    admin, member = UserFactory(role="admin"), UserFactory()
    assert compliance.has_acknowledged_current(member)  # no policy: nothing to acknowledge
    compliance.require_policy_acknowledged(member)
    first = compliance.publish_policy("Policy", "Be kind.", admin)
    assert first.version == 1
    assert not compliance.has_acknowledged_current(member)
    with pytest.raises(Conflict, match="version 1"):
        compliance.require_policy_acknowledged(member)
    compliance.acknowledge_policy(member, 1)
    compliance.acknowledge_policy(member, 1)  # twice is fine
    compliance.require_policy_acknowledged(member)

    second = compliance.publish_policy("Policy", "Be kind and honest.", admin)
    assert second.version == 2 and compliance.current_policy().id == second.id
    assert not compliance.has_acknowledged_current(member)
    with pytest.raises(Conflict, match="no longer in force"):
        compliance.acknowledge_policy(member, 1)
    compliance.acknowledge_policy(member)
    assert compliance.has_acknowledged_current(member)


def test_policy_needs_title_and_body(app):
    with pytest.raises(ValidationFailed) as caught:
        compliance.publish_policy(" ", "", UserFactory(role="admin"))
    assert set(caught.value.errors) == {"title", "body"}


# --- validation of content ----------------------------------------------------------------------


def invalid(**fields) -> dict:
    data = {"title": "Title", "destination_url": "https://acme.example", **fields}
    with pytest.raises(ValidationFailed) as caught:
        ContentInput(**data).validated()
    return caught.value.errors


def test_every_problem_is_reported_at_once(app):
    errors = invalid(
        title="",
        kind="podcast",
        destination_url="javascript:alert(1)",
        image_url="data:image/png;base64,AAAA",
        summary="s" * 2001,
        campaign="c" * 81,
        captions={"myspace": ["hi"], "x": ["x" * 300]},
        topics=["ok", "<script>"],
        teams=[424242],
        languages=["english!"],
        publish_at=utcnow() - timedelta(days=1),
        expire_at=utcnow() - timedelta(hours=1),
    )
    assert set(errors) == {
        "title",
        "kind",
        "destination_url",
        "image_url",
        "summary",
        "campaign",
        "captions",
        "captions.x.0",
        "topics",
        "teams",
        "languages",
        "publish_at",
        "expire_at",
    }
    assert "Unknown network 'myspace'" in errors["captions"][0]
    assert errors["publish_at"] == [
        "This time is in the past. Leave it empty to publish on approval."
    ]
    assert "No team has the id 424242" in errors["teams"][0]


def test_expiry_must_follow_publication(app):
    start = utcnow() + timedelta(days=2)
    errors = invalid(publish_at=start, expire_at=start - timedelta(minutes=1))
    assert errors == {"expire_at": ["The share window must end after it starts."]}


def test_naive_times_are_refused(app):
    errors = invalid(publish_at=(utcnow() + timedelta(days=1)).replace(tzinfo=None))
    assert "time zone" in errors["publish_at"][0]


def test_blocked_terms_in_captions_are_named(app):
    compliance.add_blocked_terms("guaranteed", UserFactory(role="admin"))
    errors = invalid(captions={"linkedin": ["fine", "Guaranteed growth"]})
    assert errors == {"captions.linkedin.1": ["Remove the blocked term “guaranteed”."]}


def test_x_captions_must_fit_with_link_and_disclosure(app):
    compliance.set_disclosure("#AcmeEmployee", UserFactory(role="admin"))
    assert ContentInput(
        title="t", destination_url="https://a.example", captions={"x": ["x" * 242]}
    ).validated()
    errors = invalid(captions={"x": ["x" * 243]})
    assert "at most 242" in errors["captions.x.0"][0]


def test_announcements_are_internal_and_need_no_url(app):
    values = ContentInput(title="Office closed on Friday", kind="announcement").validated()
    assert values["internal_only"] is True and values["destination_url"] == ""
    assert invalid(destination_url="") == {
        "destination_url": ["Give the web address people will share."]
    }


def test_html_in_captions_is_kept_as_text(app):
    content = create_content(
        ContentInput(
            title="<b>Bold</b> claims",
            destination_url="https://acme.example",
            captions={"linkedin": ["<script>alert(1)</script> We're hiring!"]},
            topics=["AI", "ai", " Culture "],
        ),
        UserFactory(),
    )
    assert content.captions[0].text == "<script>alert(1)</script> We're hiring!"
    assert [t.name for t in content.topics] == ["AI", "Culture"]
    assert content.state == "draft" and content.events[0].action == "created"
