"""Bulk import of users from CSV, with a report that names each bad row's line and reason.

A file with any bad row imports nothing, unless the admin chose to import the good rows; either way
every row is validated first, so the report is complete and nothing is half-written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from advocacy.accounts.models import Role, User
from advocacy.accounts.service import Profile, add_user, find_user_by_email
from advocacy.accounts.tokens import add_invitation
from advocacy.accounts.validation import normalise_email
from advocacy.background.models import JobRun
from advocacy.background.service import (
    create_job_run,
    fail_job_run,
    finish_job_run,
    report_progress,
)
from advocacy.errors import ServiceError, ValidationFailed
from advocacy.extensions import db
from advocacy.jobs import enqueue

REQUIRED_COLUMNS = ("email", "name")
OPTIONAL_COLUMNS = ("job_title", "department", "location", "timezone", "role", "teams", "languages")
MAX_ROWS = 10_000
PROGRESS_EVERY = 50


@dataclass
class ImportReport:
    """What happened to each row."""

    errors: list[dict] = field(default_factory=list)  # {"line": n, "email": ..., "reason": ...}
    imported: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"errors": self.errors, "imported": self.imported}


def read_user_csv(data: bytes, max_bytes: int) -> list[dict]:
    """Decode and parse the upload, or ValidationFailed naming what is wrong with the whole file."""
    if not data.strip():
        raise ValidationFailed.field("file", "The file is empty.")
    if len(data) > max_bytes:
        raise ValidationFailed.field("file", f"The file is larger than {max_bytes // 1024} KiB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed.field(
            "file",
            f"The file is not UTF-8 (byte {data[error.start]:#04x} at position {error.start}). "
            'Save it as "CSV UTF-8" and upload it again.',
        ) from None
    if "\x00" in text:
        raise ValidationFailed.field(
            "file", "The file contains NUL bytes: it is not a CSV text file."
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise ValidationFailed.field(
            "file",
            f"The header row lacks {', '.join(missing)}. Columns: "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}.",
        )
    reader.fieldnames = headers
    rows = []
    try:
        for row in reader:
            rows.append({"line": reader.line_num, **{k: (v or "") for k, v in row.items() if k}})
            if len(rows) > MAX_ROWS:
                raise ValidationFailed.field("file", f"Import at most {MAX_ROWS} users per file.")
    except csv.Error as error:
        raise ValidationFailed.field("file", f"Line {reader.line_num}: {error}.") from None
    if not rows:
        raise ValidationFailed.field("file", "The file has a header but no users.")
    return rows


def start_user_import(
    data: bytes, import_valid_rows: bool, send_invitations: bool, owner_id: int, max_bytes: int
) -> JobRun:
    """Check the file, store it in a status row and enqueue the import; returns the status row."""
    rows = read_user_csv(data, max_bytes)
    run = create_job_run(
        "user_import",
        owner_id,
        {
            "rows": rows,
            "import_valid_rows": import_valid_rows,
            "send_invitations": send_invitations,
        },
    )
    run.total = len(rows)
    enqueue("advocacy.accounts.jobs.import_users", run.id)
    db.session.commit()
    return run


def _validate_row(row: dict, seen_emails: set[str]) -> tuple[str, Profile, str, list[str]]:
    """The row's values, or ValidationFailed with every problem in one sentence."""
    errors: dict[str, list[str]] = {}
    try:
        email = normalise_email(row.get("email", ""))
        if email in seen_emails:
            errors["email"] = [f"{email} appears twice in this file."]
        elif find_user_by_email(email) is not None:
            errors["email"] = [f"{email} already has an account."]
    except ValidationFailed as error:
        errors.update(error.errors)
        email = row.get("email", "")
    profile = Profile(
        display_name=row.get("name", ""),
        job_title=row.get("job_title", ""),
        department=row.get("department", ""),
        location=row.get("location", ""),
        timezone=row.get("timezone", "").strip() or None,
        languages=tuple(row.get("languages", "").replace(",", ";").split(";")),
    )
    try:
        profile.validated()
    except ValidationFailed as error:
        errors.update(error.errors)
    role = row.get("role", "").strip().lower() or Role.MEMBER.value
    if role not in {r.value for r in Role}:
        errors["role"] = [f"unknown role {role[:20]!r} (admin, curator or member)"]
    teams = [t.strip() for t in row.get("teams", "").split(";") if t.strip()]
    if errors:
        reason = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        raise ValidationFailed(reason, errors)
    return email, profile, role, teams


def run_user_import(run_id: int) -> None:
    """Validate every row, then import all, the good rows only, or nothing (see module doc)."""
    run = db.session.get(JobRun, run_id)
    if run is None or run.finished:
        return  # a retried job whose first attempt finished
    rows = run.payload["rows"]
    total = len(rows)
    report = ImportReport()
    valid: list[tuple[int, str, Profile, str, list[str]]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        try:
            email, profile, role, teams = _validate_row(row, seen)
            seen.add(email)
            valid.append((row["line"], email, profile, role, teams))
        except ValidationFailed as error:
            report.errors.append(
                {"line": row["line"], "email": row.get("email", "")[:254], "reason": error.detail}
            )
        if index % PROGRESS_EVERY == 0:
            report_progress(run, index // 2, total, "Checking rows…")
    if report.errors and not run.payload["import_valid_rows"]:
        finish_job_run(
            run,
            report.as_dict(),
            f"Nothing was imported: {len(report.errors)} of {total} rows have errors. Fix them, or "
            "upload again choosing to import the valid rows.",
        )
        return
    inviter = db.session.get(User, run.owner_id) if run.owner_id else None
    try:
        for index, (_line, email, profile, role, teams) in enumerate(valid, start=1):
            user = add_user(email, profile, None, role, teams)
            if run.payload["send_invitations"]:
                invitation, secret = add_invitation(user, inviter)
                enqueue(
                    "advocacy.accounts.jobs.send_invitation", invitation.id, secret, queue="mail"
                )
            report.imported.append(email)
            if index % PROGRESS_EVERY == 0:
                run.done = total // 2 + index // 2
        skipped = f"; {len(report.errors)} rows with errors were skipped" if report.errors else ""
        finish_job_run(run, report.as_dict(), f"Imported {len(report.imported)} users{skipped}.")
    except ServiceError as error:
        fail_job_run(run_id, f"Nothing was imported: {error.detail}")
