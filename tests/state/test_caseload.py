"""The counselor's caseload through the state kernel: dialogs keep what they act on on the server, errors
stand next to their fields, and a refusal leaves the dialog open with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soulroute.live import watchers
from soulroute.state.caseload import CaseloadState
from soulroute.state.kernel import CLOSED
from soulroute.state.student_tickets import TicketPageState
from tests.db.sql import owner
from tests.factories import claimed_ticket
from tests.state.harness import Backend

pytestmark = pytest.mark.anyio


def ticket_row(ticket) -> dict:
    return owner("select status::text as status, session_minutes from support_tickets where id = :t", {"t": ticket})[0]


def tomorrow_at_ten() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0).strftime("%Y-%m-%dT%H:%M")


async def test_schedule_dialog_explains_bad_input_keeps_the_target_on_the_server_then_schedules() -> None:
    counselor, ticket = claimed_ticket()
    async with Backend() as backend:
        tab, reply = await backend.tab("/caseload", counselor)
        assert "Trouble sleeping before exams" in reply.sent_values()
        opened = await tab.send(CaseloadState.open_schedule, ticket_id=str(ticket))
        assert str(ticket) not in repr(opened.delta).replace(f"/tickets/{ticket}", ""), "the target id was sent"
        form = {"start": tomorrow_at_ten(), "session_minutes": "5", "meeting_link": "https://meet.example.org/r"}
        refused = await tab.send(CaseloadState.submit_schedule, form_data=form)
        state = await tab.state(CaseloadState)
        assert state.errors == {"session_minutes": "Session length must be a whole number from 10 to 240 minutes."}
        assert state.dialog == "schedule" and not state.saving, "the dialog stays open after a refusal"
        assert refused.toasts() == []
        assert ticket_row(ticket)["status"] == "claimed"
        done = await tab.send(CaseloadState.submit_schedule, form_data=form | {"session_minutes": "45"})
        state = await tab.state(CaseloadState)
    assert done.toasts() == [("success", "Session scheduled.")]
    assert state.dialog == "" and state.errors == {}
    assert ticket_row(ticket) == {"status": "scheduled", "session_minutes": 45}
    assert [c.status for c in state.cases] == ["scheduled"]


async def test_a_dialog_cannot_be_opened_for_a_ticket_outside_the_caseload() -> None:
    counselor, _ = claimed_ticket()
    _, theirs = claimed_ticket("Dr. Other")
    async with Backend() as backend:
        tab, _ = await backend.tab("/caseload", counselor)
        reply = await tab.send(CaseloadState.open_release, ticket_id=str(theirs))
        state = await tab.state(CaseloadState)
        assert reply.toasts() == [("error", "That ticket is not in your caseload.")]
        assert state.dialog == ""
        # Nothing open: a submit has no target, and the domain refuses it.
        refused = await tab.send(CaseloadState.submit_release, form_data={"reason": "Moving it along"})
    assert refused.toasts() == [("error", CLOSED)]
    assert ticket_row(theirs)["status"] == "claimed"


async def test_the_case_page_opens_my_caseloads_dialogs_only_for_its_own_cases_and_keeps_watching_its_ticket() -> None:
    counselor, mine = claimed_ticket()
    _, theirs = claimed_ticket("Dr. Other")
    async with Backend() as backend:
        tab, _ = await backend.tab(f"/tickets/{mine}", counselor)
        refused = await tab.send(CaseloadState.open_for_case, act="release", ticket_id=str(theirs))
        assert refused.toasts() == [("error", "That ticket is not in your caseload.")]
        nothing = await tab.send(CaseloadState.open_for_case, act="delete_everything", ticket_id=str(mine))
        assert nothing.toasts() == [] and (await tab.state(CaseloadState)).dialog == ""
        await tab.send(CaseloadState.open_for_case, act="release", ticket_id=str(mine))
        await tab.send(CaseloadState.got_time_zone, zone="Europe/Berlin")
        assert (await tab.state(CaseloadState)).dialog == "release"
        done = await tab.send(CaseloadState.submit_release, form_data={"reason": "Going on leave"})
        assert ("success", "Released: the ticket is back on the board.") in done.toasts()
        # The page refreshed itself and is still what this tab watches (not My caseload, never opened here).
        watching = watchers.current_of(tab.token)
        assert watching is not None and watching.ticket_id == str(mine)
        assert (await tab.state(TicketPageState)).ticket.status == "open"
    assert ticket_row(mine)["status"] == "open"
