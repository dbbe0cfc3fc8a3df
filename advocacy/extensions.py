"""Unbound extension objects; `create_app` binds them to the app."""

from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from advocacy.web.limits import POSTING_LIMIT, is_not_posting


class Base(DeclarativeBase):
    """Declarative base whose metadata names constraints, so Alembic can alter them on SQLite."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ProblemApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler: web/errors.py answers errors,
    in problem+json under /api/ and as pages elsewhere."""

    def _register_error_handlers(self):
        pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
# The exemption is given to the Limiter too: each init_app (one per app: tests make many) resets
# application limits' exempt_when to the Limiter's own.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    application_limits=[POSTING_LIMIT],
    application_limits_exempt_when=is_not_posting,
)
mail = Mail()
talisman = Talisman()
api = ProblemApi()
