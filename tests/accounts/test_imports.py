"""CSV import of users: whole-file checks, per-row reports, all-or-nothing, its progress page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.accounts.imports import read_user_csv, start_user_import
from advocacy.accounts.models import Team, User
from advocacy.accounts.service import find_user_by_email
from advocacy.background.models import JobRun
from advocacy.background.service import create_job_run
from advocacy.errors import ValidationFailed
from advocacy.extensions import db

MAX = 2 * 1024 * 1024
GOOD = (
    "email,name,job_title,timezone,role,teams,languages\n"
    "lee@example.com,Lee Lin,Engineer,Asia/Singapore,curator,Platform;Ops,en;zh\n"
    "ana@example.com,Ana Alves,,America/Sao_Paulo,,Ops,pt\n"
)
BROKEN = (
    "email,name,timezone,role\n"
    "good@example.com,Good One,Europe/Paris,member\n"  # line 2
    "not-an-email,Bad Mail,,\n"  # line 3
    "tz@example.com,Bad Zone,Moon/Base,\n"  # line 4
    "good@example.com,Twice,,\n"  # line 5
    "maya@example.com,Exists,,\n"  # line 6
    "role@example.com,Bad Role,,overlord\n"  # line 7
    "fine@example.com,Fine Two,,admin\n"  # line 8
)


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _import(
    data: str | bytes, owner, import_valid_rows=False, send_invitations=False, run_jobs=None
):
    raw = data.encode() if isinstance(data, str) else data
    run = start_user_import(raw, import_valid_rows, send_invitations, owner.id, MAX)
    if run_jobs:
        run_jobs()
    db.session.expire_all()
    return db.session.get(JobRun, run.id)


def test_good_file_imports_users_and_teams(app, admin, run_jobs):
    run = _import(GOOD, admin, run_jobs=run_jobs)
    assert run.state == "done", run.message
    assert run.message == "Imported 2 users."
    lee = find_user_by_email("lee@example.com")
    assert (
        lee.role == "curator" and lee.timezone == "Asia/Singapore" and lee.languages == ["en", "zh"]
    )
    assert sorted(m.team.name for m in lee.memberships) == ["Ops", "Platform"]
    assert db.session.scalar(select(func.count()).select_from(Team)) == 2
    assert find_user_by_email("ana@example.com").password_hash is None


def test_broken_rows_are_reported_and_nothing_is_imported(app, admin, user, run_jobs):
    run = _import(BROKEN, admin, run_jobs=run_jobs)
    assert run.state == "done"
    assert run.message.startswith("Nothing was imported: 5 of 7 rows have errors")
    errors = {e["line"]: e["reason"] for e in run.result["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "email" in errors[3]
    assert "Moon/Base" in errors[4]
    assert "appears twice" in errors[5]
    assert "already has an account" in errors[6]
    assert "overlord" in errors[7]
    assert _users() == 2  # admin and user only


def test_import_valid_rows_only(app, admin, user, run_jobs):
    run = _import(BROKEN, admin, import_valid_rows=True, run_jobs=run_jobs)
    assert run.message == "Imported 2 users; 5 rows with errors were skipped."
    assert sorted(run.result["imported"]) == ["fine@example.com", "good@example.com"]
    assert find_user_by_email("good@example.com").display_name == "Good One"
    assert _users() == 4


def test_invitations_are_sent(app, admin, mail_outbox, run_jobs):
    with app.test_request_context():  # web/templating.py needs a request to render mail
        run = _import(GOOD, admin, send_invitations=True, run_jobs=run_jobs)
    assert run.state == "done"
    assert sorted(m.to[0] for m in mail_outbox) == ["ana@example.com", "lee@example.com"]
    assert "/invitations/" in mail_outbox[0].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("email,name\nzoë@example.com,Zoë\n".encode("latin-1"), "not UTF-8"),
        ("email,name\nzoe@example.com,Zoe\n".encode("utf-16"), "not UTF-8"),
        ("email,name\nzoe@example.com,Zoe\n".encode("utf-16-le"), "NUL bytes"),
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"email,name\n", "header but no users"),
        (b"mail,fullname\na@example.com,A\n", "lacks email, name"),
        (b"a@example.com,A\n", "lacks email, name"),
    ],
)
def test_whole_file_problems(app, admin, data, message):
    with pytest.raises(ValidationFailed) as caught:
        start_user_import(data, True, False, admin.id, MAX)
    assert message in caught.value.detail
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0


def test_oversized_file(app):
    with pytest.raises(ValidationFailed) as caught:
        read_user_csv(b"email,name\n" + b"a@example.com,A\n" * 100, 1024)
    assert "larger than 1 KiB" in caught.value.detail


def test_bom_and_header_case_are_handled(app):
    rows = read_user_csv("\ufeffEmail, Name \nzoë@example.com,Zoë\n".encode("utf-8"), MAX)
    assert rows == [{"line": 2, "email": "zoë@example.com", "name": "Zoë"}]


def test_progress_page_and_fragment(app, admin, user, login_as, run_jobs):
    run = _import(BROKEN, admin, run_jobs=run_jobs)
    owner = login_as(admin)
    page = owner.get(f"/jobs/{run.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<html" in body and "Nothing was imported" in body and "overlord" in body
    assert "HX-Request" in page.headers["Vary"]

    fragment = owner.get(f"/jobs/{run.id}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in text and f'id="job-{run.id}"' in text and "hx-get" not in text
    assert "HX-Request" in fragment.headers["Vary"]

    assert login_as(user).get(f"/jobs/{run.id}").status_code == 404


def test_running_job_fragment_polls(app, admin, login_as):
    run = create_job_run("user_import", admin.id, {})
    run.total = 10
    db.session.commit()
    text = (
        login_as(admin)
        .get(f"/jobs/{run.id}", headers={"HX-Request": "true"})
        .get_data(as_text=True)
    )
    assert f'hx-get="/jobs/{run.id}"' in text and "0 of 10" in text
