"""The migrations that add the per-day, per-network and per-member totals, and later the team
totals per network, fill them from the daily rollups already stored, so boards read the same
numbers after an upgrade."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, text

from advocacy.accounts.models import Team
from advocacy.extensions import db
from tests.test_migrations import (
    MIGRATIONS,
    SERVICES_DATABASE_URL,
    _keep_logging,  # noqa: F401  (autouse: migrations/env.py reconfigures logging)
    migrated_app,
    postgres_database,  # noqa: F401
    sqlite_database,
)

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")

BEFORE = "3c1d7a9e5b20"  # the revision before the totals
TOTALS = "5f905db87c54"
TEAM_NETWORKS = "c1ca82db2b14"  # with the snapshots

ROWS = """
INSERT INTO point_user_day (local_day, user_id, network, points)
VALUES ('2024-03-31', 1, 'linkedin', 3), ('2024-04-01', 1, 'x', 2),
       ('2024-04-01', 1, 'linkedin', 1), ('2024-04-01', 2, 'x', 5);
INSERT INTO point_team_day (local_day, team_id, user_id, network, points)
VALUES ('2024-03-31', 7, 1, 'linkedin', 3), ('2024-04-01', 7, 1, 'x', 2);
"""


def check_backfill(app) -> None:
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision=BEFORE)
        # the user table as it was at this revision (the model has grown columns since)
        for n in (1, 2):
            db.session.execute(
                text(
                    'INSERT INTO "user" (id, email, display_name, role, job_title, department,'
                    " location, timezone, working_hours_start, working_hours_end, languages,"
                    " active, created_at) VALUES (:id, :email, :name, 'member', '', '', '', 'UTC',"
                    " '09:00:00', '17:00:00', '[]', true, '2024-01-01 00:00:00+00')"
                ),
                {"id": n, "email": f"{n}@example.com", "name": f"P{n}"},
            )
        db.session.execute(insert(Team), [{"id": 7, "name": "Sales"}])
        for statement in ROWS.strip().split(";"):
            if statement.strip():
                db.session.execute(text(statement))
        db.session.commit()
        upgrade(directory=str(MIGRATIONS), revision=TOTALS)

        def rows(sql: str) -> set[tuple]:
            return {tuple(row) for row in db.session.execute(text(sql))}

        assert rows("SELECT period_key, user_id, points FROM point_user_period") == {
            ("2024-03-31", 1, 3),
            ("2024-04-01", 1, 3),
            ("2024-04-01", 2, 5),
        }
        networks = rows(
            "SELECT period_key, network, user_id, points FROM point_user_network_period"
        )
        assert {row for row in networks if row[1] == "x" and row[2] == 1} == {
            (key, "x", 1, 2) for key in ("all", "2024-W14", "2024-04", "2024-Q2", "2024-04-01")
        }
        assert ("2024-W13", "linkedin", 1, 3) in networks
        members = rows("SELECT period_key, team_id, user_id, points FROM point_member_period")
        assert ("all", 7, 1, 5) in members and ("2024-Q1", 7, 1, 3) in members
        assert rows("SELECT period_key, team_id, points FROM point_team_period") == {
            ("2024-03-31", 7, 3),
            ("2024-04-01", 7, 2),
        }
        db.session.commit()
        upgrade(directory=str(MIGRATIONS), revision=TEAM_NETWORKS)
        team_networks = rows(
            "SELECT period_key, network, team_id, points FROM point_team_network_period"
        )
        assert {row for row in team_networks if row[1] == "x"} == {
            (key, "x", 7, 2) for key in ("all", "2024-W14", "2024-04", "2024-Q2", "2024-04-01")
        }
        assert ("2024-W13", "linkedin", 7, 3) in team_networks
        assert ("all", "linkedin", 7, 3) in team_networks
        db.session.commit()
        downgrade(directory=str(MIGRATIONS), revision=BEFORE)
        assert rows("SELECT period_key FROM point_user_period") == set()
        db.session.remove()
        downgrade(directory=str(MIGRATIONS), revision="base")
        db.engine.dispose()


def test_sqlite_upgrade_fills_the_new_totals(base_config, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_INSTANCE_PATH", str(tmp_path / "instance"))
    check_backfill(migrated_app(sqlite_database(tmp_path), base_config, tmp_path))


@pytest.mark.postgres
@pytest.mark.skipif(not SERVICES_DATABASE_URL, reason="the services run sets DATABASE_URL")
def test_postgres_upgrade_fills_the_new_totals(
    base_config,
    postgres_database,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    monkeypatch.setenv("ADVOCACY_INSTANCE_PATH", str(tmp_path / "instance"))
    check_backfill(migrated_app(postgres_database, base_config, tmp_path))
