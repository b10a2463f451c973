"""/admin/tickets/<id>: one ticket's audit view: its facts, history, every recorded opening of its
description or session notes, the admin actions (dialogs of AdminState), and the two recorded
"open" steps, each with a reason."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import reflex as rx

from soulroute.db.models import UserRole
from soulroute.domain import admin, admin_accounts
from soulroute.domain.errors import DomainError, NotFound
from soulroute.domain.rules import Actor
from soulroute.state.admin import AdminState, text_of
from soulroute.state.admin_views import AdminRowView, admin_row_view
from soulroute.state.conversation import MessageView, message_view
from soulroute.state.kernel import acts_as, field_messages
from soulroute.state.session import run_db
from soulroute.state.views import AccessView, EventView, NoteView, access_view, event_view, iso


class AdminTicketState(AdminState):
    ticket: AdminRowView = AdminRowView()
    history: list[EventView] = []
    accesses: list[AccessView] = []
    found: bool = False
    ticket_loaded: bool = False
    description: str = ""
    notes: list[NoteView] = []
    conversation: list[MessageView] = []
    conversation_opened: bool = False
    reveal: str = ""  # "description" | "notes" | "conversation" | "hide" | "": the reason dialog that is open
    _hide_id: int = 0  # the message the "hide" dialog is for (one of the conversation read with a reason)
    reveal_error: str = ""

    def _ticket_id(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]

    @acts_as(UserRole.ADMIN)
    async def load_ticket(self, actor: Actor):
        self._watch(actor, ticket_id=self._ticket_id())
        self.description, self.notes, self.reveal, self.dialog = "", [], "", ""
        self.conversation, self.conversation_opened = [], False
        await self._load(actor)

    @acts_as(UserRole.ADMIN)
    async def refresh(self, actor: Actor):
        await self._load(actor)

    async def _load(self, actor: Actor) -> None:
        try:
            row = await run_db(admin.get_row, actor, self._ticket_id())
            events, accesses = await run_db(admin_accounts.ticket_audit, actor, row.id)
        except NotFound:
            self.found, self.ticket_loaded = False, True
            return
        dashboard = await self.get_state(AdminState)  # the action dialogs' state keeps the row
        dashboard._known = {str(row.id): row}
        self.ticket = admin_row_view(actor, row, datetime.now(UTC))
        self.history = [event_view(e) for e in events]
        self.accesses = [access_view(a) for a in accesses]
        self.found = self.ticket_loaded = True

    @acts_as(UserRole.ADMIN)
    def ask_reveal(self, actor: Actor, what: str):
        self.reveal = what if what in ("description", "notes", "conversation") else ""
        self.reveal_error = ""

    @acts_as(UserRole.ADMIN)
    def ask_hide(self, actor: Actor, message_id: int):
        """Hide one message of the conversation this admin has opened (the database re-checks the role)."""
        shown = next((m for m in self.conversation if m.id == message_id and not m.hidden), None)
        if shown is not None:
            self._hide_id, self.reveal, self.reveal_error = shown.id, "hide", ""

    async def _hide(self, actor: Actor, reason: str) -> rx.event.EventSpec:
        await run_db(admin_accounts.hide_message, actor, {"message_id": self._hide_id, "reason": reason})
        hidden = self._hide_id
        self.conversation = [dataclasses.replace(m, hidden=m.hidden or m.id == hidden) for m in self.conversation]
        self.reveal = ""
        return rx.toast.success("Hidden from the student and the counselor; kept for the record with your reason.")

    @rx.event
    def reveal_changed(self, is_open: bool):
        if is_open is not True:
            self.reveal = ""

    @acts_as(UserRole.ADMIN)
    async def submit_reveal(self, actor: Actor, form_data: dict):
        """Open the description, or (break the glass) the session notes or the conversation: each recorded with
        the reason first."""
        data = {"ticket_id": self.ticket.id, "reason": text_of(form_data, "reason")}
        try:
            if self.reveal == "description":
                self.description = await run_db(admin_accounts.open_description, actor, data)
            elif self.reveal == "notes":
                notes = await run_db(admin_accounts.read_session_notes, actor, data)
                self.notes = [NoteView(n.body, iso(n.created_at)) for n in notes]
                if not notes:
                    yield rx.toast.info("This ticket has no session notes.")
            elif self.reveal == "hide":
                yield await self._hide(actor, data["reason"])
                return
            elif self.reveal == "conversation":
                rows = await run_db(admin_accounts.read_conversation, actor, data)
                self.conversation = [message_view(actor, r) for r in rows]
                self.conversation_opened = True
            else:
                return
        except DomainError as exc:
            errors, message = field_messages(exc)
            self.reveal_error = errors.get("reason", message or exc.message)
            return
        self.reveal = ""
        yield rx.toast.success("Opened; your access is recorded in the ticket's audit trail.")
        await self._load(actor)
