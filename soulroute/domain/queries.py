"""Role-appropriate ticket lists. SQL filters, orders and pages; each role's main query is served by
an index named in the schema, with row-level security applied as a filter on it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from soulroute.db.models import TicketStatus, UserRole
from soulroute.domain.errors import NotPermitted
from soulroute.domain.kernel import (
    DESCRIPTION_SQL,
    TICKET_COLUMNS,
    TICKET_JOINS,
    fetch_ticket,
    require_role,
    transaction,
)
from soulroute.domain.messages import MessageRow, messages_in, read_through
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import (
    MODES_OFFERED,
    AccessRow,
    BoardCursor,
    BoardFilters,
    EventRow,
    TicketRow,
    parse_id,
)

BOARD_PAGE = 50
EXCERPT_CHARS = 240
BOARD_COLUMNS = (
    TICKET_COLUMNS.replace(
        f"coalesce({DESCRIPTION_SQL}, '') as description",
        f"coalesce(left({DESCRIPTION_SQL}, {EXCERPT_CHARS}), '') as description",
    )
    .replace("c.display_name as counselor_name", "null as counselor_name")
    .replace("s.display_name as student_name", "null as student_name")
)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Whether the ticket's session mode is one this counselor offers (their profile's session_modes): shown on
# each row, and the "Modes I offer" filter. One read of the profile (an InitPlan). Not an ordering: ranking
# by it within an urgency cost the board its ordered index scan (every crisis row read and sorted, p95
# 1.2 ms -> 5 ms at 100,000 tickets).
MODE_OFFERED_SQL = (
    "coalesce(t.session_mode = any(cast((select p.session_modes from counselor_profiles p where p.user_id = :me)"
    " as session_mode[])), false)"
)


def _board_query(f: BoardFilters, after: BoardCursor | None, limit: int, me: uuid.UUID) -> tuple[str, dict[str, Any]]:
    where = ["t.status = 'open'"]
    params: dict[str, Any] = {"limit": max(1, min(limit, 200)), "me": me}
    if f.category:
        where.append("t.category = :category")
        params["category"] = f.category.value
    if f.urgency:
        where.append("t.urgency = :urgency")
        params["urgency"] = f.urgency.value
    if f.session_mode == MODES_OFFERED:
        where.append(MODE_OFFERED_SQL)
    elif f.session_mode:
        where.append("t.session_mode = :mode")
        params["mode"] = f.session_mode.value
    if f.search:
        where.append(f"(t.title || ' ' || coalesce({DESCRIPTION_SQL}, '')) ilike :pattern")
        params["pattern"] = _like_pattern(f.search)
    if after is not None:
        where.append(
            "(t.urgency < cast(:cu as ticket_urgency) or (t.urgency = cast(:cu as ticket_urgency)"
            " and (t.created_at, t.id) > (:cc, :ci)))"
        )
        params |= {"cu": after.urgency.value, "cc": after.created_at, "ci": after.id}
    # No joins: an open ticket has no counselor, and the board shows no student name (privacy).
    sql = f"""
        select {BOARD_COLUMNS}, {MODE_OFFERED_SQL} as mode_offered
        from support_tickets t
        where {" and ".join(where)}
        order by t.urgency desc, t.created_at, t.id
        limit :limit
    """
    return sql, params


def _filters(filters: BoardFilters | dict[str, Any] | None) -> BoardFilters:
    return filters if isinstance(filters, BoardFilters) else BoardFilters.parse(filters or {})


def list_board(
    actor: Actor,
    filters: BoardFilters | dict[str, Any] | None = None,
    after: BoardCursor | None = None,
    limit: int = BOARD_PAGE,
) -> list[TicketRow]:
    """Open tickets this counselor may see: crisis first, then urgency, then oldest (keyset pages)."""
    require_role(actor, UserRole.COUNSELOR, UserRole.ADMIN)
    sql, params = _board_query(_filters(filters), after, limit, actor.id)
    with transaction(actor) as session:
        return [TicketRow.model_validate(dict(r)) for r in session.execute(text(sql), params).mappings()]


@dataclass(frozen=True)
class BoardPage:
    rows: list[TicketRow]
    active: int
    capacity: int
    accepting_new: bool


def board_page(
    actor: Actor, filters: BoardFilters | dict[str, Any] | None = None, limit: int = BOARD_PAGE
) -> BoardPage:
    """The board's first page with the counselor's own workload and profile switches: what a board
    event needs, read in one transaction (it used to take three, each its own round trips)."""
    require_role(actor, UserRole.COUNSELOR)
    sql, params = _board_query(_filters(filters), None, limit, actor.id)
    me = """
        select p.capacity, p.accepting_new,
               (select count(*) from support_tickets
                where counselor_id = :me and status in ('claimed', 'scheduled')) as active
        from counselor_profiles p where p.user_id = :me
    """
    with transaction(actor) as session:
        rows = [TicketRow.model_validate(dict(r)) for r in session.execute(text(sql), params).mappings()]
        own = session.execute(text(me), {"me": actor.id}).first()
    if own is None:
        raise NotPermitted("Your counselor profile is missing; ask an admin.")
    return BoardPage(rows, int(own.active), int(own.capacity), bool(own.accepting_new))


def board_cursor(rows: list[TicketRow]) -> BoardCursor | None:
    if not rows:
        return None
    last = rows[-1]
    return BoardCursor(urgency=last.urgency, created_at=last.created_at, id=last.id)


def list_student_tickets(actor: Actor, status: TicketStatus | str | None = None) -> list[TicketRow]:
    """The student's own tickets: active ones on top, newest first."""
    require_role(actor, UserRole.STUDENT)
    params: dict[str, Any] = {"me": actor.id}
    extra = ""
    if status:
        params["status"] = TicketStatus(status).value
        extra = "and t.status = cast(:status as ticket_status)"
    sql = f"""
        select {TICKET_COLUMNS} {TICKET_JOINS}
        where t.student_id = :me {extra}
        order by t.status in ('completed', 'closed'), t.created_at desc
        limit 500
    """
    with transaction(actor) as session:
        return [TicketRow.model_validate(dict(r)) for r in session.execute(text(sql), params).mappings()]


