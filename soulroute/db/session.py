"""Engines and transactions. Every query the app runs goes through `as_user`, which opens one
transaction as the runtime role and sets the caller's identity for row-level security in it; the
accounts and mail code goes through `as_auth`, a second role with its own small pool."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

from soulroute.config import get_settings
from soulroute.db.urls import auth_url, owner_url, runtime_url

T = TypeVar("T")

# The only statement that sets an identity (migration 0011): once per transaction, signed, refused twice.
SET_IDENTITY = text("select app_set_identity(:uid, :reason)")
# The same, also giving the transaction's snapshot, for reads whose caller keeps it (with_snapshot).
SET_IDENTITY_SNAPSHOT = text("select app_set_identity(:uid, :reason), pg_current_snapshot()::text")
_snapshots: ContextVar[list[str] | None] = ContextVar("soulroute_snapshots", default=None)


def _reset_connection(dbapi_connection: Any, _record: Any, reset_state: Any) -> None:
    """Runs when a connection goes back to the pool: end its transaction, then RESET ALL, so no
    setting made by one request (identity, reason, search_path, ...) reaches the next one."""
    dbapi_connection.rollback()  # a no-op without a round trip when the transaction already ended
    if reset_state.terminate_only:
        return
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("reset all")
    finally:
        dbapi_connection.autocommit = False


def pooled_engine(url: str, pool_size: int, max_overflow: int) -> Engine:
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        pool_reset_on_return=None,  # replaced by _reset_connection
    )
    event.listen(engine, "reset", _reset_connection)
    return engine


@lru_cache
def runtime_engine() -> Engine:
    settings = get_settings()
    return pooled_engine(runtime_url(settings), settings.db_pool_size, settings.db_pool_size)


@lru_cache
def auth_engine() -> Engine:
    """Credentials, sessions, sign-in throttling and the email outbox (migration 0010): sign-ins and
    sign-outs are rare next to page events, so a small pool."""
    return pooled_engine(auth_url(), 2, 8)


@lru_cache
def owner_engine() -> Engine:
    """For maintenance only (demo loader, command-line tool, tests): bypasses row-level security."""
    return create_engine(owner_url(), pool_size=2, pool_pre_ping=True)


def reset_engines() -> None:
    for factory in (runtime_engine, auth_engine, owner_engine):
        if factory.cache_info().currsize:
            factory().dispose()
        factory.cache_clear()


@contextmanager
def as_user(user_id: uuid.UUID | None, *, reason: str | None = None, engine: Engine | None = None) -> Iterator[Session]:
    """One transaction under `user_id`'s identity; commits on success, rolls back on any error.

    `reason` travels to the history trigger (release, reassign and close reasons)."""
    with Session(engine or runtime_engine(), expire_on_commit=False) as session, session.begin():
        params = {"uid": user_id, "reason": reason or ""}
        wanted = _snapshots.get()
        if wanted is None:
            session.execute(SET_IDENTITY, params)
        else:
            wanted.append(session.execute(SET_IDENTITY_SNAPSHOT, params).one()[1])
        yield session


def with_snapshot(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, str]:
    """`fn(*args, **kwargs)` and the snapshot ("xmin:xmax:xip,...") its first transaction read under: every
    change committed before it is visible in what `fn` read. (Later statements may see more; the first
    snapshot is the safe one to keep.)"""
    wanted: list[str] = []
    token = _snapshots.set(wanted)
    try:
        return fn(*args, **kwargs), (wanted[0] if wanted else "")
    finally:
        _snapshots.reset(token)


@contextmanager
def as_auth() -> Iterator[Session]:
    """One transaction as the accounts-and-mail role (no user identity: it reaches its tables only
    through the auth_* and app_outbox_* functions)."""
    with Session(auth_engine(), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def as_owner() -> Iterator[Session]:
    """One maintenance transaction as the tables' owner (no identity: row-level security bypassed)."""
    with Session(owner_engine(), expire_on_commit=False) as session, session.begin():
        yield session
