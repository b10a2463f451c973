"""/admin: headline figures, the crisis queue, the all-tickets table (server-side filters, sort and
pages), CSV export, and the admin actions with their required reason.

Every handler derives the admin from the server-side session and validates what the browser sent
(filters with TicketFilters, actions with the domain's pydantic inputs); the database enforces
the same again (RLS, the write guard, capacity)."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from soulroute.db.models import TicketCategory, TicketUrgency, UserRole
from soulroute.domain import admin, admin_accounts
from soulroute.domain.admin import AdminTicketRow
from soulroute.domain.rules import Actor
from soulroute.state.admin_views import AdminRowView, Option, admin_row_view
from soulroute.state.caseload import safe_zone
from soulroute.state.filtered_list import ANY, FilteredList
from soulroute.state.kernel import FormDialog, acts_as
from soulroute.state.session import SessionState, run_db
from soulroute.state.views import CATEGORY_LABEL

FILTERS = ("status", "category", "urgency", "session_mode", "counselor_id")
ACTIONS = {
    "reassign": (admin.reassign, "Ticket reassigned."),
    "urgency": (admin.change_urgency, "Urgency changed."),
    "release": (admin.release, "Released: the ticket is back on the board."),
    "close": (admin.close, "Ticket closed."),
}
MAX_TEXT = 2_000


def text_of(form_data: Any, key: str) -> str:
    value = form_data.get(key, "") if isinstance(form_data, dict) else ""
    return value[:MAX_TEXT].strip() if isinstance(value, str) else ""


class AdminState(FilteredList, FormDialog, SessionState):
    # Headline figures.
    open_tickets: int = 0
    open_crisis: int = 0
    oldest_crisis_at: str = ""
    stale_claims: int = 0
    sessions_today: int = 0
    queue: list[AdminRowView] = []
    # All tickets: the controls' values; what the query uses is validated into `_filters`.
    rows: list[AdminRowView] = []
    total: int = 0
    total_capped: bool = False
    page: int = 1
    page_size: int = 50
    sort: str = "created_desc"
    status: str = ANY
    category: str = ANY
    urgency: str = ANY
    session_mode: str = ANY
    counselor_id: str = ANY
    created_from: str = ""
    created_to: str = ""
    search: str = ""
    counselors: list[Option] = []
    loaded: bool = False
    loading: bool = False
    time_zone: str = "UTC"
    # The action dialog (FormDialog: reassign | urgency | release | close | export); the domain re-checks.
    dialog_title: str = ""
    dialog_urgency: str = ""
    message_preview: str = ""  # what the student will read, as the admin types it
    free_counselors: list[Option] = []

    FILTER_MODEL = admin.TicketFilters
    URL_KEYS = {
        "status": "status", "category": "category", "urgency": "urgency", "session_mode": "mode",
        "counselor_id": "counselor", "created_from": "from", "created_to": "to", "search": "q", "sort": "sort",
        "page": "page", "page_size": "size",
    }  # fmt: skip
    LIST_PATH = "/admin"
    SELECTS = FILTERS
    _filters: admin.TicketFilters = admin.TicketFilters()
    _known: dict[str, Any] = {}

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @rx.var
    def filtered(self) -> bool:
        selects = (self.status, self.category, self.urgency, self.session_mode, self.counselor_id)
        return any(v != ANY for v in selects) or bool(self.search or self.created_from or self.created_to)

    # --- loading ---------------------------------------------------------------------------------

    @acts_as(UserRole.ADMIN)
    async def load(self, actor: Actor):
        self._watch(actor)
        self.dialog = ""
        self._filters_from_address()
        yield rx.call_script("Intl.DateTimeFormat().resolvedOptions().timeZone", callback=AdminState.got_time_zone)
        await self._reload(actor, with_counselors=True)
        # The text boxes are uncontrolled: show what the address asked for.
        yield [rx.set_value(f"admin-{name}", getattr(self, name)) for name in ("search", "created_from", "created_to")]

    @acts_as(UserRole.ADMIN)
    async def got_time_zone(self, actor: Actor, zone: str):
        """The browser's zone: only says which day is "today" for this admin."""
        self.time_zone = safe_zone(zone).key
        await self._reload_figures(actor)

    @acts_as(UserRole.ADMIN)
    async def refresh(self, actor: Actor):
        """Re-query everything shown (live updates and the periodic tick call this)."""
        await self._reload(actor)

    async def _reload_figures(self, actor: Actor) -> None:
        zone = safe_zone(self.time_zone)
        start = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=1, hours=2)).replace(hour=0)  # one calendar day, also across DST
        f = await run_db(admin.dashboard_figures, actor, start, end)
        queue = await run_db(admin.crisis_queue, actor)
        self.open_tickets, self.open_crisis, self.stale_claims = f.open_tickets, f.open_crisis, f.stale_claims
        self.sessions_today = f.sessions_today
        self.oldest_crisis_at = f.oldest_crisis_at.isoformat() if f.oldest_crisis_at else ""
        now = datetime.now(UTC)
        self.queue = [admin_row_view(actor, r, now) for r in queue]
        self._known |= {str(r.id): r for r in queue}

    async def _reload_table(self, actor: Actor) -> None:
        self.loading = True
        try:
            page = await run_db(admin.list_all_tickets, actor, self._filters)
        finally:
            self.loading = False
        now = datetime.now(UTC)
        self.rows = [admin_row_view(actor, r, now) for r in page.rows]
        self._known |= {str(r.id): r for r in page.rows}
        self.total, self.total_capped = page.total, page.total_capped
        self.loaded = True

    async def _reload(self, actor: Actor, _result: Any = None, *, with_counselors: bool = False) -> None:
        self._known = {}
        if with_counselors:
            people = await run_db(admin_accounts.list_counselors, actor)
            self.counselors = [Option(str(c.id), c.display_name) for c in people]
        await self._reload_figures(actor)
        await self._reload_table(actor)

    # --- the table's controls --------------------------------------------------------------------

    def _validate(self, values: dict[str, Any]) -> admin.TicketFilters:
        return admin.parse_filters(values)

    async def _requery(self, actor: Actor, changes: dict[str, Any]) -> rx.event.EventSpec | None:
        if not self._refilter(changes):
            return None
        await self._reload_table(actor)
        return self._keep_in_address()

    @acts_as(UserRole.ADMIN)
    async def filter_by(self, actor: Actor, name: str, value: str):
        if name not in (*FILTERS, "sort", "page_size"):
            return rx.toast.error("Unknown filter.")
        page_size = int(value) if name == "page_size" and str(value).isdigit() else value
        return await self._requery(actor, {name: page_size, "page": 1})

    @acts_as(UserRole.ADMIN)
    async def search_for(self, actor: Actor, form_data: dict):
        changes = {k: text_of(form_data, k) for k in ("search", "created_from", "created_to")}
        return await self._requery(actor, changes | {"page": 1})

    @acts_as(UserRole.ADMIN)
    async def clear_filters(self, actor: Actor):
        cleared = dict.fromkeys(FILTERS, ANY) | {"created_from": "", "created_to": "", "search": "", "page": 1}
        return [await self._requery(actor, cleared), rx.set_value("admin-search", "")]

    @acts_as(UserRole.ADMIN)
    async def go_to_page(self, actor: Actor, page: int):
        if isinstance(page, str) and page.isdigit():
            page = int(page)
        target = page if isinstance(page, int) and not isinstance(page, bool) else 1
        return await self._requery(actor, {"page": max(1, min(target, self.page_count))})

    # --- actions ---------------------------------------------------------------------------------

    @acts_as(UserRole.ADMIN)
    async def open_action(self, actor: Actor, kind: str, ticket_id: str):
        row = self._known.get(str(ticket_id)) if kind in ACTIONS else None
        if row is None:
            return rx.toast.error("That ticket is not shown here any more; refresh the page.")
        self._open_dialog(kind, str(row.id))
        self.dialog_title, self.dialog_urgency, self.free_counselors = row.title, row.urgency.value, []
        self.message_preview = ""
        if kind == "reassign":
            free = await run_db(admin_accounts.list_counselors, actor, only_free=True)
            self.free_counselors = reassign_options(row, free)
        return None

    @acts_as(UserRole.ADMIN)
    def preview_message(self, actor: Actor, text: str):
        """The dialog's preview of the message to the student, as it will be stored (trimmed, cut at the limit)."""
        if isinstance(text, str):
            self.message_preview = text.strip()[: admin.STUDENT_MESSAGE_MAX]

    @acts_as(UserRole.ADMIN)
    async def submit_action(self, actor: Actor, form_data: dict):
        if self.dialog not in ACTIONS:
            return
        fn, success = ACTIONS[self.dialog]
        data: dict[str, Any] = {
            "ticket_id": self._target,
            "reason": text_of(form_data, "reason"),
            "student_message": text_of(form_data, "student_message") or None,
        }
        if self.dialog == "reassign":
            data["counselor_id"] = text_of(form_data, "counselor_id") or None
        elif self.dialog == "urgency":
            data["urgency"] = text_of(form_data, "urgency") or None
        async for update in self._save(fn, actor, data, success, functools.partial(self._after_action, actor)):
            yield update

    async def _after_action(self, actor: Actor, _result: Any = None) -> None:
        if not (self.router.url.path or "").startswith("/admin/tickets/"):
            await self._reload(actor)  # the ticket's own page watches it: its live update refreshes it

    # --- export ----------------------------------------------------------------------------------

    @acts_as(UserRole.ADMIN)
    def open_export(self, actor: Actor):
        self._open_dialog("export")

    @acts_as(UserRole.ADMIN)
    async def submit_export(self, actor: Actor, form_data: dict):
        """The current filter (all pages) as a CSV download; descriptions only when asked, with a
        reason, each recorded in the access log."""
        with_descriptions = isinstance(form_data, dict) and form_data.get("descriptions") in ("on", True, "true")
        export = functools.partial(
            admin.export_csv, include_descriptions=with_descriptions, reason=text_of(form_data, "reason")
        )
        async for update in self._save(export, actor, self._filters, exported, csv_download):
            yield update


