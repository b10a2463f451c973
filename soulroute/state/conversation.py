"""The conversation piece of a ticket's page (issue 13): its messages, read with the page (so the live
registry shows a new one in the other person's tabs as it shows any change), and sending one.

What was typed stays in the box when the message is refused; it is cleared only once the message is saved."""

from __future__ import annotations

import dataclasses
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from soulroute.config import get_settings
from soulroute.db.models import SessionMode, UserRole
from soulroute.domain import messages, rules
from soulroute.domain.errors import DomainError, ValidationFailed
from soulroute.domain.messages import MessageRow
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import TicketRow
from soulroute.hours import is_open
from soulroute.notify import inbox
from soulroute.state.session import run_db
from soulroute.state.views import iso

COMPOSER_ID = "field-body"
TYPING_SHOWN_S = 6  # "is writing…" stays this long after the last keystroke announced (one per 3 s at most)


@dataclasses.dataclass
class MessageView:
    id: int = 0
    author: str = ""
    mine: bool = False
    body: str = ""
    at: str = ""
    receipt: str = ""  # on your own last message: "Read" once the other one has seen it, else "Sent"
    hidden: bool = False  # hidden by an admin with a reason: its text is gone for the two


def message_view(actor: Actor, row: MessageRow) -> MessageView:
    mine = row.author_id == actor.id
    author = "You" if mine else row.author_name
    return MessageView(row.id, author, mine, row.body, iso(row.created_at), hidden=row.hidden)


def message_views(actor: Actor, rows: list[MessageRow], other_read_up_to: int) -> list[MessageView]:
    views = [message_view(actor, r) for r in rows]
    last_mine = next((v for v in reversed(views) if v.mine), None)
    if last_mine is not None:
        last_mine.receipt = "Read" if last_mine.id <= other_read_up_to else "Sent"
    return views


class Conversation(rx.State, mixin=True):
    messages: list[MessageView] = []
    can_write: bool = False  # the ticket's student or holder, while the conversation is open
    has_conversation: bool = False  # shown at all (student or counselor, once someone holds the ticket)
    message_error: str = ""
    sending: bool = False
    after_hours: bool = False  # a student just wrote while the center is closed: said at once, with help
    # A chat-mode session in its time (from 10 minutes before the start to its end): the conversation is it.
    chat_session_live: bool = False
    chat_session_start: str = ""
    chat_session_end: str = ""
    typing: str = ""  # "Dr. Lee is writing…" while the other one types (no text travels, only that)
    _typing_since: float = 0.0

    def _show_typing(self, name: str) -> None:
        self.typing, self._typing_since = f"{name} is writing…", time.monotonic()

    @rx.event
    def fade_typing(self):
        """Every few seconds while shown: gone once nobody has typed for TYPING_SHOWN_S."""
        if self.typing and time.monotonic() - self._typing_since >= TYPING_SHOWN_S:
            self.typing = ""

    def _show_messages(self, actor: Actor, rows: list[MessageRow], read: int, *, open_now: bool, shown: bool) -> None:
        self.messages = message_views(actor, rows, read)
        self.typing = ""  # a message arrived (or the page was read): whoever typed has sent it
        self.can_write, self.has_conversation = open_now, shown

    def _show_chat_session(self, row: TicketRow) -> None:
        start = row.scheduled_time
        live = row.session_mode is SessionMode.CHAT and start is not None
        live = live and rules.can_join(row.status, row.session_mode, start, row.session_minutes, datetime.now(UTC))
        self.chat_session_live = live
        self.chat_session_start = iso(start) if live else ""
        self.chat_session_end = iso(start + timedelta(minutes=row.session_minutes)) if live and start else ""

    async def _send(self, actor: Actor, ticket_id: uuid.UUID, form_data: Any, *, crisis: bool):
        """Save the message, then clear the box and show it (yields updates for the handler to pass on). A
        student writing outside the center's hours is told so at once (not on a crisis ticket: the on-call
        counselors watch those around the clock)."""
        body = form_data.get("body") if isinstance(form_data, dict) else None
        self.sending, self.message_error = True, ""
        yield
        try:
            await run_db(messages.post_message, actor, {"ticket_id": ticket_id, "body": body})
        except ValidationFailed as exc:
            self.message_error = exc.errors.get("body") or "; ".join(exc.errors.values())
            return
        except DomainError as exc:
            self.message_error = exc.message
            return
        finally:
            self.sending = False
        settings = get_settings()
        closed = not is_open(datetime.now(UTC), settings.counseling_hours, settings.center_time_zone)
        self.after_hours = actor.role is UserRole.STUDENT and not crisis and closed
        yield rx.set_value(COMPOSER_ID, "")

    @staticmethod
    async def _seen(actor: Actor, ticket_id: uuid.UUID) -> None:
        """Opening the page reads the conversation: its unread message notifications are done with."""
        await run_db(inbox.mark_ticket_read, actor, ticket_id, "message")
