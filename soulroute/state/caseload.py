"""My caseload: the tickets a counselor holds, and the actions on them (schedule and reschedule,
release with a reason, join, complete with private session notes, close).

Dates are entered as the browser's wall time (`datetime-local`) and converted here with the
browser's IANA time zone, then stored as timestamptz. The zone only says how to read what this
counselor typed; it grants nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from soulroute.db.models import SessionMode, TicketStatus, UserRole
from soulroute.domain import queries, rules, tickets
from soulroute.domain.errors import NotFound
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import TicketRow
from soulroute.state.kernel import FormDialog, LivePage, acts_as
from soulroute.state.session import SessionState, run_db
from soulroute.state.student_tickets import TicketPageState
from soulroute.state.views import TicketView, iso, ticket_view

MAX_TEXT = 20_000
# The dialogs the case's own page opens (its buttons call open_for_case).
OPENERS = {"schedule": "open_schedule", "release": "open_release", "complete": "open_complete"}
DEFAULT_MINUTES = 50


@dataclasses.dataclass
class CaseView(TicketView):
    joinable: bool = False
    complete_ready: bool = False
    complete_opens_at: str = ""  # ISO time from which Complete is possible (said on the card)
    join_url: str = ""
    ics_url: str = ""
    can_schedule: bool = False
    can_reschedule: bool = False
    can_release: bool = False
    can_complete: bool = False
    can_close: bool = False


def case_view(actor: rules.Actor, row: TicketRow, now: datetime) -> CaseView:
    actions = rules.ticket_actions(actor, status=row.status, student_id=row.student_id, counselor_id=row.counselor_id)
    chat = row.session_mode is SessionMode.CHAT
    started = row.scheduled_time is not None and now >= row.scheduled_time - rules.JOIN_OPENS_BEFORE
    return ticket_view(
        row,
        CaseView,
        joinable=rules.can_join(row.status, row.session_mode, row.scheduled_time, row.session_minutes, now),
        # Completing is for a session that has (at least nearly) begun: from the moment Join opens.
        complete_ready="complete" in actions and started,
        complete_opens_at=iso(row.scheduled_time - rules.JOIN_OPENS_BEFORE) if row.scheduled_time else "",
        join_url=f"/tickets/{row.id}#messages" if chat else (row.meeting_link or ""),
        ics_url=f"/calendar/{row.id}.ics" if row.status is TicketStatus.SCHEDULED else "",
        can_schedule="schedule" in actions,
        can_reschedule="reschedule" in actions,
        can_release="release" in actions,
        can_complete="complete" in actions,
        can_close="close" in actions,
    )


def parse_local(value: Any, zone: str) -> datetime | None:
    """'2026-03-01T14:30' in `zone` -> an aware datetime, or None if it is not a date and time."""
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value.strip(), fmt).replace(tzinfo=safe_zone(zone))
        except ValueError:
            continue
    return None


def safe_zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(name) if isinstance(name, str) and 0 < len(name) < 64 else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_input_value(moment: datetime, zone: str) -> str:
    return moment.astimezone(safe_zone(zone)).strftime("%Y-%m-%dT%H:%M")


def _text(form_data: Any, key: str) -> str:
    value = form_data.get(key, "") if isinstance(form_data, dict) else ""
    return value[:MAX_TEXT].strip() if isinstance(value, str) else ""


class CaseloadState(LivePage, FormDialog, SessionState):
    cases: list[CaseView] = []
    loaded: bool = False
    time_zone: str = "UTC"
    busy: str = ""  # the ticket an action is running on

    # The dialogs (FormDialog: schedule | release | complete). The domain re-checks the holder.
    dialog_title: str = ""
    dialog_mode: str = ""
    chat_link: str = ""
    rescheduling: bool = False
    start_default: str = ""
    minutes_default: str = str(DEFAULT_MINUTES)
    link_default: str = ""
    location_default: str = ""

    _rows: list[TicketRow] = []
    _pending_open: str = ""  # "release:<ticket id>": a dialog the case's page asked for, opened once the zone is known
    # Acting from the case's own page: that page shows the result and stays what this tab watches live.
    _from_case_page: bool = False

    # --- loading ---------------------------------------------------------------------------------

    @acts_as(UserRole.COUNSELOR)
    async def load(self, actor: Actor):
        self.dialog, self._pending_open, self._from_case_page = "", "", False
        yield rx.call_script("Intl.DateTimeFormat().resolvedOptions().timeZone", callback=CaseloadState.got_time_zone)
        yield await self._reload(actor)

    @rx.event
    def got_time_zone(self, zone: str):
        """The browser's IANA zone, used only to read and show this counselor's wall times. Then the dialog the
        case's page asked for opens (its handler checks the counselor and the ticket as always)."""
        self.time_zone = safe_zone(zone).key
        if self._pending_open:
            act, ticket = self._pending_open.split(":", 1)
            self._pending_open = ""
            return getattr(CaseloadState, OPENERS[act])(ticket)
        return None

    @acts_as(UserRole.COUNSELOR)
    async def open_for_case(self, actor: Actor, act: str, ticket_id: str):
        """From the case's own page: what My caseload does (a dialog, or closing), over a freshly read caseload."""
        if act not in OPENERS and act != "close":
            return None
        self._rows = await run_db(queries.list_caseload, actor)  # read, not watched: the page watches its ticket
        row = self._row(ticket_id)  # NotFound (a toast) if it is not theirs
        self._from_case_page = True
        if act == "close":
            return CaseloadState.close_ticket(str(row.id))
        self._pending_open = f"{act}:{row.id}"
        return rx.call_script("Intl.DateTimeFormat().resolvedOptions().timeZone", callback=CaseloadState.got_time_zone)

    @acts_as(UserRole.COUNSELOR)
    async def refresh(self, actor: Actor):
        """Re-query for the current user (live updates call this)."""
        return await self._reload(actor)

    @acts_as(UserRole.COUNSELOR)
    def tick(self, actor: Actor):
        """Join and Complete open at their time without a reload (no database work)."""
        now = datetime.now(UTC)
        self.cases = [case_view(actor, r, now) for r in self._rows]

    async def _reload(self, actor: Actor, _result: Any = None) -> None:
        await self._show_latest(actor)

    @classmethod
    def _live_read(cls, actor: Actor, view: None) -> list[TicketRow]:
        return queries.list_caseload(actor)

    def _live_show(self, actor: Actor, rows: list[TicketRow]) -> None:
        self._rows = rows
        now = datetime.now(UTC)
        self.cases = [case_view(actor, r, now) for r in rows]
        self.loaded = True

    def _row(self, ticket_id: Any) -> TicketRow:
        """One of this counselor's listed tickets, or a refusal."""
        try:
            tid = uuid.UUID(str(ticket_id))
        except ValueError:
            tid = None
        row = next((r for r in self._rows if r.id == tid), None)
        if row is None:
            raise NotFound("That ticket is not in your caseload.")
        return row

    # --- dialogs ---------------------------------------------------------------------------------

    def _open(self, kind: str, ticket_id: Any) -> TicketRow:
        row = self._row(ticket_id)
        self._open_dialog(kind, str(row.id))
        self.dialog_title, self.dialog_mode = row.title, row.session_mode.value
        self.chat_link = f"/tickets/{row.id}"
        return row

    @acts_as(UserRole.COUNSELOR)
    def open_schedule(self, actor: Actor, ticket_id: str):
        """Schedule or reschedule: the form starts from the current session, or tomorrow at 10:00."""
        row = self._open("schedule", ticket_id)
        self.rescheduling = row.status is TicketStatus.SCHEDULED
        zone = safe_zone(self.time_zone)
        if row.scheduled_time:
            start = row.scheduled_time
        else:
            start = (datetime.now(zone) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        self.start_default = local_input_value(start, self.time_zone)
        self.minutes_default = str(row.session_minutes or DEFAULT_MINUTES)
        self.location_default = row.location or ""
        # Video and audio: a fresh unguessable room, shown so the counselor can replace it.
        needs_link = row.session_mode in (SessionMode.VIDEO, SessionMode.AUDIO)
        self.link_default = (row.meeting_link or tickets.generate_meeting_link()) if needs_link else ""

    @acts_as(UserRole.COUNSELOR)
    def open_release(self, actor: Actor, ticket_id: str):
        self._open("release", ticket_id)

    @acts_as(UserRole.COUNSELOR)
    def open_complete(self, actor: Actor, ticket_id: str):
        self._open("complete", ticket_id)

    # --- actions ---------------------------------------------------------------------------------

    @acts_as(UserRole.COUNSELOR)
    async def submit_schedule(self, actor: Actor, form_data: dict):
        start = parse_local(_text(form_data, "start"), self.time_zone)
        minutes = _text(form_data, "session_minutes")
        errors = {}
        if start is None:
            errors["start"] = "Enter a date and time."
        if not minutes.isdigit():
            errors["session_minutes"] = "Session length must be a number of minutes."
        if errors:
            self._refuse(errors)
            return
        data = {
            "ticket_id": self._target,
            "start": start,
            "session_minutes": int(minutes),
            "meeting_link": _text(form_data, "meeting_link") or None,
            "location": _text(form_data, "location") or None,
            "reason": _text(form_data, "reason") or None,
        }
        verb = "rescheduled" if self.rescheduling else "scheduled"
        async for update in self._save(tickets.schedule_session, actor, data, f"Session {verb}.", self._after(actor)):
            yield update

    @acts_as(UserRole.COUNSELOR)
    async def submit_release(self, actor: Actor, form_data: dict):
        reason = _text(form_data, "reason")
        if len(reason) < 3:
            self._refuse({"reason": "Reason is required (a few words for the history)."})
            return
        data = {"ticket_id": self._target, "reason": reason}
        success = "Released: the ticket is back on the board."
        async for update in self._save(tickets.release_ticket, actor, data, success, self._after(actor)):
            yield update

    @acts_as(UserRole.COUNSELOR)
    async def submit_complete(self, actor: Actor, form_data: dict):
        row = self._row(self._target)
        if row.scheduled_time is None or datetime.now(UTC) < row.scheduled_time - rules.JOIN_OPENS_BEFORE:
            self._refuse({}, "A session can be completed once it has started.")
            return
        data = {"ticket_id": self._target, "session_notes": _text(form_data, "session_notes")}
        success = "Session completed; your notes are saved."
        async for update in self._save(tickets.complete_ticket, actor, data, success, self._after(actor)):
            yield update

    def _after(self, actor: Actor):
        return functools.partial(self._show_result, actor)

    async def _show_result(self, actor: Actor, _result: Any = None) -> Any:
        """After an action: the page it was taken on shows the change."""
        if self._from_case_page:
            return TicketPageState.refresh
        await self._reload(actor)
        return None

    @acts_as(UserRole.COUNSELOR)
    async def close_ticket(self, actor: Actor, ticket_id: str):
        """Close a completed ticket (the last step after the session notes)."""
        row = self._row(ticket_id)
        self.busy = str(row.id)
        yield
        try:
            await run_db(tickets.close_ticket, actor, {"ticket_id": row.id})
        finally:
            self.busy = ""
        yield rx.toast.success(f"Closed “{row.title}”.")
        yield await self._show_result(actor)
