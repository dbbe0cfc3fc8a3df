"""CSV exports: formula injection neutralised, Excel's BOM on request, streamed, admins only."""

from __future__ import annotations

import csv
import io

import pytest

from advocacy.web.csv_downloads import csv_lines, csv_response, neutralise
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        (-3, -3),
        (2.5, 2.5),
        (None, ""),
        (True, "yes"),
    ],
)
def test_cells_that_could_run_as_formulas_are_neutralised(value, expected):
    assert neutralise(value) == expected


def test_lines_are_rfc4180_with_an_optional_bom():
    lines = list(csv_lines(["name", "note"], [["Zoë", 'say "hi", then\nleave']], bom=True))
    assert lines[0] == "\ufeffname,note\r\n"
    assert lines[1] == 'Zoë,"say ""hi"", then\nleave"\r\n'
    assert not "".join(csv_lines(["a"], [])).startswith("\ufeff")


def test_the_users_table_exports_safely(login_as, admin):
    UserFactory(display_name="=cmd|' /C calc'!A0", email="mallory@example.com", job_title="@x")
    UserFactory(display_name="Zoë Ünal", email="zoe@example.com")
    client = login_as(admin)
    response = client.get("/admin/users.csv?excel=1")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="users.csv"'
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_email = {row["e-mail"]: row for row in rows}
    assert by_email["mallory@example.com"]["name"] == "'=cmd|' /C calc'!A0"
    assert by_email["mallory@example.com"]["job title"] == "'@x"
    assert by_email["zoe@example.com"]["name"] == "Zoë Ünal"
    searched = client.get("/admin/users.csv?q=zoe").get_data(as_text=True)
    assert "zoe@example.com" in searched and "mallory" not in searched


def test_only_admins_export_users(login_as, curator):
    assert login_as(curator).get("/admin/users.csv").status_code == 403


def test_a_csv_says_its_charset_once(app):
    """The header read "text/csv; charset=utf-8; charset=utf-8"."""
    with app.test_request_context():
        response = csv_response("x.csv", ("a",), [("b",)])
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
