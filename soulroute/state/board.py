"""The counselor's board: open tickets they may take, filters kept in the URL, keyset pages, Claim.

The filters are only a narrowing of what row-level security already lets this counselor see; they
are validated with BoardFilters whether they come from the address bar or from a control.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from soulroute.db.models import UserRole
from soulroute.domain import queries, tickets
from soulroute.domain.errors import (
    AlreadyClaimed,
    NotEligible,
    NotFound,
    OverCapacity,
)
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import MODES_OFFERED as MODES_OFFERED  # the page's filter option
from soulroute.domain.schemas import BoardCursor, BoardFilters, TicketRow
from soulroute.state.filtered_list import ANY, FilteredList
from soulroute.state.kernel import LivePage, acts_as
from soulroute.state.session import SessionState, run_db
from soulroute.state.views import ticket_basics

PAGE = 24
SEARCH_ID = "board-search"
LAYOUTS = ("cards", "list")  # the list: one line per ticket in strict priority order (`view=list`)
CASELOAD_LINK_ID = "workload-caseload"  # where focus goes after a claim


def waiting_text(created: datetime, now: datetime | None = None) -> str:
    """'waiting 2 h 10 min': exact enough to compare cards at a glance."""
    minutes = max(0, int(((now or datetime.now(UTC)) - created).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"waiting {days} d {hours} h"
    if hours:
        return f"waiting {hours} h {mins} min"
    return f"waiting {mins} min"


@dataclasses.dataclass
class BoardCard:
    """What a board card shows, and nothing more (the board sends up to 24 of these per event)."""

    id: str = ""
    title: str = ""
    description: str = ""  # the excerpt the board query reads (queries.EXCERPT_CHARS)
    category: str = ""
    urgency: str = ""
    status: str = ""
    session_mode: str = ""
    created_at: str = ""
    age: str = ""
    wide: bool = False  # crisis and high take more room in the grid
    mode_offered: bool = True  # the session mode asked for is one this counselor offers


def board_card(row: TicketRow, now: datetime | None = None) -> BoardCard:
    return BoardCard(
        **ticket_basics(row),
        description=row.description,
        age=waiting_text(row.created_at, now),
        wide=row.urgency.value in ("crisis", "high"),
        mode_offered=row.mode_offered,
    )


class BoardState(FilteredList, LivePage, SessionState):
    cards: list[BoardCard] = []
    # The controls' values ("any" for no filter); what the query uses is `_filters`.
    category: str = ANY
    urgency: str = ANY
    session_mode: str = ANY
    search: str = ""
    active: int = 0
    capacity: int = 0
    accepting_new: bool = True
    has_more: bool = False
    loading: bool = False
    loaded: bool = False
    claiming: str = ""
    layout: str = "cards"

    FILTER_MODEL = BoardFilters
    URL_KEYS = {"category": "category", "urgency": "urgency", "session_mode": "mode", "search": "q"}
    LIST_PATH = "/board"
    SELECTS = ("category", "urgency", "session_mode")
    _filters: BoardFilters | None = None
    _cursor: BoardCursor | None = None

    @rx.var
    def claim_blocked_reason(self) -> str:
        """Why Claim is disabled, in words shown next to the workload (empty when it is not)."""
        if not self.loaded:
            return ""
        if not self.accepting_new:
            return "You are not accepting new tickets. Turn it on in your profile to claim."
        if self.active >= self.capacity:
            return (
                f"You are at capacity ({self.active} of {self.capacity}). "
                "Release or close a ticket, or raise your capacity in your profile, to claim another."
            )
        return ""

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search) or any(value != ANY for value in (self.category, self.urgency, self.session_mode))

    # --- loading ---------------------------------------------------------------------------------

    @acts_as(UserRole.COUNSELOR)
    async def load(self, actor: Actor):
        """on_load: filters from the address (invalid ones are dropped, with a note), first page."""
        self._filters_from_address()
        self.layout = "list" if self.router.url.query_parameters.get("view") == "list" else "cards"
        self.loading = True
        yield
        await self._reload(actor, PAGE)
        # The box is uncontrolled (no event per keystroke): show the search in use from the address.
        yield rx.set_value(SEARCH_ID, self.search)

    @acts_as(UserRole.COUNSELOR)
    async def refresh(self, actor: Actor):
        """Re-query for the current user, keeping as many cards as are shown (live updates call this)."""
        await self._show_latest(actor)

    @acts_as(UserRole.COUNSELOR)
    async def load_more(self, actor: Actor):
        """The next keyset page after the last card shown (the cursor never leaves the server)."""
        if self._cursor is None or not self.has_more:
            return
        self.loading = True
        yield
        try:
            rows = await run_db(queries.list_board, actor, self._filters, self._cursor, PAGE + 1)
        finally:
            self.loading = False
        self._set_rows(rows, append=True)

    @rx.event
    def tick(self):
        """Every minute: the ages move on (no database work)."""
        now = datetime.now(UTC)
        self.cards = [
            dataclasses.replace(c, age=waiting_text(datetime.fromisoformat(c.created_at), now)) for c in self.cards
        ]

    @acts_as(UserRole.COUNSELOR)
    def show_as(self, actor: Actor, layout: str):
        """Cards or the dense list; kept in the address like the filters (no database work)."""
        if layout in LAYOUTS:
            self.layout = layout
            return self._keep_in_address()

    def _address(self) -> str:
        address = super()._address()
        return address + ("&" if "?" in address else "?") + "view=list" if self.layout == "list" else address

    # --- live page: what the board shows depends on the filters and how many cards are shown -------

    def _live_view(self) -> tuple[BoardFilters, int]:
        return self._filters or BoardFilters(), max(PAGE, len(self.cards))

    @classmethod
    def _live_read(cls, actor: Actor, view: tuple[BoardFilters, int]) -> tuple[queries.BoardPage, int]:
        filters, limit = view
        return queries.board_page(actor, filters, limit + 1), limit

    def _live_show(self, actor: Actor, data: tuple[queries.BoardPage, int]) -> None:
        board, limit = data
        self.active, self.capacity, self.accepting_new = board.active, board.capacity, board.accepting_new
        self._set_rows(board.rows, append=False, limit=limit)
        self.loaded = True

    async def _reload(self, actor: Actor, limit: int) -> None:
        try:
            await self._show_latest(actor, (self._filters or BoardFilters(), limit))
        finally:
            self.loading = False

    def _set_rows(self, rows: list[TicketRow], *, append: bool, limit: int = PAGE) -> None:
        self.has_more = len(rows) > limit
        rows = rows[:limit]
        now = datetime.now(UTC)
        cards = [board_card(r, now) for r in rows]
        if append:
            seen = {c.id for c in self.cards}
            cards = self.cards + [c for c in cards if c.id not in seen]
        self.cards = cards
        if rows or not append:
            self._cursor = queries.board_cursor(rows)
        self.loading = False

    # --- filters (FilteredList: controls <-> the validated `_filters` <-> the address bar) --------

    async def _show_filtered(self, actor: Actor, changes: dict[str, Any]):
        if not self._refilter(changes):
            yield rx.toast.error("; ".join(self.filter_errors.values()))
            return
        self.loading = True
        yield
        await self._reload(actor, PAGE)
        yield [rx.set_value(SEARCH_ID, self.search), self._keep_in_address()]

    @acts_as(UserRole.COUNSELOR)
    async def filter_by(self, actor: Actor, name: str, value: str):
        """A select changed: `name` is one of the three select filters, `value` one of its options."""
        if name not in self.SELECTS or not isinstance(value, str):
            return
        async for update in self._show_filtered(actor, {name: value}):
            yield update

    @acts_as(UserRole.COUNSELOR)
    async def search_for(self, actor: Actor, form_data: dict):
        term = form_data.get("search", "") if isinstance(form_data, dict) else ""
        async for update in self._show_filtered(actor, {"search": term if isinstance(term, str) else ""}):
            yield update

    @acts_as(UserRole.COUNSELOR)
    async def clear_filters(self, actor: Actor):
        async for update in self._show_filtered(actor, dict.fromkeys(self.URL_KEYS)):
            yield update

    # --- claim -----------------------------------------------------------------------------------

    def _drop(self, ticket_id: str) -> None:
        self.cards = [c for c in self.cards if c.id != ticket_id]

    @acts_as(UserRole.COUNSELOR)
    async def claim(self, actor: Actor, ticket_id: str):
        """Atomic in the database; a lost race removes the card and names who got it."""
        try:
            tid = str(uuid.UUID(str(ticket_id)))
        except ValueError:
            yield rx.toast.error("That ticket is not on your board.")
            return
        if self.claiming:
            return  # one claim at a time per tab; a double click must not send two
        self.claiming, self.notice = tid, ""
        yield
        try:
            row = await run_db(tickets.claim_ticket, actor, tid)
        except (AlreadyClaimed, NotFound) as exc:
            self._drop(tid)
            self.notice = exc.message
            yield rx.toast.warning(exc.message)
        except (OverCapacity, NotEligible) as exc:
            await self._show_latest(actor)
            self.notice = self.claim_blocked_reason or exc.message
            yield rx.toast.error(self.notice)
        else:
            self._drop(tid)
            self.active += 1
            yield rx.toast.success(f"You claimed “{row.title}”. It is in My caseload.")
            yield rx.set_focus(CASELOAD_LINK_ID)  # its card (and the focused Claim button) is gone
        finally:
            self.claiming = ""
