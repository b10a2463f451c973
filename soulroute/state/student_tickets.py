"""A student's ticket list and a ticket's own page.

Each state has one `refresh` handler that re-reads everything through the normal, row-level-security
checked domain functions for whoever is signed in: the live-update mechanism (issue 7) only has to
call it. Rows stay backend-only (`_rows`, `_row`); the page gets display copies.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from soulroute.db.models import TicketStatus, TicketUrgency, UserRole
from soulroute.domain import rules
from soulroute.domain.errors import DomainError, NotFound
from soulroute.domain.messages import OPEN_FOR_MESSAGES, announce_typing
from soulroute.domain.queries import (
    TicketConversation,
    TicketPage,
    list_student_tickets,
    ticket_conversation,
    ticket_page,
)
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import ReasonInput, TicketRow
from soulroute.domain.tickets import close_ticket
from soulroute.state.conversation import Conversation
from soulroute.state.kernel import LivePage, PartRead, acts_as
from soulroute.state.notifications import NotificationsState
from soulroute.state.session import SessionState, run_db
from soulroute.state.views import (
    AccessView,
    EventView,
    NoteView,
    TicketView,
    access_view,
    event_view,
    iso,
    ticket_view,
)

STATUS_FILTERS = ("", *(s.value for s in TicketStatus))
LOAD_FAILED = "We could not load your tickets just now. Please try again in a moment."


def joinable(row: TicketRow, now: datetime | None = None) -> bool:
    return rules.can_join(row.status, row.session_mode, row.scheduled_time, row.session_minutes, now or _now())


def _now() -> datetime:
    return datetime.now(UTC)


def cancel_input(ticket_id: object, form_data: object) -> ReasonInput:
    """The cancel form's input, validated (raises ValidationFailed on anything forged)."""
    reason = form_data.get("reason") if isinstance(form_data, dict) else None
    if isinstance(reason, str):
        reason = reason.strip() or None
    return ReasonInput.parse({"ticket_id": ticket_id, "reason": reason})


@dataclasses.dataclass
class CaseActions:
    """What the counselor holding the ticket can do from its page (the dialogs are My caseload's)."""

    schedule: str = ""  # "Schedule session", "Reschedule" or "" (not now)
    complete: bool = False
    release: bool = False
    close: bool = False


def case_actions(row: TicketRow, actions: set[str]) -> CaseActions:
    started = row.scheduled_time is not None and _now() >= row.scheduled_time - rules.JOIN_OPENS_BEFORE
    schedule = "Schedule session" if "schedule" in actions else "Reschedule" if "reschedule" in actions else ""
    return CaseActions(schedule, "complete" in actions and started, "release" in actions, "close" in actions)


class CancelDialog(rx.State, mixin=True):
    """The student's "cancel this ticket" confirmation (list and ticket page alike)."""

    cancel_open: bool = False
    cancel_error: str = ""
    cancelling: bool = False

    @rx.event
    def dismiss_cancel(self, open_: bool = False):
        if not open_ and not self.cancelling:
            self.cancel_open = False

    async def _cancel(self, actor: Actor, ticket_id: Any, form_data: Any) -> AsyncIterator[Any]:
        """Close the student's own ticket with the reason given; the dialog closes only on success."""
        self.cancelling, self.cancel_error = True, ""
        yield
        try:
            await run_db(close_ticket, actor, cancel_input(ticket_id, form_data))
        except DomainError as exc:
            self.cancel_error = exc.message
            return
        finally:
            self.cancelling = False
        self.cancel_open = False
        yield rx.toast.success("Your ticket was cancelled.")


