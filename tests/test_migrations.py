"""The Alembic migrations have one head, build exactly the models' schema on an empty database
(SQLite, and PostgreSQL in the services run), and downgrade cleanly to nothing."""

import logging
import os
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from advocacy import ROOT, create_app
from advocacy.extensions import db

MIGRATIONS = ROOT / "migrations"
SERVICES_DATABASE_URL = os.environ.get("DATABASE_URL", "")

# Flask-Migrate's generated env.py tries the deprecated db.get_engine() before db.engine.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture(autouse=True)
def _keep_logging():
    """migrations/env.py runs logging's fileConfig, which would silence the suite's loggers."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {
        name: (logger.disabled, logger.level)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:], root.level = handlers, level
    for name, (disabled, logger_level) in loggers.items():
        logger = logging.getLogger(name)
        logger.disabled, logger.level = disabled, logger_level


def sqlite_database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.fixture
def postgres_database():
    """A fresh, empty PostgreSQL database next to DATABASE_URL's, dropped afterwards."""
    parts = urlsplit(SERVICES_DATABASE_URL)
    name = f"advocacy_migrations_{uuid4().hex[:8]}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrated_app(database_url: str, base_config: dict, tmp_path):
    return create_app(
        {
            **base_config,
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )


def assert_migrations_match_models(app) -> None:
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []

        downgrade(directory=str(MIGRATIONS), revision="base")
        with db.engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_migrations_have_exactly_one_head(make_app):
    app = make_app()
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_sqlite_upgrade_builds_the_models_schema_and_downgrades(base_config, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_INSTANCE_PATH", str(tmp_path / "instance"))
    assert_migrations_match_models(migrated_app(sqlite_database(tmp_path), base_config, tmp_path))


@pytest.mark.postgres
@pytest.mark.skipif(not SERVICES_DATABASE_URL, reason="the services run sets DATABASE_URL")
def test_postgres_upgrade_builds_the_models_schema_and_downgrades(
    base_config, postgres_database, tmp_path, monkeypatch
):
    monkeypatch.setenv("ADVOCACY_INSTANCE_PATH", str(tmp_path / "instance"))
    assert_migrations_match_models(migrated_app(postgres_database, base_config, tmp_path))
