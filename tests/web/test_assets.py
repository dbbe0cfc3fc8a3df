"""Front-end assets are pinned, served from our own static folder with a matching SRI hash,
and pages go out with the security headers and cookie flags a browser needs."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from advocacy.config import ConfigError, load_config
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HTMX = ROOT / "static" / "vendor" / "htmx.min.js"
PINNED_HTMX = re.compile(r"^2\.0\.\d+$")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
EXTERNAL_ASSET = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.IGNORECASE
)


def sri_sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def manifest_entry() -> dict:
    return json.loads((ROOT / "static" / "vendor" / "manifest.json").read_text())["htmx.min.js"]


def test_htmx_is_pinned_to_2_0_in_package_and_lock_files():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert PINNED_HTMX.match(package["dependencies"]["htmx.org"])
    locked = lock["packages"]["node_modules/htmx.org"]["version"]
    assert locked == package["dependencies"]["htmx.org"]
    assert manifest_entry()["version"] == locked


def test_vendored_htmx_matches_the_manifest_integrity():
    assert sri_sha384(HTMX.read_bytes()) == manifest_entry()["integrity"]


def test_page_script_tag_carries_the_integrity_and_served_bytes_match(client):
    page = client.get("/login").get_data(as_text=True)
    tags = [tag for tag in SCRIPT_TAG.findall(page) if "vendor/htmx.min.js" in tag]
    assert len(tags) == 1
    src = re.search(r'src="([^"]+)"', tags[0]).group(1)
    integrity = re.search(r'integrity="([^"]+)"', tags[0]).group(1)
    assert integrity == manifest_entry()["integrity"]

    with client.get(src) as served:  # closing it closes the static file behind the response
        assert served.status_code == 200
        assert served.data == HTMX.read_bytes()
        assert sri_sha384(served.data) == integrity


def test_no_page_loads_scripts_or_styles_from_elsewhere(client, login_as, user):
    pages = [client.get(path).get_data(as_text=True) for path in ("/login", "/password/forgot")]
    login_as(user, client)
    pages += [client.get(path).get_data(as_text=True) for path in ("/", "/settings/")]
    for html in pages:
        assert "<script" in html
        assert EXTERNAL_ASSET.findall(html) == []


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_pages_send_the_security_headers(client):
    headers = client.get("/login").headers
    csp = csp_directives(headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers.get("X-Frame-Options") in {"DENY", "SAMEORIGIN"} or "frame-ancestors" in csp
    assert headers["Referrer-Policy"]


def test_session_cookie_is_http_only_and_same_site_lax_after_sign_in(client, user):
    client.fetch_csrf_token()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    flags = {flag.strip().lower() for flag in cookies[-1].split(";")[1:]}
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"ADVOCACY_ENV": "production", "DATABASE_URL": "postgresql://db/advocacy"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(env, str(tmp_path))


def test_production_sends_the_session_cookie_over_https_only(tmp_path):
    env = {
        "ADVOCACY_ENV": "production",
        "DATABASE_URL": "postgresql://db/advocacy",
        "SECRET_KEY": "a-real-secret",
    }
    assert load_config(env, str(tmp_path))["SESSION_COOKIE_SECURE"] is True


def test_rate_limits_can_be_set_from_the_environment(tmp_path):
    env = {"RATELIMIT_REDIRECT": "3000 per minute", "RATELIMIT_STORAGE_URI": "redis://elsewhere"}
    config = load_config(env, str(tmp_path))
    assert config["RATELIMIT_REDIRECT"] == "3000 per minute"
    assert config["RATELIMIT_CONVERSIONS"] == "600 per minute"  # unset: the default
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"  # follows REDIS_URL, not this variable
