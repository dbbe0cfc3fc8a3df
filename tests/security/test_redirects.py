"""Redirect targets stay on this site: a corpus of known open-redirect spellings, each refused by
the one check and by the real sign-in and sign-out routes, while ordinary paths still work."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from advocacy.web.redirects import is_safe_path
from tests.factories import PASSWORD

# Spellings that browsers (after their WHATWG clean-up) or servers read as another host, a
# script, or a header injection.
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\nLocation: https://evil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x1f/evil.example",
    "/ /evil.example",
    "/%09/evil.example",
    "/%0a/x",
    "/%0d%0aSet-Cookie:x=1",
    "/%2f/evil.example",
    "/%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%5cevil.example",
    "/%5Cevil.example",
    "/%252f/evil.example",
    "/%255cevil.example",
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "//user@evil.example",
    "https://advocacy.test@evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "./evil",
    "?next=//evil.example",
    "/\u3000/evil.example",
    "/\u00a0/evil.example",
    "/x" + "a" * 2100,
    "",
]

FINE = [
    "/",
    "/discussions/threads/5",
    "/search?q=quarter%20meeting&page=2",
    "/content/3/share/linkedin?caption=1#top",
    "/settings/notifications",
    "/@maya",
    "/r/abc123",
]


@pytest.mark.once
@pytest.mark.parametrize("target", BYPASSES, ids=repr)
def test_a_bypass_spelling_is_refused(target):
    assert not is_safe_path(target)


@pytest.mark.once
@pytest.mark.parametrize("target", FINE)
def test_a_path_on_this_site_is_kept(target):
    assert is_safe_path(target)


@pytest.mark.parametrize("target", BYPASSES[:26], ids=repr)
def test_sign_in_never_leaves_the_site(client, user, target):
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_path_on_this_site(client, user):
    response = client.post(
        "/login?next=" + quote("/search?q=quarter%20meeting", safe=""),
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/search?q=quarter%20meeting"


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example"])
def test_sign_out_never_leaves_the_site(login_as, user, target):
    client = login_as(user)
    response = client.post("/logout", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
