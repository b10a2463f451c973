"""A ticket's conversation (issue 13): its student and the counselor holding it write to each other from the
claim until the ticket is closed. Who reads and who may write is the database's decision (row-level
security, 0026); the checks here only give a clear message first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlmodel import Session

from soulroute.db.models import TicketStatus, UserRole
from soulroute.domain.errors import NotPermitted
from soulroute.domain.kernel import fetch_ticket, require_role, transaction
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import DomainInput, Trimmed

MESSAGE_MAX = 2000  # ticket_message_body (0026) holds the same limit
OPEN_FOR_MESSAGES = frozenset({TicketStatus.CLAIMED, TicketStatus.SCHEDULED, TicketStatus.COMPLETED})
CLOSED_CONVERSATION = "This conversation is closed: the ticket has no counselor now, or it was closed."


class MessageInput(DomainInput):
    ticket_id: uuid.UUID
    body: Trimmed = Field(min_length=1, max_length=MESSAGE_MAX)


class MessageRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    author_id: uuid.UUID
    author_name: str
    body: str  # "" for a hidden message (except in an admin's recorded reading)
    created_at: datetime
    hidden: bool = False


# The text comes through ticket_message_texts (0026): none for a hidden message, whatever the query asks.
MESSAGES_SQL = """
    select m.id, m.author_id, u.display_name as author_name, coalesce(x.body, '') as body, m.created_at,
           m.hidden_at is not null as hidden
    from ticket_messages m join ticket_message_texts x on x.id = m.id join users u on u.id = m.author_id
    where m.ticket_id = :id order by m.id
"""


def messages_in(session: Session, ticket_id: uuid.UUID) -> list[MessageRow]:
    """The conversation as this caller may read it (nothing for anyone outside it, admins included)."""
    return [
        MessageRow.model_validate(dict(r)) for r in session.execute(text(MESSAGES_SQL), {"id": ticket_id}).mappings()
    ]


# Read receipts (0026): only forward, only your own row; the other one's marker says how far they have read.
READ_SQL = """
    insert into ticket_message_reads (ticket_id, user_id, last_read_id) values (:t, :me, :last)
    on conflict (ticket_id, user_id) do update set last_read_id = excluded.last_read_id, read_at = now()
    where ticket_message_reads.last_read_id < excluded.last_read_id
"""
OTHER_READ_SQL = (
    "select coalesce(max(last_read_id), 0) from ticket_message_reads where ticket_id = :t and user_id <> :me"
)


def read_through(session: Session, actor: Actor, ticket_id: uuid.UUID, rows: list[MessageRow]) -> int:
    """This participant has now seen the conversation up to its last message; how far has the other one read?"""
    if rows and actor.role is not UserRole.ADMIN:
        # A receipt is no record worth a disk flush on every page read: at worst a crash forgets one "Read".
        session.execute(text("set local synchronous_commit = off"))
        session.execute(text(READ_SQL), {"t": ticket_id, "me": actor.id, "last": rows[-1].id})
    return int(session.execute(text(OTHER_READ_SQL), {"t": ticket_id, "me": actor.id}).scalar() or 0)


def _require_open_conversation(session: Session, actor: Actor, ticket_id: uuid.UUID) -> None:
    """NotFound if the actor cannot see the ticket; NotPermitted unless they are in its open conversation (the
    database's policies say the same again)."""
    ticket = fetch_ticket(session, ticket_id)
    if ticket.status not in OPEN_FOR_MESSAGES or actor.id not in (ticket.student_id, ticket.counselor_id):
        raise NotPermitted(CLOSED_CONVERSATION)


def post_message(actor: Actor, data: MessageInput | dict[str, Any]) -> MessageRow:
    """Write to the ticket's conversation as yourself; the other person gets a notification without the text."""
    require_role(actor, UserRole.STUDENT, UserRole.COUNSELOR)
    data = data if isinstance(data, MessageInput) else MessageInput.parse(data)
    with transaction(actor) as session:
        _require_open_conversation(session, actor, data.ticket_id)
        row = session.execute(
            text(
                "insert into ticket_messages (ticket_id, author_id, body) values (:t, :me, :body)"
                " returning id, created_at"
            ),
            {"t": data.ticket_id, "me": actor.id, "body": data.body},
        ).one()
        return MessageRow(id=row.id, author_id=actor.id, author_name="", body=data.body, created_at=row.created_at)


TYPING_SQL = """
    select pg_notify('soulroute_tickets', json_build_object(
        'kind', 'typing', 'ticket_id', t.id, 'status', t.status, 'old_status', t.status,
        'student_id', t.student_id, 'counselor_id', t.counselor_id, 'old_counselor_id', t.counselor_id,
        'typist_id', cast(:me as text), 'typist_name', cast(:name as text))::text)
    from support_tickets t where t.id = :t
"""


def announce_typing(actor: Actor, ticket_id: uuid.UUID) -> None:
    """Tell the other one's open page that this participant is writing (no text: only who, on which ticket)."""
    require_role(actor, UserRole.STUDENT, UserRole.COUNSELOR)
    with transaction(actor) as session:
        _require_open_conversation(session, actor, ticket_id)
        session.execute(text(TYPING_SQL), {"t": ticket_id, "me": str(actor.id), "name": actor.display_name})
