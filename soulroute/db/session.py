"""Engines and transactions. Every query the app runs goes through `as_user`, which opens one
transaction as the runtime role and sets the caller's identity for row-level security in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from soulroute.config import get_settings
from soulroute.db.urls import owner_url, runtime_url


@lru_cache
def runtime_engine() -> Engine:
    settings = get_settings()
    return create_engine(
        runtime_url(settings),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


@lru_cache
def owner_engine() -> Engine:
    """For maintenance only (demo loader, command-line tool, tests): bypasses row-level security."""
    return create_engine(owner_url(), pool_size=2, pool_pre_ping=True)


def reset_engines() -> None:
    for factory in (runtime_engine, owner_engine):
        if factory.cache_info().currsize:
            factory().dispose()
        factory.cache_clear()


@contextmanager
def as_user(user_id: uuid.UUID | None, *, reason: str | None = None, engine: Engine | None = None) -> Iterator[Session]:
    """One transaction under `user_id`'s identity; commits on success, rolls back on any error.

    `reason` travels to the history trigger (release, reassign and close reasons)."""
    with Session(engine or runtime_engine(), expire_on_commit=False) as session, session.begin():
        session.execute(
            text("select set_config('soulroute.user_id', :uid, true), set_config('soulroute.reason', :reason, true)"),
            {"uid": str(user_id) if user_id else "", "reason": reason or ""},
        )
        yield session


@contextmanager
def as_owner() -> Iterator[Session]:
    """One maintenance transaction as the tables' owner (no identity: row-level security bypassed)."""
    with Session(owner_engine(), expire_on_commit=False) as session, session.begin():
        yield session
