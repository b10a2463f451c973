"""A user's notifications: read and marked read under their own identity, so row-level security (a user
sees and updates only their own rows, and only `read_at`) scopes every query, not just the WHERE clause."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import text

from soulroute.domain.errors import ValidationFailed
from soulroute.domain.kernel import transaction
from soulroute.domain.rules import Actor

LIST_LIMIT = 50


class NotificationRow(BaseModel):
    id: int
    ticket_id: uuid.UUID | None
    kind: str
    body: str
    created_at: datetime
    read_at: datetime | None


class Inbox(BaseModel):
    unread: int
    items: list[NotificationRow]
    unread_messages: int = 0  # of `unread`: conversations with a new message (one notification each)


class NotificationId(BaseModel):
    """A notification id from the browser: a positive integer, nothing else (no bools, no strings)."""

    model_config = ConfigDict(strict=True)
    notification_id: int = Field(gt=0, lt=2**63)

    @classmethod
    def parse(cls, value: object) -> int:
        try:
            return cls.model_validate({"notification_id": value}).notification_id
        except ValidationError as exc:
            raise ValidationFailed({"notification_id": "Unknown notification."}) from exc


_COLUMNS = "id, ticket_id, kind, body, created_at, read_at"
_UNREAD = (
    "select count(*), count(*) filter (where kind = 'message') from notifications"
    " where user_id = :me and read_at is null"
)


def unread_counts(actor: Actor) -> tuple[int, int]:
    """Unread notifications, and of those the conversations with a new message (for the navigation)."""
    with transaction(actor) as s:
        total, messages = s.execute(text(_UNREAD), {"me": actor.id}).one()
        return int(total), int(messages)


def unread_count(actor: Actor) -> int:
    return unread_counts(actor)[0]


def inbox(actor: Actor, limit: int = LIST_LIMIT) -> Inbox:
    """The unread count and the latest `limit` notifications, newest first."""
    with transaction(actor) as s:
        unread, messages = s.execute(text(_UNREAD), {"me": actor.id}).one()
        rows = s.execute(
            text(
                f"select {_COLUMNS} from notifications where user_id = :me"
                " order by created_at desc, id desc limit :limit"
            ),
            {"me": actor.id, "limit": max(1, min(limit, LIST_LIMIT))},
        ).mappings()
        items = [NotificationRow.model_validate(dict(r)) for r in rows]
        return Inbox(unread=int(unread), items=items, unread_messages=int(messages))


def get(actor: Actor, notification_id: object) -> NotificationRow | None:
    """One of the actor's own notifications, or None (someone else's is invisible under RLS)."""
    nid = NotificationId.parse(notification_id)
    with transaction(actor) as s:
        row = s.execute(text(f"select {_COLUMNS} from notifications where id = :id"), {"id": nid}).mappings().first()
    return NotificationRow.model_validate(dict(row)) if row else None


def mark_read(actor: Actor, notification_id: object) -> bool:
    """Marks one of the actor's notifications read; False if there is no such (visible, unread) one."""
    nid = NotificationId.parse(notification_id)
    with transaction(actor) as s:
        result = s.execute(
            text("update notifications set read_at = now() where id = :id and read_at is null"), {"id": nid}
        )
        return result.rowcount == 1


def mark_all_read(actor: Actor) -> int:
    with transaction(actor) as s:
        result = s.execute(
            text("update notifications set read_at = now() where user_id = :me and read_at is null"),
            {"me": actor.id},
        )
        return result.rowcount


def mark_ticket_read(actor: Actor, ticket_id: uuid.UUID, kind: str) -> int:
    """The actor's unread notifications of one kind about one ticket, marked read (they opened its page)."""
    with transaction(actor) as s:
        result = s.execute(
            text("update notifications set read_at = now() where ticket_id = :t and kind = :k and read_at is null"),
            {"t": ticket_id, "k": kind},
        )
        return result.rowcount
