"""The new-ticket form. The draft lives in the browser's sessionStorage (the student's own words in
their own tab), so a reload or a failed save loses nothing; it is cleared once the ticket is saved.

sessionStorage rather than localStorage: it survives reloads but not closing the tab, which matters
for text this sensitive on shared campus computers. The idempotency key belongs to the draft, so a
double click or a resend after a dropped connection finds the ticket the first submit created.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import reflex as rx

from soulroute.db.models import UserRole
from soulroute.domain.errors import DomainError, ValidationFailed
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import DESCRIPTION_MAX, TITLE_MAX, TicketCreate
from soulroute.domain.tickets import create_ticket
from soulroute.state.kernel import acts_as
from soulroute.state.session import SessionState, run_db

log = logging.getLogger(__name__)

FIELDS = ("title", "description", "category", "urgency", "session_mode")
# What the browser may keep per field: far longer than the rules allow, so an oversized paste is kept
# whole (nothing typed is lost) and gets the model's "at most N characters; you have M" message, yet
# bounded so a forged event cannot bloat the state (a websocket message is capped anyway).
KEEP_CHARS = {"title": 20_000, "description": 40_000, "category": 40, "urgency": 40}
KEEP_CHARS["session_mode"] = 40
MAX_CHARS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX}
SAVE_FAILED = "We could not save your ticket just now. Nothing you wrote is lost; please try again in a moment."


def draft_errors(values: dict[str, Any], only: set[str] | None = None) -> dict[str, str]:
    """The domain model's messages for `values` (limited to the fields in `only`)."""
    try:
        # An empty field is left out, so the model says "X is required." rather than "too short".
        TicketCreate.parse({k: values[k] for k in FIELDS if values.get(k)})
    except ValidationFailed as exc:
        return {k: v for k, v in exc.errors.items() if only is None or k in only}
    return {}


def clip(field: Any, value: Any) -> tuple[str, str] | None:
    """(field, value) if `field` is one of the form's and `value` a string, cut to a sane size."""
    if not isinstance(field, str) or field not in FIELDS or not isinstance(value, str):
        return None
    return field, value[: KEEP_CHARS[field]]


class NewTicketState(SessionState):
    # The draft, mirrored into sessionStorage by Reflex. The client controls these: they are only
    # ever the student's own input and are validated before use.
    draft_title: str = rx.SessionStorage("", name="soulroute.draft.title")
    draft_description: str = rx.SessionStorage("", name="soulroute.draft.description")
    draft_category: str = rx.SessionStorage("", name="soulroute.draft.category")
    draft_urgency: str = rx.SessionStorage("", name="soulroute.draft.urgency")
    draft_session_mode: str = rx.SessionStorage("", name="soulroute.draft.session_mode")
    draft_key: str = rx.SessionStorage("", name="soulroute.draft.key")
    # Whose draft it is: a tab signed out and into another account must not show the last one's text.
    draft_owner: str = rx.SessionStorage("", name="soulroute.draft.owner")

    errors: dict[str, str] = {}
    form_error: str = ""
    submitting: bool = False
    # The form mounts once the draft is restored and checked (its radios read their value at mount).
    ready: bool = False
    _touched: set[str] = set()

    def _values(self) -> dict[str, str]:
        return {f: getattr(self, f"draft_{f}") for f in FIELDS}

    def _clear_draft(self) -> None:
        for f in FIELDS:
            setattr(self, f"draft_{f}", "")
        self.draft_key = str(uuid.uuid4())

    def _revalidate(self) -> None:
        self.errors = draft_errors(self._values(), self._touched)

    def _refused(self, exc: DomainError) -> rx.event.EventSpec:
        """Also when the student could not even be identified (the database out of reach): the text stays."""
        self.form_error, self.submitting = f"{exc.message} Your text is kept here.", False
        return rx.toast.error("Nothing was sent; your text is kept here.")

    @acts_as(UserRole.STUDENT)
    def load(self, actor: Actor):
        if self.draft_owner != str(actor.id):
            self._clear_draft()
            self.draft_owner = str(actor.id)
        try:
            uuid.UUID(self.draft_key)
        except ValueError:
            self.draft_key = str(uuid.uuid4())
        self.errors, self.form_error, self.submitting = {}, "", False
        self._touched = set()
        self.ready = True

    @rx.event
    def edit(self, field: str, value: str):
        """Typing or choosing: keep the value; once a field was left or submitted, check it live."""
        clipped = clip(field, value)
        if clipped is None:
            return
        setattr(self, f"draft_{clipped[0]}", clipped[1])
        if field in ("category", "urgency", "session_mode") or len(clipped[1]) > MAX_CHARS.get(field, len(clipped[1])):
            self._touched = self._touched | {field}  # a choice, or too long: say so at once
        self._revalidate()

    @rx.event
    def leave(self, field: str):
        """A field lost focus: from now on its errors show (not while someone is still typing it)."""
        if isinstance(field, str) and field in FIELDS and getattr(self, f"draft_{field}"):
            self._touched = self._touched | {field}
            self._revalidate()

    @acts_as(UserRole.STUDENT)
    async def submit(self, actor: Actor, _form_data: dict | None = None):
        """Validate with the domain model, then save once (idempotency key) and open the ticket."""
        if self.submitting:
            return  # a second click while the first is on its way (or already saved)
        self._touched = set(FIELDS)
        self.form_error = ""
        values = self._values()
        self.errors = draft_errors(values)
        if self.errors:
            self.form_error = "Please correct the highlighted fields."
            return
        self.submitting = True
        yield
        try:
            data = TicketCreate.parse({**values, "idempotency_key": self.draft_key})
            row = await run_db(create_ticket, actor, data)
        except ValidationFailed as exc:  # e.g. the key was tampered with
            self.errors, self.form_error, self.submitting = exc.errors, "Please correct the highlighted fields.", False
            return
        except DomainError as exc:
            yield self._refused(exc)
            return
        except Exception:  # a crash must never lose the text: log it, tell the student, keep the draft
            log.exception("saving a ticket failed")
            self.form_error, self.submitting = SAVE_FAILED, False
            yield rx.toast.error("Your ticket was not saved yet.")
            return
        self._clear_draft()
        # `submitting` stays true until the next page load so a queued second click does nothing.
        yield rx.toast.success("Your ticket was sent.")
        yield rx.redirect(f"/tickets/{row.id}?created=1")
