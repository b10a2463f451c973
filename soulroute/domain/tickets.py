"""Ticket operations. Each runs in one transaction under the caller's identity (row-level security
applies), validates its input with the models in `schemas`, and raises a specific DomainError for
every refusal. The database enforces the same rules again."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from soulroute.config import get_settings
from soulroute.db.models import SessionMode, TicketStatus, UserRole
from soulroute.domain import rules
from soulroute.domain.errors import (
    AlreadyClaimed,
    DomainError,
    NotFound,
    NotPermitted,
    OverCapacity,
    OverlappingSession,
    TimeBeyondHorizon,
    TimeInPast,
    ValidationFailed,
    horizon_message,
)
from soulroute.domain.kernel import (
    fetch_ticket,
    require_action,
    require_role,
    transaction,
)
from soulroute.domain.schemas import (
    CompleteInput,
    ReasonInput,
    ScheduleInput,
    TicketCreate,
    TicketRow,
    parse_id,
    require_location,
)

# --- reading -------------------------------------------------------------------------------------


def get_ticket(actor: rules.Actor, ticket_id: uuid.UUID | str) -> TicketRow:
    """One ticket the actor may see; NotFound for a missing one and for one they may not see alike."""
    tid = parse_id(ticket_id)
    with transaction(actor) as session:
        return fetch_ticket(session, tid)


# --- writing -------------------------------------------------------------------------------------


def create_ticket(actor: rules.Actor, data: TicketCreate | dict[str, Any]) -> TicketRow:
    """A student opens a ticket. With an idempotency key, a resend returns the first ticket."""
    require_role(actor, UserRole.STUDENT)
    data = data if isinstance(data, TicketCreate) else TicketCreate.parse(data)
    with transaction(actor) as session:
        new_id = session.execute(
            text(
                """
                insert into support_tickets
                    (student_id, title, description, category, urgency, session_mode, idempotency_key)
                values (:me, :title, :description, :category, :urgency, :mode, :key)
                on conflict (student_id, idempotency_key) do nothing
                returning id
                """
            ),
            {
                "me": actor.id,
                "title": data.title,
                "description": data.description,
                "category": data.category.value,
                "urgency": data.urgency.value,
                "mode": data.session_mode.value,
                "key": data.idempotency_key,
            },
        ).scalar()
        if new_id is None:  # the same submission arrived before
            new_id = session.execute(
                text("select id from support_tickets where student_id = :me and idempotency_key = :key"),
                {"me": actor.id, "key": data.idempotency_key},
            ).scalar_one()
        return fetch_ticket(session, new_id)


def claim_ticket(actor: rules.Actor, ticket_id: uuid.UUID | str) -> TicketRow:
    """Atomic: of concurrent claims exactly one wins; the others learn who got it."""
    require_role(actor, UserRole.COUNSELOR)
    tid = ReasonInput.parse({"ticket_id": ticket_id}).ticket_id
    with transaction(actor) as session:
        claimed = session.execute(
            text(
                "update support_tickets set status = 'claimed', counselor_id = :me "
                "where id = :id and status = 'open' returning id"
            ),
            {"me": actor.id, "id": tid},
        ).scalar()
        if claimed is None:
            holder = session.execute(text("select ticket_holder_name(:id)"), {"id": tid}).scalar()
            if holder:
                raise AlreadyClaimed(holder)
            raise NotFound("This ticket is no longer on your board.")
        return fetch_ticket(session, tid)


def generate_meeting_link(base_url: str | None = None) -> str:
    """An unguessable room under MEETING_BASE_URL (128 random bits)."""
    base = (base_url or get_settings().meeting_base_url).rstrip("/")
    return f"{base}/SoulRoute-{secrets.token_urlsafe(16)}"


def schedule_session(
    actor: rules.Actor, data: ScheduleInput | dict[str, Any], *, now: Callable[[], datetime] | None = None
) -> TicketRow:
    """Schedule (or reschedule) the session of a ticket the counselor holds."""
    require_role(actor, UserRole.COUNSELOR, UserRole.ADMIN)
    data = data if isinstance(data, ScheduleInput) else ScheduleInput.parse(data)
    current = (now or (lambda: datetime.now(UTC)))()
    if data.start <= current:
        raise TimeInPast()
    horizon_days = get_settings().session_booking_horizon_days
    if data.start > current + timedelta(days=horizon_days):  # the database checks its own horizon too
        raise TimeBeyondHorizon(horizon_message(horizon_days))
    with transaction(actor, reason=data.reason) as session:
        ticket = fetch_ticket(session, data.ticket_id)
        action = "reschedule" if ticket.status is TicketStatus.SCHEDULED else "schedule"
        if actor.role is UserRole.COUNSELOR:
            require_action(actor, ticket, action, "Only a ticket you hold can be scheduled.")
        require_location(data, ticket.session_mode)
        link = data.meeting_link
        if ticket.session_mode in (SessionMode.VIDEO, SessionMode.AUDIO):
            link = link or ticket.meeting_link or generate_meeting_link()
        else:
            link = None  # chat happens on the ticket's page; in-person has a place instead
        location = data.location if ticket.session_mode is SessionMode.IN_PERSON else None
        _check_overlap(session, ticket, data)
        session.execute(
            text(
                """
                update support_tickets
                set status = 'scheduled', scheduled_time = :start, session_minutes = :minutes,
                    meeting_link = :link, location = :location, notes = coalesce(:notes, notes)
                where id = :id
                """
            ),
            {
                "start": data.start,
                "minutes": data.session_minutes,
                "link": link,
                "location": location,
                "notes": data.notes,
                "id": data.ticket_id,
            },
        )
        return fetch_ticket(session, data.ticket_id)


def _check_overlap(session: Session, ticket: TicketRow, data: ScheduleInput) -> None:
    """A clear message naming the clashing session; the exclusion constraint is the real guard."""
    clash = session.execute(
        text(
            """
            select scheduled_time from support_tickets
            where counselor_id = :counselor and status = 'scheduled' and id <> :id
              and tstzrange(scheduled_time, scheduled_end) && tstzrange(:start, :start + make_interval(mins => :m))
            order by scheduled_time limit 1
            """
        ),
        {"counselor": ticket.counselor_id, "id": ticket.id, "start": data.start, "m": data.session_minutes},
    ).scalar()
    if clash is not None:
        raise OverlappingSession(
            f"This overlaps your session at {clash.astimezone(data.start.tzinfo):%H:%M} on "
            f"{clash.astimezone(data.start.tzinfo):%d %b}. Choose another time."
        )


def release_ticket(actor: rules.Actor, data: ReasonInput | dict[str, Any]) -> TicketRow:
    """Back to the board, with a required reason recorded in the history."""
    data = data if isinstance(data, ReasonInput) else ReasonInput.parse(data)
    if not data.reason or len(data.reason) < 3:
        raise ValidationFailed({"reason": "Reason is required (a few words for the history)."})
    with transaction(actor, reason=data.reason) as session:
        ticket = fetch_ticket(session, data.ticket_id)
        require_action(actor, ticket, "release", "Only a claimed or scheduled ticket can be released.")
        session.execute(
            text("update support_tickets set status = 'open', counselor_id = null where id = :id"),
            {"id": data.ticket_id},
        )
        return fetch_ticket(session, data.ticket_id)


def complete_ticket(actor: rules.Actor, data: CompleteInput | dict[str, Any]) -> TicketRow:
    """Marks the session held and files the private session notes, in one transaction."""
    require_role(actor, UserRole.COUNSELOR)
    data = data if isinstance(data, CompleteInput) else CompleteInput.parse(data)
    with transaction(actor) as session:
        ticket = fetch_ticket(session, data.ticket_id)
        require_action(actor, ticket, "complete", "Only a scheduled session you hold can be completed.")
        session.execute(text("update support_tickets set status = 'completed' where id = :id"), {"id": ticket.id})
        session.execute(
            text("insert into session_notes (ticket_id, author_id, body) values (:id, :me, :body)"),
            {"id": ticket.id, "me": actor.id, "body": data.session_notes},
        )
        return fetch_ticket(session, ticket.id)


def close_ticket(actor: rules.Actor, data: ReasonInput | dict[str, Any]) -> TicketRow:
    """Student: cancel their own ticket. Counselor: close a completed one. Admin: close with a reason."""
    data = data if isinstance(data, ReasonInput) else ReasonInput.parse(data)
    if actor.role is UserRole.ADMIN and not data.reason:
        raise ValidationFailed({"reason": "Reason is required for an admin action."})
    with transaction(actor, reason=data.reason) as session:
        ticket = fetch_ticket(session, data.ticket_id)
        action = "cancel" if actor.role is UserRole.STUDENT else "close"
        require_action(actor, ticket, action, "This ticket cannot be closed now.")
        session.execute(
            text("update support_tickets set status = 'closed', close_reason = :reason where id = :id"),
            {"reason": data.reason, "id": ticket.id},
        )
        return fetch_ticket(session, ticket.id)


def counselor_workload(actor: rules.Actor) -> tuple[int, int]:
    """(active tickets, capacity) of the signed-in counselor."""
    require_role(actor, UserRole.COUNSELOR)
    with transaction(actor) as session:
        row = session.execute(
            text(
                """
                select (select count(*) from support_tickets
                        where counselor_id = :me and status in ('claimed', 'scheduled')) as active,
                       p.capacity
                from counselor_profiles p where p.user_id = :me
                """
            ),
            {"me": actor.id},
        ).first()
    if row is None:
        raise NotPermitted("Your counselor profile is missing; ask an admin.")
    return int(row.active), int(row.capacity)


__all__ = [
    "DomainError",
    "OverCapacity",
    "claim_ticket",
    "close_ticket",
    "complete_ticket",
    "counselor_workload",
    "create_ticket",
    "generate_meeting_link",
    "get_ticket",
    "release_ticket",
    "schedule_session",
    "transaction",
]
