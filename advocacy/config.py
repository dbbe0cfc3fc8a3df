"""Configuration classes, filled from the environment when the app is created (never at import)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the settings cannot make a safe application (e.g. production without a key)."""


def database_uri(url: str) -> str:
    """Point postgres URLs at psycopg 3, whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _persistent_dev_secret(instance_path: Path) -> str:
    """A per-install key kept in the instance folder, so dev sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class BaseConfig:
    """Settings shared by every environment; `load` reads the environment into a dict."""

    DEBUG = False
    TESTING = False
    SESSION_COOKIE_SECURE = False
    FORCE_HTTPS = False
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = (
        None  # the token lives as long as the session; the session expires instead
    )
    # Said explicitly: flask-limiter's one Limiter keeps the last app's choice as its default,
    # so an app made with limits off would leave every later app in the process unlimited.
    RATELIMIT_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_PASSWORD_RESET = "5 per minute;20 per hour"  # noqa: S105 - a rate, not a secret
    JOBS_RAISE_IN_PROCESS = False
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds
    INVITATION_MAX_AGE_DAYS = 14
    CSV_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    RATELIMIT_SEARCH = "120 per minute"  # per user; as-you-type sends one request per pause
    RATELIMIT_TOKEN_FAILURES = "20 per minute;200 per hour"  # noqa: S105 - unknown API tokens, per address
    # Per visitor address: a NAT'd office may share one; counted per web process (tracking.py).
    RATELIMIT_REDIRECT = "600 per minute"
    RATELIMIT_CONVERSIONS = "600 per minute"  # per calling address (a CRM posting its backlog)
    RATELIMIT_POSTING = "60 per minute;1000 per hour"  # per person, every write (web/limits.py)
    # Redis down: count in this process's memory instead of failing every request (limits are
    # then per process until Redis returns; web/limits.py, README "Faults").
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Request sizes: a whole request, and one form field held in memory (a post's text is far
    # below it; uploads are files, counted only by MAX_CONTENT_LENGTH).
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    MAX_FORM_PARTS = 1000
    SEARCH_LOG_RETENTION_DAYS = 90
    # Outbound webhooks: attempt n waits BASE * 2**(n-1) seconds (at most MAX, +-20% jitter).
    WEBHOOKS_CONNECT_TIMEOUT = 5.0
    WEBHOOKS_READ_TIMEOUT = 10.0
    WEBHOOKS_MAX_ATTEMPTS = 8
    WEBHOOKS_BACKOFF_BASE = 60.0
    WEBHOOKS_BACKOFF_MAX = 3600.0
    WEBHOOKS_DISABLE_AFTER = 10  # consecutive failed deliveries before a subscription is disabled
    WEBHOOKS_RETRY_INTERVAL = 30  # seconds between sweeps for retries that are due
    WEBHOOKS_LOG_RETENTION_DAYS = 30  # finished deliveries (and their events) are kept this long
    REDIS_BATCH_MS = 20  # clicks wait this long in a web process before one RPUSH sends them

    @classmethod
    def load(cls, env: Mapping[str, str], instance_path: str) -> dict:
        """Build the config mapping for this class from `env` and the app's instance folder."""
        instance = Path(instance_path)
        settings = {
            key: getattr(cls, key) for key in dir(cls) if key.isupper() and not key.startswith("_")
        }
        redis_url = env.get("REDIS_URL") or None
        settings.update(
            SECRET_KEY=env.get("SECRET_KEY") or cls.default_secret(instance),
            SQLALCHEMY_DATABASE_URI=database_uri(
                env.get("DATABASE_URL") or f"sqlite:///{instance / 'advocacy.db'}"
            ),
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
            REDIS_URL=redis_url,
            RATELIMIT_STORAGE_URI=redis_url or "memory://",
            SEARCH_INDEX_DIR=env.get("SEARCH_INDEX_DIR") or str(instance / "search-index"),
            SEARCH_BACKEND=(env.get("SEARCH_BACKEND") or "whoosh").strip().lower(),
            SEARCH_PG_LANGUAGE=env.get("SEARCH_PG_LANGUAGE") or "english",
            PUBLIC_BASE_URL=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            ORGANISATION_NAME=env.get("ORGANISATION_NAME", "Acme"),
            MAIL_DEFAULT_SENDER=env.get("MAIL_DEFAULT_SENDER", "advocacy@localhost"),
            MAIL_SERVER=env.get("MAIL_SERVER") or None,
            MAIL_PORT=int(env.get("MAIL_PORT", "25")),
            MAIL_USERNAME=env.get("MAIL_USERNAME") or None,
            MAIL_PASSWORD=env.get("MAIL_PASSWORD") or None,
            MAIL_USE_TLS=_flag(env, "MAIL_USE_TLS", False),
            MAIL_USE_SSL=_flag(env, "MAIL_USE_SSL", False),
            MAIL_TIMEOUT=10,
            CONVERSIONS_SECRET=env.get("CONVERSIONS_SECRET") or "",
            TRACKING_FORWARDED_HOPS=int(env.get("TRACKING_FORWARDED_HOPS") or 0),
            TRACKING_REDIS_BATCH_MS=int(env.get("TRACKING_REDIS_BATCH_MS") or cls.REDIS_BATCH_MS),
            CLICK_RETENTION_DAYS=int(env.get("CLICK_RETENTION_DAYS") or 90),
            # hosts, *.suffixes or CIDRs the server may reach although they are not public
            OUTBOUND_ALLOW=env.get("OUTBOUND_ALLOW", ""),
            # read a new item's link preview (picture, description); off where the server may
            # reach nothing at all
            LINK_PREVIEWS=_flag(env, "LINK_PREVIEWS", True),
        )
        # Rate limits are tunable per deployment (an office behind one NAT address needs more).
        for key, value in settings.items():
            rate = key.startswith("RATELIMIT_") and key != "RATELIMIT_STORAGE_URI"
            if rate and isinstance(value, str) and env.get(key):
                settings[key] = env[key]
        # Without an SMTP server, e-mail goes to the log: the embedded default needs nothing.
        settings["MAIL_BACKEND"] = (
            "smtp" if settings["MAIL_SERVER"] else "advocacy.mail.LogEmailBackend"
        )
        return settings

    @classmethod
    def default_secret(cls, instance: Path) -> str:
        """The key to use when SECRET_KEY is not set."""
        return _persistent_dev_secret(instance)


class DevelopmentConfig(BaseConfig):
    """`flask run` on a laptop: the embedded default."""


class TestingConfig(BaseConfig):
    """pytest: CSRF stays on (tests send tokens), jobs raise so failures are seen."""

    TESTING = True
    JOBS_RAISE_IN_PROCESS = True
    REDIS_BATCH_MS = 0  # tests see each click in Redis at once (send_outbox is tested alone)
    # Tests post quickly as one person; the posting limit has its own tests at a low rate.
    RATELIMIT_POSTING = "100000 per minute"
    PASSWORD_HASH_FAST = True

    @classmethod
    def default_secret(cls, instance: Path) -> str:
        return "test-secret-key"


class ProductionConfig(BaseConfig):
    """A company's deployment: refuses to start without a secret key and a database URL."""

    SESSION_COOKIE_SECURE = True
    FORCE_HTTPS = False  # TLS is normally terminated by the proxy; it sets X-Forwarded-Proto

    @classmethod
    def load(cls, env: Mapping[str, str], instance_path: str) -> dict:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not env.get(name)]
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} set in the environment")
        settings = super().load(env, instance_path)
        settings["FORCE_HTTPS"] = _flag(env, "FORCE_HTTPS", False)
        return settings


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(env: Mapping[str, str] | None = None, instance_path: str = "instance") -> dict:
    """Choose the config class from ADVOCACY_ENV (default development) and load it."""
    env = os.environ if env is None else env
    name = env.get("ADVOCACY_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"ADVOCACY_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name].load(env, instance_path)
