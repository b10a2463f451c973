"""The domain's kernel: one transaction under the caller's identity (database refusals become
DomainErrors), role checks, and "fetch this ticket for this action". Every domain module builds on these
instead of writing its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from soulroute.db.models import TicketStatus, UserRole
from soulroute.db.session import as_user
from soulroute.db.session import with_snapshot as with_snapshot  # for the state layer's live pages
from soulroute.domain import rules
from soulroute.domain.errors import IllegalTransition, NotFound, NotPermitted, translate_db_error
from soulroute.domain.schemas import TicketRow

# Descriptions come through the view ticket_descriptions (migration 0012): the student's and the
# eligible counselors' own; an admin gets "" here and opens one through open_ticket_description().
DESCRIPTION_SQL = "(select d.description from ticket_descriptions d where d.id = t.id)"
TICKET_COLUMNS = f"""
    t.id, t.title, coalesce({DESCRIPTION_SQL}, '') as description, t.category, t.urgency, t.status,
    t.session_mode, t.student_id,
    t.counselor_id, t.scheduled_time, t.session_minutes, t.meeting_link, t.location, t.notes,
    t.close_reason, t.created_at, t.updated_at, t.claimed_at,
    c.display_name as counselor_name, s.display_name as student_name
"""
# Names come through the users table's own policies: a student sees staff names, a counselor the
# names of students whose tickets they hold.
TICKET_JOINS = """
    from support_tickets t
    left join users c on c.id = t.counselor_id
    left join users s on s.id = t.student_id
"""


@contextmanager
def transaction(actor: rules.Actor | uuid.UUID, reason: str | None = None) -> Iterator[Session]:
    """as_user() that turns database refusals into DomainErrors (nothing is written on error)."""
    user_id = actor.id if isinstance(actor, rules.Actor) else actor
    try:
        with as_user(user_id, reason=reason) as session:
            yield session
    except DBAPIError as exc:
        mapped = translate_db_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


def ticket_row(mapping: Any) -> TicketRow:
    return TicketRow.model_validate(dict(mapping))


def fetch_ticket(session: Session, ticket_id: uuid.UUID) -> TicketRow:
    """The ticket as the caller may see it (row-level security), or NotFound."""
    row = (
        session.execute(text(f"select {TICKET_COLUMNS} {TICKET_JOINS} where t.id = :id"), {"id": ticket_id})
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound()
    return ticket_row(row)


def require_role(actor: rules.Actor, *roles: UserRole) -> None:
    if actor.role not in roles:
        raise NotPermitted("You are not allowed to do that.")


def require_action(actor: rules.Actor, ticket: TicketRow, action: str, refusal: str) -> None:
    """The rules' answer for this actor and ticket (the database checks the same again)."""
    allowed = rules.ticket_actions(
        actor, status=ticket.status, student_id=ticket.student_id, counselor_id=ticket.counselor_id
    )
    if action not in allowed:
        raise IllegalTransition(refusal)


def ticket_for_action(session: Session, actor: rules.Actor, ticket_id: uuid.UUID, action: str, refusal: str) -> Any:
    """The ticket's id, status and people, locked for the rest of the transaction, if the rules let this
    actor take `action` on it ("reassign" also covers assigning an unclaimed ticket); else a DomainError."""
    row = (
        session.execute(
            text("select id, status, student_id, counselor_id from support_tickets where id = :id for update"),
            {"id": ticket_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound()
    allowed = rules.ticket_actions(
        actor, status=TicketStatus(row["status"]), student_id=row["student_id"], counselor_id=row["counselor_id"]
    )
    wanted = {action} if action != "reassign" else {"reassign", "assign"}
    if not wanted & allowed:
        raise IllegalTransition(refusal)
    return row
