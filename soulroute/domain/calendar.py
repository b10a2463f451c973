"""The .ics file of a scheduled session, for the student and the counselor of the ticket.

The file leaves the app and lands in calendars that sync to phones and other services, so it holds
no ticket content: a generic title, the time, and where to meet (link or place).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from soulroute.config import get_settings
from soulroute.db.models import SessionMode, TicketStatus
from soulroute.domain.errors import NotFound
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import TicketRow
from soulroute.domain.tickets import get_ticket

SUMMARY = "SoulRoute session"


def ticket_page_url(ticket_id: uuid.UUID | str, public_url: str | None = None) -> str:
    """Where a chat session happens: the ticket's own page."""
    base = (public_url or get_settings().public_url).rstrip("/")
    return f"{base}/tickets/{ticket_id}"


def meeting_place(ticket: TicketRow, public_url: str | None = None) -> str:
    """The link or the place of the session, whichever its mode uses."""
    if ticket.session_mode is SessionMode.IN_PERSON:
        return ticket.location or ""
    if ticket.session_mode is SessionMode.CHAT:
        return ticket_page_url(ticket.id, public_url)
    return ticket.meeting_link or ""


def session_ics(actor: Actor, ticket_id: uuid.UUID | str, *, public_url: str | None = None) -> bytes:
    """An iCalendar file for the session, or NotFound for anyone but the ticket's student and counselor
    (row-level security decides what `get_ticket` may read; the check below narrows it further)."""
    ticket = get_ticket(actor, ticket_id)
    if actor.id not in (ticket.student_id, ticket.counselor_id):
        raise NotFound()
    if ticket.status is not TicketStatus.SCHEDULED or ticket.scheduled_time is None:
        raise NotFound("This ticket has no scheduled session.")
    start = ticket.scheduled_time.astimezone(UTC)
    place = meeting_place(ticket, public_url)

    cal = Calendar()
    cal.add("prodid", "-//SoulRoute//Sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    # Stable per ticket, so a rescheduled download replaces the old entry in the calendar.
    event.add("uid", f"{ticket.id}@soulroute")
    event.add("dtstamp", datetime.now(UTC))
    event.add("last-modified", ticket.updated_at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=ticket.session_minutes))
    event.add("summary", SUMMARY)
    event.add("class", "PRIVATE")
    if place:
        event.add("location", place)
    if ticket.session_mode is not SessionMode.IN_PERSON and place:
        event.add("url", place)
        event.add("description", f"Join: {place}")
    cal.add_component(event)
    return cal.to_ical()


def ics_filename(ticket_id: uuid.UUID | str) -> str:
    return f"soulroute-session-{str(ticket_id)[:8]}.ics"
