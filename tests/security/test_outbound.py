"""The safe outbound client against real servers on loopback: by default nothing inside is
reachable (in any spelling, through any redirect, or by re-resolving a name), the operator's
OUTBOUND_ALLOW opens exactly what it names, and sizes and times are capped."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import select

from advocacy import outbound
from advocacy.config import ConfigError
from advocacy.extensions import db
from advocacy.feeds.models import Content, Source
from advocacy.feeds.sources import fetch_source
from tests.factories import UserFactory
from tests.loopback import Server

QUICK = outbound.Use("test", max_bytes=64 * 1024, connect_timeout=1, read_timeout=1,
                     total_seconds=3, redirects=3)  # fmt: skip
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Internal</title>'
    "<item><title>Secret numbers</title><link>https://intranet.example/1</link></item>"
    "</channel></rss>"
)


@pytest.fixture
def inside():
    """A service on the inside (127.0.0.2): nothing may reach it unless allowed."""
    server = Server("127.0.0.2")
    server.serve("/", b"internal")
    server.serve("/feed.xml", RSS.encode(), headers={"Content-Type": "application/rss+xml"})
    yield server
    server.close()


@pytest.fixture
def outside():
    """The stand-in for a public server: 127.0.0.1, allowed by OUTBOUND_ALLOW in these tests."""
    server = Server("127.0.0.1")
    yield server
    server.close()


@pytest.fixture
def allowing_outside(make_app):
    app = make_app(OUTBOUND_ALLOW="127.0.0.1/32")
    with app.app_context():
        yield app


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.2:{port}/",
        "http://localhost:{port}/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.2]:{port}/",
        "http://2130706434:{port}/",
        "http://0x7f000002:{port}/",
        "http://0177.0.0.2:{port}/",
        "http://127.2:{port}/",
        "http://0x7f.0.0.2:{port}/",
        "ftp://127.0.0.2:{port}/",
        "http://user:secret@127.0.0.2:{port}/",
    ],
)
def test_nothing_inside_is_reachable_by_default(app, inside, spelling):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.fetch(spelling.format(port=inside.port), QUICK)
    assert refused.value.reason
    assert inside.requests == []


def test_the_reason_names_the_address_and_the_setting(app, inside):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.fetch(inside.url, QUICK)
    assert "127.0.0.2 is a loopback address" in refused.value.reason
    assert "OUTBOUND_ALLOW" in refused.value.reason


def test_every_redirect_hop_is_checked_again(allowing_outside, outside, inside):
    outside.serve("/go-inside", status=302, headers={"Location": f"{inside.url}/"})
    outside.serve("/go-decimal", status=302, headers={"Location": "http://2130706434/"})
    outside.serve("/hop", status=301, headers={"Location": "/final"})
    outside.serve("/final", b"landed")
    for path in ("/go-inside", "/go-decimal"):
        with pytest.raises(outbound.OutboundRefused) as refused:
            outbound.fetch(outside.url + path, QUICK)
        assert "redirect" in refused.value.reason.lower() or "127.0.0.2" in refused.value.reason
    assert inside.requests == []
    landed = outbound.fetch(outside.url + "/hop", QUICK)
    assert landed.status == 200 and landed.body == b"landed" and landed.url.endswith("/final")


def test_a_use_without_redirects_gets_the_3xx_back(allowing_outside, outside, inside):
    outside.serve("/moved", status=307, headers={"Location": f"{inside.url}/"})
    answer = outbound.fetch(outside.url + "/moved", outbound.Use("hook", 1024, redirects=0))
    assert answer.status == 307 and answer.location == f"{inside.url}/"
    assert inside.requests == []


def test_too_many_redirects_fail(allowing_outside, outside):
    outside.serve("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(outbound.OutboundFailed) as failed:
        outbound.fetch(outside.url + "/loop", QUICK)
    assert failed.value.kind == "redirects"


def test_the_connection_goes_to_the_address_that_was_checked(
    allowing_outside, outside, inside, monkeypatch
):
    """DNS rebinding: the name is resolved once; a second answer pointing inside is never
    asked for, so the request reaches the checked (allowed) address only."""
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    outside.serve("/", b"public side")
    answer = outbound.fetch(f"http://rebind.test:{outside.port}/", QUICK)
    assert answer.body == b"public side"
    assert outside.requests == [("/", f"rebind.test:{outside.port}")]
    assert inside.requests == []


def test_sizes_and_times_are_capped(allowing_outside, outside):
    outside.serve("/big", b"x" * (200 * 1024))
    outside.serve("/trickle", b"y" * 200, trickle=0.05)
    with pytest.raises(outbound.OutboundFailed) as failed:
        outbound.fetch(outside.url + "/big", QUICK)
    assert failed.value.kind == "too_large"
    cut = outbound.fetch(outside.url + "/big", outbound.Use("log", 1000, truncate=True))
    assert cut.truncated and len(cut.body) == 1000
    started = time.monotonic()
    with pytest.raises(outbound.OutboundFailed) as slow:
        outbound.fetch(outside.url + "/trickle", outbound.Use("slow", 10_000, total_seconds=1))
    assert slow.value.kind == "timeout" and time.monotonic() - started < 3


def test_the_allow_list_opens_exactly_what_it_names(make_app, inside):
    app = make_app(OUTBOUND_ALLOW="127.0.0.2/32, intranet.example, *.corp.example")
    with app.app_context():
        assert outbound.fetch(inside.url + "/", QUICK).body == b"internal"
        allow = outbound.allowance()
        assert allow.allows_host("intranet.example") and allow.allows_host("wiki.corp.example")
        assert not allow.allows_host("corp.example.evil.test")
        with pytest.raises(outbound.OutboundRefused):
            outbound.fetch("http://127.0.0.3:1/", QUICK)


def test_a_malformed_allow_list_stops_the_app(make_app):
    with pytest.raises(ConfigError, match="not a host or a CIDR"):
        make_app(OUTBOUND_ALLOW="10.0.0.0/8, http://oops")


def test_admins_see_the_reason_when_saving(login_as, app):
    admin = login_as(UserFactory(role="admin"))
    source = admin.post(
        "/admin/sources",
        data={"name": "Inside", "url": "http://127.0.0.2/feed.xml", "content_kind": "link"},
    )
    assert source.status_code == 422
    assert "loopback address" in source.get_data(as_text=True)
    hook = admin.post(
        "/admin/webhooks/",
        data={"name": "CRM", "url": "http://10.1.2.3/hook", "kind": "webhook",
              "events": ["content.published"]},
    )  # fmt: skip
    assert hook.status_code == 422
    assert "private address" in hook.get_data(as_text=True)
    assert db.session.scalars(select(Source)).all() == []


def test_a_feed_redirecting_inside_imports_nothing(allowing_outside, outside, inside):
    """The reported attack: a public feed answering with a redirect to an internal service."""
    outside.serve("/feed.xml", status=302, headers={"Location": f"{inside.url}/feed.xml"})
    source = Source(
        name="Partner blog", url=f"{outside.url}/feed.xml", content_kind="link",
        created_by_id=None,
    )  # fmt: skip
    db.session.add(source)
    db.session.commit()
    outcome = fetch_source(source.id)
    assert "127.0.0.2 is a loopback address" in outcome.error
    assert inside.requests == []
    assert db.session.scalars(select(Content)).all() == []
    assert "loopback" in db.session.get(Source, source.id).last_error