def exported(result: tuple[str, int]) -> str:
    count = result[1]
    return f"Exported {count} ticket{'s' if count != 1 else ''}."


def csv_download(result: tuple[str, int]) -> rx.event.EventSpec:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return rx.download(data=result[0], filename=f"soulroute-tickets-{stamp}.csv", mime_type="text/csv")


def ticket_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def reassign_options(row: AdminTicketRow, free: list[admin_accounts.CounselorRow]) -> list[Option]:
    """Counselors with room, those whose expertise fits the ticket first (crisis and "other" fit everyone),
    then by most free places; each option names their areas and their free capacity."""

    def fits(c: admin_accounts.CounselorRow) -> bool:
        anyone = row.urgency is TicketUrgency.CRISIS or row.category is TicketCategory.OTHER
        return anyone or row.category in c.expertise

    ranked = sorted(
        (c for c in free if c.id != row.counselor_id),
        key=lambda c: (not fits(c), c.active - c.capacity, c.display_name),
    )
    return [
        Option(
            str(c.id),
            f"{'Fits: ' if fits(c) else ''}{c.display_name} · {', '.join(CATEGORY_LABEL[e] for e in c.expertise)}"
            f" · {c.capacity - c.active} of {c.capacity} free",
        )
        for c in ranked
    ]
