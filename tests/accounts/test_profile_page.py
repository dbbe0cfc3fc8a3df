"""The settings page as a person uses it: the profile saves as it is shown (it once showed its
languages as "['en']" and could not be saved), a picture upload and removal, the appearance
setting, and the way to the notification and digest settings."""

from __future__ import annotations

import io
import re
from html import unescape

from PIL import Image

from advocacy.extensions import db


def html(response) -> str:
    return response.get_data(as_text=True)


def form_fields(page: str, action: str) -> dict[str, str]:
    """The values a browser would send from the form posting to `action`, as the page shows
    them (inputs, selects' chosen options, textareas)."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S).group(0)
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name and 'type="file"' not in tag and 'type="radio"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 90)).save(out, "PNG")
    return out.getvalue()


def test_the_profile_saves_as_the_page_shows_it(client, login_as, user):
    user.languages = ["en", "fr"]
    db.session.commit()
    login_as(user, client)
    page = html(client.get("/settings/"))
    fields = form_fields(page, "/settings/profile")
    assert fields["languages"] == "en, fr"
    assert "['en'" not in page
    assert 'list="time-zones"' in page and '<option value="Europe/London">' in page

    saved = client.post("/settings/profile", data=fields)

    assert saved.status_code in (302, 303), html(saved)
    db.session.refresh(user)
    assert user.languages == ["en", "fr"]
    empty = form_fields(html(client.get("/settings/")), "/settings/profile")
    assert client.post("/settings/profile", data={**empty, "languages": ""}).status_code in (
        302,
        303,
    )


def test_a_picture_is_uploaded_shown_and_removed(client, login_as, user):
    login_as(user, client)
    uploaded = client.post(
        "/settings/picture",
        data={"picture": (io.BytesIO(png()), "me.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    db.session.refresh(user)
    assert user.avatar is not None and (user.avatar.width, user.avatar.height) == (256, 256)
    page = html(client.get("/settings/"))
    src = re.search(r'<span class="avatar[^"]*"[^>]*><img src="(/media/images/[^"]+)"', page)
    assert src and client.get(src.group(1)).status_code == 200

    refused = client.post(
        "/settings/picture",
        data={"picture": (io.BytesIO(b"%PDF-1.4 not a picture"), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "not an image that can be shown" in html(refused)
    db.session.refresh(user)
    assert user.avatar is not None  # the old picture stays
    missing = client.post("/settings/picture", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose a picture" in html(missing)

    assert client.post("/settings/picture/remove").status_code == 303
    db.session.refresh(user)
    assert user.avatar is None


def test_the_appearance_is_kept_and_wrong_values_are_refused(client, login_as, user):
    login_as(user, client)
    assert "data-theme" not in html(client.get("/settings/"))
    assert client.post("/settings/appearance", data={"theme": "dark"}).status_code == 303
    assert '<html lang="en" data-theme="dark">' in html(client.get("/"))
    refused = client.post("/settings/appearance", data={"theme": "neon"})
    assert refused.status_code == 422
    db.session.refresh(user)
    assert user.theme == "dark"


def test_notification_and_digest_settings_are_reached_from_settings(client, login_as, user):
    login_as(user, client)
    page = html(client.get("/settings/"))
    assert 'href="/settings/notifications"' in page and "digest" in page
    tabs = html(client.get("/settings/notifications"))
    assert 'href="/settings/" aria-current="page"' not in tabs
    assert 'href="/settings/notifications" aria-current="page"' in tabs
