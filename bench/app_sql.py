"""The app's own SQL, captured by calling the real functions once against the benchmark database, and
the hand-written equivalents without row-level security that the benchmark compares them with.

Capturing (instead of copying the SQL here) keeps the benchmark on the exact text list_board,
list_student_tickets, admin.crisis_queue and claim_ticket send, placeholders included."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from bench.dataset import Target
from soulroute.config import get_settings
from soulroute.db.models import UserRole
from soulroute.db.session import reset_engines
from soulroute.domain import errors
from soulroute.domain.admin import crisis_queue
from soulroute.domain.kernel import DESCRIPTION_SQL
from soulroute.domain.queries import list_board, list_student_tickets
from soulroute.domain.rules import Actor
from soulroute.domain.tickets import claim_ticket


@dataclass(frozen=True)
class AppSql:
    board: str
    student: str
    crisis: str
    claim: str
    holder: str
    board_params: dict[str, Any]
    crisis_params: dict[str, Any]


@contextmanager
def _app_pointed_at(target: Target) -> Iterator[None]:
    """Point the app's settings and engines at the benchmark database for the duration."""
    url = make_url(target.sqlalchemy_url)
    runtime = url.set(username=target.runtime_role, password=get_settings().app_db_password)
    wanted = {
        "DATABASE_URL": target.sqlalchemy_url,
        "APP_DATABASE_URL": runtime.render_as_string(hide_password=False),
    }
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    get_settings.cache_clear()
    reset_engines()
    try:
        yield
    finally:
        reset_engines()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


def capture(target: Target, counselor: uuid.UUID, student: uuid.UUID, admin: uuid.UUID) -> AppSql:
    """Run each app function once (read-only: the claim is of a ticket that does not exist)."""
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters))

    def last_ticket_sql(start: int) -> tuple[str, Any]:
        found = [s for s in seen[start:] if "app_set_identity" not in s[0]]
        if not found:
            raise RuntimeError("captured no SQL from the app function")
        return found[-1]

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        with _app_pointed_at(target):
            mark = len(seen)
            list_board(Actor(counselor, UserRole.COUNSELOR))
            board, board_params = last_ticket_sql(mark)
            mark = len(seen)
            list_student_tickets(Actor(student, UserRole.STUDENT))
            student_sql, _ = last_ticket_sql(mark)
            mark = len(seen)
            crisis_queue(Actor(admin, UserRole.ADMIN))
            crisis, crisis_params = last_ticket_sql(mark)
            mark = len(seen)
            with suppress(errors.NotFound):
                claim_ticket(Actor(counselor, UserRole.COUNSELOR), uuid.uuid4())
            claim_seen = [s for s, _ in seen[mark:] if "app_set_identity" not in s]
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    claim = next(s for s in claim_seen if s.lstrip().lower().startswith("update support_tickets"))
    holder = next(s for s in claim_seen if "ticket_holder_name" in s)
    return AppSql(board, student_sql, crisis, claim, holder, dict(board_params), dict(crisis_params))


def _replace_once(sql: str, old: str, new: str, what: str) -> str:
    if sql.count(old) != 1:
        raise RuntimeError(
            f"The app's {what} SQL no longer contains {old!r}: update the hand-written variant in bench/app_sql.py."
        )
    return sql.replace(old, new)


# What the policies let a counselor see, written into the query by hand (no row-level security):
# support_tickets_select's counselor branch, and users_select for the names other lists join.
BOARD_FILTER = "(t.urgency = 'crisis' or t.category = 'other' or t.category = any(%(expertise)s::ticket_category[]))"


def plain_board(board_sql: str) -> str:
    """list_board's SQL with the policy's filter written by hand, for a role that bypasses RLS."""
    # The board joins no users (an open ticket has no counselor; no student name is shown), so the
    # policy's ticket filter is all there is to write by hand.
    sql = _replace_once(board_sql, "where t.status = 'open'", f"where t.status = 'open' and {BOARD_FILTER}", "board")
    # The description view (0012) answers by identity, and the owner has none: read the column itself.
    return _replace_once(sql, DESCRIPTION_SQL, "t.description", "board")


def plain_student(student_sql: str) -> str:
    """list_student_tickets' SQL for a role that bypasses RLS: the description read from the column."""
    return _replace_once(student_sql, DESCRIPTION_SQL, "t.description", "student list")