class MyTicketsState(LivePage, CancelDialog, SessionState):
    tickets: list[TicketView] = []
    joinable_ids: list[str] = []
    status_filter: str = ""
    loaded: bool = False
    load_error: str = ""
    # The cancel dialog (CancelDialog: one per page, for the ticket the student picked).
    cancel_title: str = ""
    _cancel_id: str = ""
    _rows: list[TicketRow] = []

    @acts_as(UserRole.STUDENT)
    async def load(self, actor: Actor):
        self.cancel_open = False
        await self._reload(actor)

    @acts_as(UserRole.STUDENT)
    async def refresh(self, actor: Actor):
        """Re-read the list (also what live updates call)."""
        await self._reload(actor)

    async def _reload(self, actor: Actor) -> None:
        try:
            await self._show_latest(actor)
        except DomainError as exc:
            self.load_error = exc.message or LOAD_FAILED
            self.loaded = True

    def _live_view(self) -> str:
        return self.status_filter

    @classmethod
    def _live_read(cls, actor: Actor, view: str) -> list[TicketRow]:
        return list_student_tickets(actor, view or None)

    def _live_show(self, actor: Actor, rows: list[TicketRow]) -> None:
        self._rows = rows
        self.tickets = [ticket_view(r) for r in rows]
        self.load_error = ""
        self.loaded = True
        self._update_join()

    def _update_join(self) -> None:
        now = _now()
        self.joinable_ids = [str(r.id) for r in self._rows if joinable(r, now)]

    @rx.event
    def tick(self):
        """Every half minute: Join opens 10 minutes before the start and closes at the end."""
        self._update_join()

    @acts_as(UserRole.STUDENT)
    async def filter_status(self, actor: Actor, value: str):
        self.status_filter = value if value in STATUS_FILTERS else ""
        await self._reload(actor)

    @rx.event
    def ask_cancel(self, ticket_id: str):
        """Open the confirmation for one of the student's own listed tickets."""
        row = next((r for r in self._rows if str(r.id) == ticket_id), None)
        if row is None:
            return
        self._cancel_id, self.cancel_title = str(row.id), row.title
        self.cancel_error, self.cancel_open = "", True

    @acts_as(UserRole.STUDENT)
    async def confirm_cancel(self, actor: Actor, form_data: dict):
        async for update in self._cancel(actor, self._cancel_id, form_data):
            yield update
        if not self.cancel_open:
            await self._reload(actor)


@dataclasses.dataclass(frozen=True)
class ConversationPart(PartRead):
    conversation: TicketConversation


@dataclasses.dataclass(frozen=True)
class TypingPart(PartRead):
    name: str


