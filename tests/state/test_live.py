"""Live updates through the listener: one read per user and view, delivered to every tab concerned, and
never a second refresh of a tab that already shows the change (the one that made it)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from soulroute.config import get_settings
from soulroute.db.models import TicketCategory as C
from soulroute.live.watchers import newer, shows
from soulroute.state import listener
from soulroute.state.board import BoardState
from soulroute.state.caseload import CaseloadState
from soulroute.state.notifications import NotificationsState
from tests.db.sql import owner
from tests.factories import claimed_ticket, make_counselor, make_student, open_ticket
from tests.state.harness import Backend, Reply

pytestmark = pytest.mark.anyio


def carries(title: str):
    return lambda reply: title in reply.sent_values()


async def listener_idle() -> None:
    """Until the listener has finished every notice it has started on."""
    while listener._running:
        await asyncio.gather(*list(listener._running), return_exceptions=True)


async def test_a_new_ticket_reaches_every_board_tab_of_every_counselor_it_concerns() -> None:
    lee, kim, far = (
        make_counselor("Dr. Lee"),
        make_counselor("Dr. Kim"),
        make_counselor("Dr. Far", expertise=(C.ACADEMIC,)),
    )
    async with Backend() as backend:
        lee_1, _ = await backend.tab("/board", lee)
        lee_2, _ = await backend.tab("/board", lee)
        kim_1, _ = await backend.tab("/board", kim)
        far_1, _ = await backend.tab("/board", far)
        waiting = [tab.received(carries("Panic attacks in lectures")) for tab in (lee_1, lee_2, kim_1)]
        open_ticket(make_student(), title="Panic attacks in lectures", category=C.ANXIETY)
        await asyncio.gather(*waiting)
        await listener_idle()
        for tab in (lee_1, lee_2, kim_1):
            assert [c.title for c in (await tab.state(BoardState)).cards] == ["Panic attacks in lectures"]
        assert (await far_1.state(BoardState)).cards == [], "an academic-only counselor's board stays as it was"


async def test_the_tab_that_made_a_change_is_not_refreshed_again_by_its_notice() -> None:
    counselor, ticket = claimed_ticket("Dr. Acting")
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=11, minute=0).strftime("%Y-%m-%dT%H:%M")
    async with Backend() as backend:
        acting, _ = await backend.tab("/caseload", counselor)
        other, _ = await backend.tab("/caseload", counselor)  # the same counselor's second tab
        await acting.send(CaseloadState.open_schedule, ticket_id=str(ticket))
        pushed_to_other = other.received(lambda r: any(c.get("status") == "scheduled" for c in cases_in(r)))
        form = {"start": start, "session_minutes": "50", "meeting_link": "https://meet.example.org/room"}
        done = await acting.send(CaseloadState.submit_schedule, form_data=form)
        assert done.toasts() == [("success", "Session scheduled.")]
        after_action = len(backend.wire.sent[acting.token])
        await pushed_to_other  # the notice was handled: the other tab has the change
        await listener_idle()
        pushed_to_acting = Reply(backend.wire.sent[acting.token][after_action:])
    assert cases_in(pushed_to_acting) == [], "the acting tab was refreshed a second time"
    assert [c.status for c in (await acting.state(CaseloadState)).cases] == ["scheduled"]


def cases_in(reply: Reply) -> list[dict]:
    """The caseload cards a reply carried, if any."""
    for values in reply.delta.values():
        for key, value in values.items():
            if key.startswith("cases"):
                return [c if isinstance(c, dict) else c.__dict__ for c in value]
    return []


@pytest.mark.parametrize(
    ("seen", "txid", "visible"),
    [("100:105:101,103", 99, True), ("100:105:101,103", 102, True), ("100:105:101,103", 103, False),
     ("100:105:101,103", 105, False), ("100:100:", 100, False), ("", 5, False), ("100:105:", None, False)],
)  # fmt: skip
def test_a_change_counts_as_shown_exactly_when_its_transaction_is_visible_in_the_snapshot(seen, txid, visible):
    assert shows(seen, txid) is visible


@pytest.mark.parametrize(
    ("a", "b", "a_is_newer"),
    [("100:106:", "100:105:101", True), ("100:105:101", "100:106:", False), ("100:105:", "100:105:101", True),
     ("100:105:101", "100:105:", False), ("100:105:101", "100:105:101", True), ("", "100:105:", True)],
)  # fmt: skip
def test_a_snapshot_is_newer_when_it_sees_everything_the_other_sees(a, b, a_is_newer):
    assert newer(a, b) is a_is_newer


async def test_bells_catch_up_on_notifications_made_while_the_listener_was_reconnecting() -> None:
    """Regression (issue 12): after the listener reconnected, bell counts waited for the next page load."""
    student = make_student()
    role = get_settings().app_db_role
    async with Backend() as backend:
        tab, _ = await backend.tab("/tickets", student)
        assert (await tab.state(NotificationsState)).unread == 0
        database = owner("select current_database() as d")[0]["d"]
        owner(f'revoke connect on database "{database}" from public, {role}')
        try:  # the listener loses its connection and cannot get one back for now
            owner("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()"
                  " and usename = :r and query ilike 'listen %'", {"r": role})  # fmt: skip
            await until(lambda: not listener.is_listening())
            owner(
                "insert into notifications (user_id, kind, body) values (:u, 'claimed', 'Dr. Lee took your ticket')",
                {"u": student.id},
            )  # fmt: skip  (announced to nobody: no one listens)
        finally:
            owner(f'grant connect on database "{database}" to public, {role}')
        caught_up = tab.received(lambda reply: "unread" in repr(reply.delta))
        await until(listener.is_listening)
        await caught_up
        assert (await tab.state(NotificationsState)).unread == 1


async def until(condition) -> None:
    """Polls a condition of the listener (its connection), bounded by the test's own timeout."""
    while not condition():
        await asyncio.sleep(0.05)
