"""Images from elsewhere are fetched once, through the outbound client, re-encoded without their
metadata, and served from our own origin: a reader's browser never calls the host an image
names, and the CSP allows images from here only."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from advocacy.discussions import threads
from advocacy.extensions import db
from advocacy.feeds.content import create_content
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.jobs import attach_missing_images
from advocacy.media import images
from advocacy.media.models import StoredImage
from tests.discussions.factories import make_space
from tests.factories import UserFactory
from tests.feeds.factories import ContentFactory
from tests.loopback import Server


def jpeg(width=3000, height=2000, exif=True) -> bytes:
    picture = Image.new("RGB", (width, height), (30, 120, 200))
    out = io.BytesIO()
    info = Image.Exif()
    if exif:
        info[0x010F] = "Camera maker"  # Make
        info[0x8825] = {2: (51, 30, 0)}  # GPS latitude
    picture.save(out, "JPEG", exif=info)
    return out.getvalue()


@pytest.fixture
def host():
    server = Server("127.0.0.1")
    server.serve("/photo.jpg", jpeg(), headers={"Content-Type": "image/jpeg"})
    server.serve("/page.html", b"<html>not an image</html>", headers={"Content-Type": "image/png"})
    yield server
    server.close()


@pytest.fixture
def app(make_app):
    # The image host listens on loopback: allowed as an operator allows an intranet host.
    app = make_app(OUTBOUND_ALLOW="127.0.0.1/32")
    with app.app_context():
        yield app


def test_a_content_image_is_fetched_once_and_served_from_here(app, host, login_as, run_jobs):
    author = UserFactory(role="curator")
    url = f"{host.url}/photo.jpg"  # authors give https addresses; the test host speaks http
    first, second = ContentFactory(image_url=url), ContentFactory(image_url=url)
    for item in (first, second):
        item.image = images.stored_image(url)
    db.session.commit()
    run_jobs()
    assert first.image_id == second.image_id
    assert [path for path, _ in host.requests] == ["/photo.jpg"]
    stored = db.session.get(StoredImage, first.image_id)
    assert stored.ready and stored.mime == "image/jpeg" and max(stored.width, stored.height) == 1600
    client = login_as(author)
    served = client.get(f"/media/images/{stored.key}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "immutable" in served.headers["Cache-Control"]
    kept = Image.open(io.BytesIO(served.data))
    assert kept.size == (1600, 1067) and not kept.getexif()  # no maker, no GPS
    page = client.get(f"/content/{first.id}").get_data(as_text=True)
    assert f"/media/images/{stored.key}" in page and host.url not in page


def test_saving_content_asks_for_its_image(app, run_jobs):
    author = UserFactory(role="curator")
    item = create_content(
        ContentInput(title="Launch", destination_url="https://a.example/1",
                     image_url="https://images.invalid/launch.jpg"),
        author,
    )  # fmt: skip
    run_jobs()
    assert item.image is not None and item.image.source_url == "https://images.invalid/launch.jpg"
    assert item.image.state == "failed" and "cannot be found" in item.image.error


def test_what_is_not_an_image_stays_a_placeholder(app, host, run_jobs, login_as):
    item = ContentFactory(image_url=f"{host.url}/page.html")
    item.image = images.stored_image(item.image_url)
    db.session.commit()
    run_jobs()
    stored = db.session.get(StoredImage, item.image_id)
    assert stored.state == "failed" and "not an image" in stored.error
    served = login_as(UserFactory()).get(f"/media/images/{stored.key}")
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    assert served.headers["Cache-Control"] == "no-cache"


def test_an_image_on_an_internal_host_is_never_fetched(make_app, host, run_jobs):
    app = make_app()  # no OUTBOUND_ALLOW: loopback is inside
    with app.app_context():
        stored = images.stored_image(f"{host.url}/photo.jpg")
        db.session.commit()
        images.fetch_image(stored.id)
        assert stored.state == "failed" and "loopback" in stored.error
    assert host.requests == []


def test_a_decompression_bomb_is_refused_before_decoding(app):
    huge = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(huge, "PNG")  # 144 megapixels, a few kilobytes
    with pytest.raises(images.NotAnImage, match="too large"):
        images.normalised(huge.getvalue())
    with pytest.raises(images.NotAnImage):
        images.normalised(b"GIF89a" + b"\x00" * 10)


def test_an_image_in_a_post_is_served_from_here(app, host, run_jobs):
    space = make_space()
    author = UserFactory()
    thread = threads.start_thread(
        author, space, "Look", f"Our stand: ![stand]({host.url}/photo.jpg)"
    )
    run_jobs()
    html = threads.opening_post(thread).body_html
    stored = db.session.scalar(select(StoredImage))
    assert f'src="/media/images/{stored.key}"' in html and host.url not in html
    assert stored.ready


def test_old_content_gets_its_image_by_the_periodic_job(app, host, run_jobs):
    item = ContentFactory(image_url=f"{host.url}/photo.jpg")
    assert item.image_id is None
    assert attach_missing_images() == 1
    run_jobs()
    assert item.image.ready and attach_missing_images() == 0


def test_the_csp_allows_images_from_here_only(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if "img-src" in part)
    assert directive == "img-src 'self' data:"


def test_unknown_keys_and_signed_out_visitors(app, login_as):
    assert login_as(UserFactory()).get("/media/images/nope").status_code == 404
    assert app.test_client().get("/media/images/nope").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(StoredImage)) == 0
