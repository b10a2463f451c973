"""Filters kept in the address bar, for the board and the admin's tickets alike (the filtered-list piece):
read from the address on load (invalid ones dropped with a notice), validated, and written back."""

from __future__ import annotations

import pytest

from soulroute.db.models import SessionMode as M
from soulroute.db.models import TicketCategory as C
from soulroute.db.models import TicketUrgency as U
from soulroute.state.admin import AdminState
from soulroute.state.board import BoardState
from soulroute.state.filtered_list import INVALID_IN_ADDRESS
from tests.factories import make_admin, make_counselor, make_student, open_ticket
from tests.state.harness import Backend

pytestmark = pytest.mark.anyio


async def test_admin_filters_come_from_the_address_and_go_back_into_it() -> None:
    student = make_student()
    open_ticket(student, title="Exam panic before finals", urgency=U.HIGH)
    open_ticket(student, title="Flatmate trouble at home", category=C.RELATIONSHIPS)
    async with Backend() as backend:
        tab, _ = await backend.tab("/admin?status=open&q=exam&size=25", make_admin())
        shown = await tab.state(AdminState)
        assert [r.title for r in shown.rows] == ["Exam panic before finals"]
        assert (shown.status, shown.search, shown.page_size) == ("open", "exam", 25)
        reply = await tab.send(AdminState.filter_by, name="urgency", value="high")
        assert "window.history.replaceState" in reply.scripts()
        assert "/admin?status=open&urgency=high&q=exam&size=25" in reply.scripts()
        cleared = await tab.send(AdminState.clear_filters)
        assert '"/admin?size=25"' in cleared.scripts()
        assert len((await tab.state(AdminState)).rows) == 2


async def test_invalid_filters_in_the_address_are_dropped_with_a_notice() -> None:
    open_ticket(make_student(), title="Cannot sleep at all")
    async with Backend() as backend:
        board, _ = await backend.tab("/board?urgency=apocalyptic&q=sleep", make_counselor())
        admin, _ = await backend.tab("/admin?from=yesterday&page=-3", make_admin())
        on_board, on_admin = await board.state(BoardState), await admin.state(AdminState)
    assert on_board.notice == INVALID_IN_ADDRESS and on_board.search == ""
    assert [c.title for c in on_board.cards] == ["Cannot sleep at all"]
    assert on_admin.notice == INVALID_IN_ADDRESS and on_admin.page == 1 and on_admin.created_from == ""


async def test_the_board_layout_and_modes_offered_go_into_the_address_and_a_forged_layout_is_ignored() -> None:
    open_ticket(make_student(), title="Chat about sleep", mode=M.CHAT)
    async with Backend() as backend:
        tab, _ = await backend.tab("/board?view=list&mode=offered", make_counselor())
        shown = await tab.state(BoardState)
        assert (shown.layout, shown.session_mode) == ("list", "offered")
        assert [c.title for c in shown.cards] == ["Chat about sleep"]
        forged = await tab.send(BoardState.show_as, layout="<img src=x onerror=alert(1)>")
        assert forged.scripts() == "" and (await tab.state(BoardState)).layout == "list"
        cards = await tab.send(BoardState.show_as, layout="cards")
        assert '"/board?mode=offered"' in cards.scripts()