def list_caseload(actor: Actor) -> list[TicketRow]:
    """Tickets the counselor holds (and completed ones still to close), next session first."""
    require_role(actor, UserRole.COUNSELOR)
    sql = f"""
        select {TICKET_COLUMNS} {TICKET_JOINS}
        where t.counselor_id = :me and t.status in ('claimed', 'scheduled', 'completed')
        order by t.status = 'completed', t.scheduled_time nulls last, t.claimed_at
    """
    with transaction(actor) as session:
        return [TicketRow.model_validate(dict(r)) for r in session.execute(text(sql), {"me": actor.id}).mappings()]


# Details come through ticket_event_details (0024): a staff member's reason is not the student's to read.
HISTORY_SQL = """
    select e.id, e.kind, u.display_name as actor_name, u.role as actor_role, e.from_status, e.to_status,
           coalesce(d.detail, '{}'::jsonb) as detail, e.created_at
    from ticket_events e left join users u on u.id = e.actor_id
    left join ticket_event_details d on d.id = e.id
    where e.ticket_id = :id
    order by e.created_at, e.id
"""
# Row-level security shows the access log to admins and to the ticket's own student (FERPA: a student may
# see who opened their record); anyone else gets no rows.
ACCESS_SQL = """
    select r.created_at as at, u.display_name as accessor_name, r.what, r.reason
    from record_access_log r join users u on u.id = r.accessor_id
    where r.ticket_id = :id order by r.created_at desc, r.id desc
"""


def history_in(session: Session, ticket_id: uuid.UUID) -> list[EventRow]:
    return [EventRow.model_validate(dict(r)) for r in session.execute(text(HISTORY_SQL), {"id": ticket_id}).mappings()]


def accesses_in(session: Session, ticket_id: uuid.UUID) -> list[AccessRow]:
    return [AccessRow.model_validate(dict(r)) for r in session.execute(text(ACCESS_SQL), {"id": ticket_id}).mappings()]


def ticket_history(actor: Actor, ticket_id: uuid.UUID) -> list[EventRow]:
    """The ticket's history, oldest first, with the actors' display names."""
    with transaction(actor) as session:
        return history_in(session, ticket_id)


def access_log(actor: Actor, ticket_id: uuid.UUID) -> list[AccessRow]:
    """Every recorded opening of the ticket's description or session notes, newest first (see ACCESS_SQL)."""
    with transaction(actor) as session:
        return accesses_in(session, ticket_id)


@dataclass(frozen=True)
class SessionNote:
    body: str
    created_at: datetime


@dataclass(frozen=True)
class TicketPage:
    ticket: TicketRow
    history: list[EventRow]
    accesses: list[AccessRow]  # the student's own ticket only; empty for anyone else
    notes: list[SessionNote]  # the counselor's own session notes on it (row-level security: the author only)
    messages: list[MessageRow]  # its conversation, for its student and its holder (nobody else reads it)
    other_read_up_to: int = 0  # the last message id the other one has read (read receipts)


# Session notes are readable by their author only (admins: read_session_notes_as_admin, recorded).
NOTES_SQL = "select body, created_at from session_notes where ticket_id = :id order by created_at, id"


@dataclass(frozen=True)
class TicketConversation:
    messages: list[MessageRow]
    other_read_up_to: int


def ticket_conversation(actor: Actor, ticket_id: uuid.UUID | str) -> TicketConversation:
    """A ticket's conversation alone (what a new message or read receipt changes on its page)."""
    tid = parse_id(ticket_id)
    with transaction(actor) as session:
        return _conversation_in(session, actor, tid)


def _conversation_in(session: Session, actor: Actor, tid: uuid.UUID) -> TicketConversation:
    """Admins read none here (only through read_conversation_as_admin, recorded); reading marks it read."""
    messages = messages_in(session, tid) if actor.role is not UserRole.ADMIN else []
    return TicketConversation(messages, read_through(session, actor, tid, messages) if messages else 0)


def ticket_page(actor: Actor, ticket_id: uuid.UUID | str) -> TicketPage:
    """A ticket's own page, read in one transaction: the ticket (NotFound if this actor may not see it),
    its history, and for its student who opened their file."""
    tid = parse_id(ticket_id)
    with transaction(actor) as session:
        row = fetch_ticket(session, tid)
        accesses = accesses_in(session, tid) if actor.role is UserRole.STUDENT else []
        notes = []
        if actor.role is UserRole.COUNSELOR:
            notes = [SessionNote(r.body, r.created_at) for r in session.execute(text(NOTES_SQL), {"id": tid})]
        talk = _conversation_in(session, actor, tid)
        return TicketPage(row, history_in(session, tid), accesses, notes, talk.messages, talk.other_read_up_to)
