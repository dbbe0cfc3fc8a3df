"""E-mail works out of the box: with no MAIL_SERVER (the embedded default) every message is
written to the log in full, so a password-reset link can be read there and used; with a
MAIL_SERVER the same message reaches a real SMTP server."""

from __future__ import annotations

import logging
import re

from advocacy.config import load_config
from tests.conftest import drain_jobs
from tests.factories import PASSWORD, UserFactory
from tests.smtp import smtp_inbox  # noqa: F401 - the real SMTP server fixture

RESET_LINK = re.compile(r"http://advocacy\.test(/password/reset/[\w.\-]+)")


def test_the_embedded_default_writes_mail_to_the_log(make_app, caplog, tmp_path):
    backend = load_config({}, str(tmp_path))["MAIL_BACKEND"]  # what a new install gets
    app = make_app(MAIL_BACKEND=backend)
    with app.app_context():
        user = UserFactory(email="lena@example.com")
        client = app.test_client()
        with caplog.at_level(logging.INFO, logger="advocacy.mail"):
            response = client.post("/password/forgot", data={"email": "lena@example.com"})
            drain_jobs(app)
        assert response.status_code == 302
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "E-mail to lena@example.com" in logged and "Subject:" in logged
        path = RESET_LINK.search(logged).group(1)
        new = "a long new passphrase"
        assert client.post(path, data={"password": new, "confirm": new}).status_code in (302, 303)
        signed_in = client.post("/login", data={"email": user.email, "password": new})
        assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
        refused = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
        assert refused.status_code == 401


def test_with_a_mail_server_the_reset_arrives_by_smtp(make_app, smtp_inbox):  # noqa: F811
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        UserFactory(email="omar@example.com")
        app.test_client().post("/password/forgot", data={"email": "omar@example.com"})
        drain_jobs(app)
    [message] = smtp_inbox.to("omar@example.com")
    body = message.get_body(("plain",)).get_content()
    assert RESET_LINK.search(body) and "reset" in message["Subject"].lower()
