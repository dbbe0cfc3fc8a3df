"""`flask users create` and `flask tokens create`."""

from __future__ import annotations

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.accounts.service import authenticate, find_user_by_email
from advocacy.extensions import db


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_users_create(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "Root@Example.com",
            "--name",
            "Root",
            "--password",
            "long enough pw",
            "--role",
            "admin",
            "--team",
            "Ops",
            "--team",
            "Board",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin root@example.com" in result.output
    user = find_user_by_email("root@example.com")
    assert user.is_admin
    assert sorted(m.team.name for m in user.memberships) == ["Board", "Ops"]
    assert authenticate("root@example.com", "long enough pw") == user


def test_users_create_bad_input_fails_clearly(app, user):
    runner = app.test_cli_runner()
    cases = [
        (["--email", "not-an-email", "--name", "X", "--password", "long enough pw"], "email"),
        (
            ["--email", "maya@example.com", "--name", "X", "--password", "long enough pw"],
            "already exists",
        ),
        (["--email", "n@example.com", "--name", "X", "--password", "short"], "at least 10"),
        (
            [
                "--email",
                "n@example.com",
                "--name",
                "X",
                "--password",
                "long enough pw",
                "--timezone",
                "Nowhere/X",
            ],
            "Nowhere/X",
        ),
        (
            [
                "--email",
                "n@example.com",
                "--name",
                "X",
                "--password",
                "long enough pw",
                "--role",
                "king",
            ],
            "king",
        ),
        (["--name", "X", "--password", "long enough pw"], "--email"),
    ]
    for args, expected in cases:
        result = runner.invoke(args=["users", "create", *args])
        assert result.exit_code != 0, args
        assert expected in result.output, result.output
        assert "Traceback" not in result.output
    assert _users() == 1


def test_tokens_create_prints_a_working_token(app, user):
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "--email", "MAYA@example.com", "--name", "ci"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("adv_")
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == "maya@example.com"


def test_tokens_create_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", "ghost@example.com"])
    assert result.exit_code == 1
    assert "No user with the e-mail ghost@example.com" in result.output
