"""Which tabs connected to this process show what, so a change reaches exactly the pages it concerns.

Each tab's page registers here when it loads (on the process that holds the tab's websocket). This is a
routing cache for this process's own sockets, not data: after a restart or reconnect, tabs hydrate and
register again, and everything they show is re-read from PostgreSQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from soulroute.db.models import UserRole


@dataclass(frozen=True)
class Watcher:
    user_id: uuid.UUID
    role: UserRole
    state_cls: type  # the page's state class; its `refresh` handler re-reads through RLS
    ticket_id: str | None = None  # set by a single ticket's page


_by_token: dict[str, Watcher] = {}


def watch(token: str, watcher: Watcher) -> None:
    if token:
        _by_token[token] = watcher


def forget(token: str) -> None:
    _by_token.pop(token, None)


def current() -> dict[str, Watcher]:
    return dict(_by_token)


def concerned(watcher: Watcher, change: dict[str, Any]) -> bool:
    """Does this tab's page show something a ticket change touches? (Ids and status only.)"""
    ticket = str(change.get("ticket_id") or "")
    uid = str(watcher.user_id)
    if watcher.ticket_id is not None:
        return watcher.ticket_id == ticket
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


def bell_tabs_of(user_id: str, connected: set[str]) -> set[str]:
    """This process's connected tabs of that user (closed tabs are dropped from the map on the way)."""
    for gone in set(_bells) - connected:
        _bells.pop(gone, None)
    tokens = {t for t, u in _bells.items() if str(u) == user_id}
    return (tokens | {t for t, w in _by_token.items() if str(w.user_id) == user_id}) & connected
