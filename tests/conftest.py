"""Test session set-up: fresh databases on a real PostgreSQL, created and dropped by the run.

By default the embedded server (the README path) is used; TEST_DATABASE_URL points the run at
another server instead (an admin URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres).
The make-run data (database `soulroute`) is never touched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from soulroute.config import get_settings
from soulroute.db import embedded
from soulroute.db.migrate import upgrade
from soulroute.db.session import reset_engines

RUN_ID = secrets.token_hex(4)


def _server_admin_url() -> str:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return explicit
    return embedded.start(get_settings().embedded_pg_dir)


@pytest.fixture(scope="session")
def server_admin_url() -> str:
    return _server_admin_url()


def _fresh_database(admin_url: str, suffix: str) -> str:
    name = f"soulroute_test_{RUN_ID}_{suffix}"
    embedded.drop_database(admin_url, name)
    embedded.ensure_database(admin_url, name)
    url = embedded.to_sqlalchemy_url(admin_url, name)
    upgrade(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def database_url(server_admin_url: str) -> Iterator[str]:
    """The database the in-process data layer talks to (domain and database tests)."""
    url = _fresh_database(server_admin_url, "db")
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    reset_engines()
    yield url
    reset_engines()
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous
    get_settings.cache_clear()
    embedded.drop_database(server_admin_url, make_url(url).database)


@pytest.fixture(scope="session")
def app_database_url(server_admin_url: str) -> Iterator[str]:
    """A second fresh database for the running app that browser tests drive."""
    url = _fresh_database(server_admin_url, "app")
    yield url
    embedded.drop_database(server_admin_url, make_url(url).database)
