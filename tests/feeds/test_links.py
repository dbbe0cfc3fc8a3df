"""Pure URL functions: what a destination may be, UTM merging, share intents, variants."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from advocacy.feeds.links import (
    X_TEXT_MAX,
    share_intent_url,
    shorten,
    url_problem,
    variant_index,
    with_tracking,
    x_text_budget,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.example",
        "http://acme.example/a/b?c=d#e",
        "https://acme.example:8443/path",
        "https://bücher.example/straße",
        "HTTPS://ACME.EXAMPLE/",
    ],
)
def test_good_destinations(url):
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "starting with http"),
        ("JavaScript:alert(document.cookie)", "starting with http"),
        ("data:text/html;base64,PHNjcmlwdD4=", "starting with http"),
        ("vbscript:msgbox", "starting with http"),
        ("ftp://acme.example/file", "starting with http"),
        ("/relative/path", "starting with http"),
        ("//acme.example/x", "starting with http"),
        ("https://", "host name"),
        ("http:///path", "host name"),
        ("https://user:secret@acme.example/", "user name or password"),
        ("https://acme.example/a b", "spaces"),
        ("https://acme.example/\x00", "control characters"),
        ("https://acme.example:99999/", "not a valid"),
        ("https://acme.example/" + "a" * 2000, "at most 2000"),
    ],
)
def test_bad_destinations_say_why(url, message):
    assert message in url_problem(url)


def test_images_must_be_https():
    assert "https://" in url_problem("http://acme.example/a.png", https_only=True)
    assert url_problem("https://acme.example/a.png", https_only=True) is None


def query(url: str) -> list[tuple[str, str]]:
    return [tuple(p.split("=", 1)) for p in urlsplit(url).query.split("&")]


def test_tracking_is_added_to_a_bare_url():
    url = with_tracking(
        "https://acme.example/jobs", network="linkedin", campaign="Spring 26", code="AbC_12-x"
    )
    assert url == (
        "https://acme.example/jobs?utm_source=linkedin&utm_medium=employee_advocacy"
        "&utm_campaign=Spring%2026&adv_ref=AbC_12-x"
    )


def test_existing_query_order_encoding_and_fragment_are_kept():
    destination = "https://acme.example/p?b=2&a=1+1&flag&empty=&q=%C3%A9t%C3%A9#section?x=1"
    url = with_tracking(destination, network="x", campaign="", code="c0de")
    parts = urlsplit(url)
    assert parts.fragment == "section?x=1"
    assert parts.query.startswith("b=2&a=1+1&flag&empty=&q=%C3%A9t%C3%A9&")
    assert parts.query.endswith("utm_source=x&utm_medium=employee_advocacy&adv_ref=c0de")
    assert "utm_campaign" not in url  # no campaign, no empty parameter


def test_our_parameters_replace_stale_ones_and_others_stay():
    destination = "https://acme.example/?utm_source=newsletter&utm_medium=email&id=7&adv_ref=old&utm_content=hero"
    url = with_tracking(destination, network="facebook", campaign="c", code="new")
    params = parse_qs(urlsplit(url).query)
    assert params["utm_source"] == ["facebook"]
    assert params["utm_medium"] == ["employee_advocacy"]
    assert params["adv_ref"] == ["new"]
    assert params["id"] == ["7"] and params["utm_content"] == ["hero"]


def test_empty_query_and_trailing_question_mark():
    assert with_tracking("https://acme.example/?", network="xing", campaign="", code="k").endswith(
        "/?utm_source=xing&utm_medium=employee_advocacy&adv_ref=k"
    )
    assert "#frag" in with_tracking("https://acme.example#frag", network="x", campaign="", code="k")


def test_campaign_with_special_characters_is_encoded():
    url = with_tracking("https://acme.example", network="x", campaign="a&b=c/d#e", code="k")
    assert parse_qs(urlsplit(url).query)["utm_campaign"] == ["a&b=c/d#e"]
    assert urlsplit(url).fragment == ""


def test_share_intents_per_network():
    tracked = "https://adv.example/r/abc"
    linkedin = share_intent_url("linkedin", tracked, "Proud!", "Title")
    assert (
        linkedin
        == "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fadv.example%2Fr%2Fabc"
    )
    x = share_intent_url("x", tracked, "Proud of us #AcmeEmployee", "Title")
    assert x.startswith("https://twitter.com/intent/tweet?")
    assert parse_qs(urlsplit(x).query) == {"text": ["Proud of us #AcmeEmployee"], "url": [tracked]}
    facebook = share_intent_url("facebook", tracked, "Text is not allowed", "Title")
    assert parse_qs(urlsplit(facebook).query) == {"u": [tracked]}  # no prefilled text
    xing = share_intent_url("xing", tracked, "x", "Title")
    assert xing == "https://www.xing.com/spi/shares/new?url=https%3A%2F%2Fadv.example%2Fr%2Fabc"
    mail = share_intent_url("email", tracked, "Look at this", "Our news & more")
    assert mail.startswith("mailto:?")
    assert parse_qs(urlsplit(mail).query) == {
        "subject": ["Our news & more"],
        "body": [f"Look at this\n\n{tracked}"],
    }
    assert share_intent_url("link", tracked, "", "") == tracked


def test_unknown_network_has_no_intent():
    with pytest.raises(ValueError):
        share_intent_url("myspace", "https://adv.example/r/a", "", "")


def test_shorten_cuts_at_a_word():
    assert shorten("short", 10) == "short"
    assert shorten("one two three four", 12) == "one two…"
    assert len(shorten("x" * 50, 10)) == 10


def test_x_budget_leaves_room_for_link_and_disclosure():
    assert x_text_budget("") == X_TEXT_MAX - 24
    assert x_text_budget("#AcmeEmployee") == X_TEXT_MAX - 24 - 14


def test_variant_choice_is_stable_and_spread():
    assert variant_index(7, 3, 1) == 0
    assert variant_index(7, 3, 3) == variant_index(7, 3, 3)
    counts = Counter(variant_index(user_id, 42, 3) for user_id in range(300))
    assert set(counts) == {0, 1, 2}
    assert min(counts.values()) > 60
