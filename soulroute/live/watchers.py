"""Which tabs connected to this process show what, so a change reaches exactly the pages it concerns.

Each tab's page registers here when it loads (on the process that holds the tab's websocket). This is a
routing cache for this process's own sockets, not data: after a restart or reconnect, tabs hydrate and
register again, and everything they show is re-read from PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from soulroute.db.models import UserRole


@dataclass(frozen=True)
class Watcher:
    user_id: uuid.UUID
    role: UserRole
    state_cls: type  # the page's state class; its `refresh` handler re-reads through RLS
    ticket_id: str | None = None  # set by a single ticket's page
    view: Hashable = None  # what the page's reads depend on besides the user (filters, page length)
    seen: str = ""  # the snapshot the page's data was read under ("" when unknown)


_by_token: dict[str, Watcher] = {}


def watch(token: str, watcher: Watcher) -> None:
    if token:
        _by_token[token] = watcher


def forget(token: str) -> None:
    _by_token.pop(token, None)


def current() -> dict[str, Watcher]:
    return dict(_by_token)


def shows(seen: str, txid: Any) -> bool:
    """Was transaction `txid` committed and visible in the snapshot `seen` ("xmin:xmax:xip,...", as
    pg_current_snapshot() gives it)? Then a page read under that snapshot already shows its change."""
    try:
        xmin, xmax, in_progress = seen.split(":")
        tx = int(txid)
        if tx < int(xmin):
            return True
        return tx < int(xmax) and str(tx) not in in_progress.split(",")
    except (TypeError, ValueError):
        return False


def _parts(snapshot: str) -> tuple[int, set[str]]:
    _, xmax, in_progress = snapshot.split(":")
    return int(xmax), set(filter(None, in_progress.split(",")))


def newer(a: str, b: str) -> bool:
    """Does snapshot `a` show everything snapshot `b` shows (was it taken at the same time or later)? What
    a snapshot sees only grows with time: a later one has a higher or equal xmax, and with equal xmax no
    new transaction began in between, so it can only have fewer transactions still in progress."""
    try:
        (a_max, a_open), (b_max, b_open) = _parts(a), _parts(b)
    except (AttributeError, ValueError):
        return True  # unknown: show it (a refresh too many is safe, one too few is not)
    return a_max > b_max or (a_max == b_max and a_open <= b_open)


def current_of(token: str) -> Watcher | None:
    return _by_token.get(token)


def concerned(watcher: Watcher, change: dict[str, Any]) -> bool:
    """Does this tab's page show something a ticket change touches? (Ids and status only.)"""
    ticket = str(change.get("ticket_id") or "")
    uid = str(watcher.user_id)
    if uid in (str(change.get("reader_id")), str(change.get("typist_id"))):
        return False  # their own read receipt or typing: nothing to show them
    if watcher.ticket_id is not None:
        return watcher.ticket_id == ticket
    if change.get("kind") == "message":
        return False  # a conversation shows only on its ticket's page
    if watcher.role is UserRole.ADMIN:
        return True
    if watcher.role is UserRole.STUDENT:
        return str(change.get("student_id")) == uid
    holders = {str(change.get("counselor_id")), str(change.get("old_counselor_id"))}
    # Entering or leaving "open" changes every counselor's board (RLS decides what each one sees).
    return uid in holders or "open" in (change.get("status"), change.get("old_status"))


# Tabs whose shell shows the bell (every signed-in page), token → user id: pages without a live watcher
# (e.g. /notifications) still get new notifications. A routing cache like the one above.
_bells: dict[str, uuid.UUID] = {}


def watch_bell(token: str, user_id: uuid.UUID) -> None:
    if token:
        _bells[token] = user_id


def bell_tabs(connected: set[str]) -> set[str]:
    """Every connected tab of this process that shows a bell (after the listener missed notices)."""
    return (set(_bells) | set(_by_token)) & connected


def bell_tabs_of(user_id: str, connected: set[str]) -> set[str]:
    """This process's connected tabs of that user (closed tabs are dropped from the map on the way)."""
    for gone in set(_bells) - connected:
        _bells.pop(gone, None)
    tokens = {t for t, u in _bells.items() if str(u) == user_id}
    return (tokens | {t for t, w in _by_token.items() if str(w.user_id) == user_id}) & connected