class TicketPageState(LivePage, CancelDialog, Conversation, SessionState):
    ticket: TicketView = TicketView()
    events: list[EventView] = []
    accesses: list[AccessView] = []  # the student's own ticket only: who opened their file, and when
    loaded: bool = False
    found: bool = False
    load_error: str = ""
    can_cancel: bool = False
    can_join: bool = False
    is_student: bool = False
    just_created: bool = False
    notes: list[NoteView] = []  # the counselor's own session notes (only their author can read them)
    case: CaseActions = CaseActions()  # the holder's next steps, on the page itself
    _row: TicketRow | None = None

    def _ticket_id_from_url(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]

    @acts_as()
    async def load(self, actor: Actor):
        # Reset first: client-side navigation from another ticket must not show the previous one.
        self.loaded, self.found, self._row = False, False, None
        self.ticket, self.events, self.accesses, self.notes, self.cancel_open = TicketView(), [], [], [], False
        self.just_created = self.router.url.query_parameters.get("created") == "1"
        self.messages, self.message_error, self.after_hours = [], "", False
        yield
        yield await self._reload(actor)
        if self.found and self._row is not None and actor.role is not UserRole.ADMIN:
            await self._seen(actor, self._row.id)
            yield NotificationsState.load_count

    @acts_as()
    async def refresh(self, actor: Actor):
        """Re-read the ticket and its history (also what live updates call)."""
        return await self._reload(actor)

    async def _reload(self, actor: Actor) -> rx.event.EventSpec | None:
        if actor.role is UserRole.ADMIN:
            # Admins open tickets in the audited view, where reading the description is logged.
            return rx.redirect(f"/admin/tickets/{self._live_view()}", replace=True)
        try:
            await self._show_latest(actor)
        except NotFound:
            self.found, self.loaded, self.load_error = False, True, ""
        except DomainError as exc:
            self.load_error, self.loaded = exc.message, True
        return None

    def _live_view(self) -> str:
        """Always the id in the address, never a value the client sent: re-checked by the database."""
        try:
            return str(uuid.UUID(str(self._row.id if self._row else self._ticket_id_from_url())))
        except ValueError:
            return ""

    def _live_ticket(self, view: str) -> str:
        return view

    @classmethod
    def _live_read(cls, actor: Actor, view: str) -> TicketPage:
        return ticket_page(actor, view)

    @classmethod
    def _live_read_for(cls, actor: Actor, view: str, change: dict[str, Any] | None) -> Any:
        """A message or read receipt changes the conversation only: read that alone. Typing reads nothing."""
        kind = (change or {}).get("kind")
        if kind == "typing":
            return TypingPart(str(change.get("typist_name") or "The other person"))
        if kind == "message":
            return ConversationPart(ticket_conversation(actor, view))
        return cls._live_read(actor, view)

    def _live_show(self, actor: Actor, page: TicketPage | ConversationPart | TypingPart) -> None:
        if isinstance(page, TypingPart):
            self._show_typing(page.name)
            return
        if isinstance(page, ConversationPart):
            part = page.conversation
            shown = self.has_conversation or bool(part.messages)
            self._show_messages(actor, part.messages, part.other_read_up_to, open_now=self.can_write, shown=shown)
            return
        row = page.ticket
        self._row, self.found, self.loaded, self.load_error = row, True, True, ""
        self.ticket = ticket_view(row)
        self.events = [event_view(e) for e in reversed(page.history)]  # newest first
        self.accesses = [access_view(a, with_reason=False) for a in page.accesses]
        self.notes = [NoteView(n.body, iso(n.created_at)) for n in page.notes]
        actions = rules.ticket_actions(
            actor, status=row.status, student_id=row.student_id, counselor_id=row.counselor_id
        )
        self.can_cancel = "cancel" in actions
        self.case = case_actions(row, actions) if actor.role is UserRole.COUNSELOR else CaseActions()
        self.is_student = actor.role is UserRole.STUDENT
        self.can_join = self.is_student and joinable(row)
        talking = actor.role is not UserRole.ADMIN and actor.id in (row.student_id, row.counselor_id)
        open_now = talking and row.status in OPEN_FOR_MESSAGES
        self._show_chat_session(row)
        shown = open_now or bool(page.messages)
        self._show_messages(actor, page.messages, page.other_read_up_to, open_now=open_now, shown=shown)

    @acts_as(UserRole.STUDENT, UserRole.COUNSELOR)
    async def send_message(self, actor: Actor, form_data: dict):
        """Write to this ticket's conversation (the ticket is the page's own, never one the browser names)."""
        if self._row is None:
            return
        crisis = self._row.urgency is TicketUrgency.CRISIS
        async for update in self._send(actor, self._row.id, form_data, crisis=crisis):
            yield update
        if not self.message_error:
            await self._show_latest(actor)

    @acts_as(UserRole.STUDENT, UserRole.COUNSELOR)
    async def typing_now(self, actor: Actor, text: str):
        """The box changed (at most one call per 3 s): the other one sees that this participant is writing."""
        if self._row is None or not self.can_write or not isinstance(text, str) or not text.strip():
            return
        try:
            await run_db(announce_typing, actor, self._row.id)
        except DomainError:
            return  # the conversation closed meanwhile: the next read says so

    @rx.event
    def tick(self):
        if self._row is not None:
            self.can_join = self.is_student and joinable(self._row)
            self._show_chat_session(self._row)

    @rx.event
    def ask_cancel(self):
        if self.can_cancel:
            self.cancel_error, self.cancel_open = "", True

    @acts_as(UserRole.STUDENT)
    async def confirm_cancel(self, actor: Actor, form_data: dict):
        if self._row is None:
            return
        async for update in self._cancel(actor, self._row.id, form_data):
            yield update
        if not self.cancel_open:
            self.just_created = False
            yield await self._reload(actor)
