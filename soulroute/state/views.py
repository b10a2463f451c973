"""Typed rows the pages render: display-ready copies of domain rows, holding only what that viewer
may see (the domain query already applied row-level security). Times travel as ISO-8601 UTC strings
and are shown in the viewer's own time zone by the browser."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any, TypeVar

from soulroute.domain.rules import JOIN_OPENS_BEFORE
from soulroute.domain.schemas import AccessRow, EventRow, TicketFacts, TicketRow

CATEGORY_LABEL = {
    "anxiety": "Anxiety",
    "depression": "Depression",
    "stress": "Stress",
    "relationships": "Relationships",
    "academic": "Academic",
    "other": "Other",
}
URGENCY_LABEL = {"low": "Low", "medium": "Medium", "high": "High", "crisis": "Crisis"}
STATUS_LABEL = {
    "open": "Open",
    "claimed": "Claimed",
    "scheduled": "Scheduled",
    "completed": "Completed",
    "closed": "Closed",
}
MODE_LABEL = {"video": "Video", "audio": "Audio call", "chat": "Chat", "in-person": "In person"}


V = TypeVar("V", bound="TicketView")


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@dataclasses.dataclass
class TicketView:
    id: str = ""
    title: str = ""
    description: str = ""
    category: str = ""
    urgency: str = ""
    status: str = ""
    session_mode: str = ""
    counselor_name: str = ""
    student_name: str = ""
    created_at: str = ""
    updated_at: str = ""
    scheduled_time: str = ""
    session_end: str = ""
    join_opens_at: str = ""
    session_minutes: int = 50
    meeting_link: str = ""
    location: str = ""
    notes: str = ""
    close_reason: str = ""
    # Large cards in the irregular grid: crisis and high urgency take more room.
    wide: bool = False


def ticket_basics(row: TicketFacts) -> dict[str, str]:
    """The fields every display row of a ticket has (the board's card, the lists' views, the admin's rows):
    the id and the enum values as text, the creation time in ISO form."""
    return dict(
        id=str(row.id),
        title=row.title,
        category=row.category.value,
        urgency=row.urgency.value,
        status=row.status.value,
        session_mode=row.session_mode.value,
        created_at=iso(row.created_at),
    )


def ticket_view(row: TicketRow, view: type[V] = TicketView, **extra: Any) -> V:
    """The display copy of a ticket, as `view` (TicketView or a subclass, whose own fields, or a shorter
    description, come in `extra`)."""
    end = row.scheduled_time + timedelta(minutes=row.session_minutes) if row.scheduled_time else None
    fields = ticket_basics(row) | dict(
        description=row.description,
        counselor_name=row.counselor_name or "",
        student_name=row.student_name or "",
        updated_at=iso(row.updated_at),
        scheduled_time=iso(row.scheduled_time),
        session_end=iso(end),
        join_opens_at=iso(row.scheduled_time - JOIN_OPENS_BEFORE if row.scheduled_time else None),
        session_minutes=row.session_minutes,
        meeting_link=row.meeting_link or "",
        location=row.location or "",
        notes=row.notes,
        close_reason=row.close_reason or "",
        wide=row.urgency.value in ("crisis", "high"),
    )
    return view(**(fields | extra))


EVENT_VERB = {
    "created": "Opened",
    "claimed": "Claimed",
    "scheduled": "Session scheduled",
    "rescheduled": "Session rescheduled",
    "released": "Released back to the board",
    "completed": "Session completed",
    "closed": "Closed",
    "cancelled": "Cancelled",
    "reassigned": "Reassigned",
    "urgency_changed": "Urgency changed",
    "category_changed": "Category changed",
    "notes_updated": "Practical notes updated",
    "student_message": "Message from the counseling team",
}


@dataclasses.dataclass
class EventView:
    id: int = 0
    text: str = ""
    reason: str = ""
    message: str = ""  # what the student was told (an admin's message, 0025)
    at: str = ""
    kind: str = ""


def event_view(row: EventRow) -> EventView:
    """'Claimed by Dr. Lee' in plain words; the time is formatted by the browser."""
    verb = EVENT_VERB.get(row.kind, row.kind.replace("_", " ").capitalize())
    if row.kind == "urgency_changed":
        verb += (
            f" from {URGENCY_LABEL.get(row.detail.get('from'), '?')} to {URGENCY_LABEL.get(row.detail.get('to'), '?')}"
        )
    text = f"{verb} by {row.actor_name}" if row.actor_name else verb
    if row.kind == "student_message" and row.actor_name:
        text = f"Message from {row.actor_name}, counseling team"
    return EventView(
        id=row.id,
        text=text,
        reason=str(row.detail.get("reason") or ""),
        message=str(row.detail.get("message") or ""),
        at=iso(row.created_at),
        kind=row.kind,
    )


@dataclasses.dataclass
class AccessView:
    at: str = ""
    who: str = ""
    what: str = ""
    reason: str = ""
    noun: str = ""  # for the student: "your description", "your session notes", "your messages"


ACCESS_NOUN = {"description": "description", "session_notes": "session notes", "conversation": "messages"}
ACCESS_WHAT = {
    "description": "Description",
    "session_notes": "Session notes (break the glass)",
    "conversation": "Your messages (break the glass)",
}


def access_view(row: AccessRow, *, with_reason: bool = True) -> AccessView:
    """A recorded opening of a file. The student sees who, what and when; the reason is the staff's own record."""
    what = ACCESS_WHAT.get(row.what, row.what)
    reason = row.reason if with_reason else ""
    return AccessView(iso(row.at), row.accessor_name, what, reason, ACCESS_NOUN.get(row.what, row.what))


@dataclasses.dataclass
class NoteView:
    body: str = ""
    at: str = ""
