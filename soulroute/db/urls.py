"""Which database URLs the app uses: the owner URL for migrations, the runtime-role URL and the
accounts-and-mail role's URL."""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url

from soulroute.config import Settings, get_settings
from soulroute.db import embedded

APP_DATABASE_NAME = "soulroute"


def owner_url(settings: Settings | None = None) -> str:
    """The URL migrations run with (the tables' owner). Starts the embedded server when needed."""
    settings = settings or get_settings()
    if settings.database_url:
        return embedded.to_sqlalchemy_url(settings.database_url)
    admin = embedded.start(settings.embedded_pg_dir)
    embedded.ensure_database(admin, APP_DATABASE_NAME)
    url = embedded.to_sqlalchemy_url(admin, APP_DATABASE_NAME)
    # Child processes (alembic, the Reflex backend) then skip the embedded start-up.
    os.environ["DATABASE_URL"] = url
    return url


def _as_role(settings: Settings, explicit: str | None, role: str, password: str | None) -> str:
    if explicit:
        return embedded.to_sqlalchemy_url(explicit)
    url = make_url(owner_url(settings)).set(username=role, password=password)
    return url.render_as_string(hide_password=False)


def runtime_url(settings: Settings | None = None) -> str:
    """The URL of the runtime role: same server and database as the owner, another user."""
    settings = settings or get_settings()
    return _as_role(settings, settings.app_database_url, settings.app_db_role, settings.app_db_password)


def auth_url(settings: Settings | None = None) -> str:
    """The URL of the accounts-and-mail role (credentials, sessions, throttling, email outbox)."""
    settings = settings or get_settings()
    return _as_role(settings, settings.auth_database_url, settings.auth_db_role, settings.auth_db_password)
