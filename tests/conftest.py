"""Test session set-up: fresh databases on a real PostgreSQL, created and dropped by the run.

By default the embedded server (the README path) is used; TEST_DATABASE_URL points the run at
another server instead (an admin URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres).
The make-run data (database `soulroute`) is never touched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from functools import cache

import pytest
from sqlalchemy.engine import make_url

from soulroute.config import get_settings
from soulroute.db import embedded
from soulroute.db.migrate import upgrade
from soulroute.db.session import reset_engines

RUN_ID = secrets.token_hex(4)


@cache
def server_admin_url_for_tests() -> str:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return explicit
    return embedded.start(get_settings().embedded_pg_dir)


@pytest.fixture(scope="session")
def server_admin_url() -> str:
    return server_admin_url_for_tests()


def fresh_database(admin_url: str, suffix: str) -> str:
    """A new database for this run, migrated to head; returns its SQLAlchemy URL."""
    name = f"soulroute_test_{RUN_ID}_{suffix}"
    embedded.drop_database(admin_url, name)
    embedded.ensure_database(admin_url, name)
    url = embedded.to_sqlalchemy_url(admin_url, name)
    upgrade(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def database_url(server_admin_url: str) -> Iterator[str]:
    """The database the in-process data layer talks to (domain and database tests)."""
    url = fresh_database(server_admin_url, "db")
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
    drop_database(server_admin_url, url)


def drop_database(admin_url: str, url: str) -> None:
    embedded.drop_database(admin_url, make_url(url).database)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: the database, domain and state tests run while the app builds for them, and
    Playwright's session (an event loop of its own in this thread) starts only after the state tests,
    which run their own loops."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
