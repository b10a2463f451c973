"""Who may do what to a ticket, in one place. The UI asks these to show or disable actions; the
domain checks them before writing; the database enforces the same rules again by itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from soulroute.db.models import SessionMode, TicketStatus, UserRole

S = TicketStatus

# Mirrors app_ticket_transition_is_legal() in the schema.
LEGAL_TRANSITIONS: frozenset[tuple[TicketStatus, TicketStatus]] = frozenset(
    {
        (S.OPEN, S.OPEN), (S.OPEN, S.CLAIMED), (S.OPEN, S.CLOSED),
        (S.CLAIMED, S.CLAIMED), (S.CLAIMED, S.SCHEDULED), (S.CLAIMED, S.OPEN), (S.CLAIMED, S.CLOSED),
        (S.SCHEDULED, S.SCHEDULED), (S.SCHEDULED, S.COMPLETED), (S.SCHEDULED, S.OPEN), (S.SCHEDULED, S.CLOSED),
        (S.COMPLETED, S.CLOSED),
    }
)  # fmt: skip

ACTIVE_STATUSES = frozenset({S.CLAIMED, S.SCHEDULED})
CANCELLABLE_STATUSES = frozenset({S.OPEN, S.CLAIMED, S.SCHEDULED})
JOIN_OPENS_BEFORE = timedelta(minutes=10)


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the server knows them (from the server-side session, never the client)."""

    id: uuid.UUID
    role: UserRole
    display_name: str = ""


def can_join(status: TicketStatus, mode: SessionMode, start: datetime | None, minutes: int, now: datetime) -> bool:
    """Join opens 10 minutes before the start and stays open until the session's end."""
    if status is not S.SCHEDULED or mode is SessionMode.IN_PERSON or start is None:
        return False
    return start - JOIN_OPENS_BEFORE <= now <= start + timedelta(minutes=minutes)


def ticket_actions(
    actor: Actor,
    *,
    status: TicketStatus,
    student_id: uuid.UUID,
    counselor_id: uuid.UUID | None,
) -> frozenset[str]:
    """The actions `actor` may take on a ticket in this state."""
    actions: set[str] = set()
    if actor.role is UserRole.STUDENT and student_id == actor.id:
        if status in CANCELLABLE_STATUSES:
            actions.add("cancel")
    elif actor.role is UserRole.COUNSELOR:
        if status is S.OPEN:
            actions.add("claim")
        elif counselor_id == actor.id:
            if status is S.CLAIMED:
                actions |= {"schedule", "release"}
            elif status is S.SCHEDULED:
                actions |= {"reschedule", "release", "complete"}
            elif status is S.COMPLETED:
                actions.add("close")
    elif actor.role is UserRole.ADMIN:
        if status is not S.CLOSED:
            actions |= {"change_urgency", "close"}
        if status in ACTIVE_STATUSES:
            actions |= {"reassign", "release"}
        if status is S.OPEN:
            actions.add("assign")
    return frozenset(actions)
