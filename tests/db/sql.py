"""Raw SQL as a given identity, for tests that probe the database's own enforcement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from soulroute.db.session import as_owner, as_user
from soulroute.domain.rules import Actor


def run(actor: Actor | None, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Execute as `actor` (None: the runtime role with no identity); rows as dicts, [] if none."""
    with as_user(actor.id if actor else None) as s:
        result = s.execute(text(sql), params or {})
        return [dict(r) for r in result.mappings()] if result.returns_rows else []


def rowcount(actor: Actor | None, sql: str, params: dict[str, Any] | None = None) -> int:
    with as_user(actor.id if actor else None) as s:
        return s.execute(text(sql), params or {}).rowcount


def sqlstate(actor: Actor | None, sql: str, params: dict[str, Any] | None = None) -> str | None:
    """The SQLSTATE the statement fails with as `actor`, or None when it succeeds."""
    try:
        with as_user(actor.id if actor else None) as s:
            s.execute(text(sql), params or {})
    except DBAPIError as exc:
        return exc.orig.sqlstate
    return None


def owner_sqlstate(sql: str, params: dict[str, Any] | None = None) -> str | None:
    try:
        with as_owner() as s:
            s.execute(text(sql), params or {})
    except DBAPIError as exc:
        return exc.orig.sqlstate
    return None


def owner(sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    with as_owner() as s:
        result = s.execute(text(sql), params or {})
        return [dict(r) for r in result.mappings()] if result.returns_rows else []


RLS_REFUSED = "42501"  # new row violates row-level security policy / permission denied
# Refused by a policy or privilege (42501) or by the write-guard trigger (SR002), whichever fires first.
REFUSED = {"42501", "SR002"}
