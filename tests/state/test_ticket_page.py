"""A ticket's page as its student sees it: what staff did, in plain words, without their internal reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soulroute.domain import admin, tickets
from soulroute.state.admin_ticket import AdminTicketState
from soulroute.state.student_tickets import TicketPageState
from tests.factories import make_admin, make_counselor, make_student, open_ticket
from tests.state.harness import Backend

pytestmark = pytest.mark.anyio
REASON = "Failing two modules, needs someone with academic experience"


async def test_the_student_sees_that_the_admin_acted_but_not_the_internal_reason() -> None:
    student, lee, kim, boss = make_student(), make_counselor("Dr. Lee"), make_counselor("Dr. Kim"), make_admin()
    ticket = open_ticket(student)
    tickets.claim_ticket(lee, ticket)
    admin.reassign(boss, {"ticket_id": ticket, "counselor_id": kim.id, "reason": REASON})
    async with Backend() as backend:
        page, seen = await backend.tab(f"/tickets/{ticket}", student)
        audit, audited = await backend.tab(f"/admin/tickets/{ticket}", boss)
        shown = await page.state(TicketPageState)
        trail = await audit.state(AdminTicketState)
    assert shown.events[0].text.startswith("Reassigned by")
    assert REASON not in seen.sent_values() and all(e.reason == "" for e in shown.events)
    assert REASON in audited.sent_values() and trail.history[-1].reason == REASON


async def test_a_counselor_reads_back_their_own_session_notes_on_the_tickets_page_and_nobody_else_does() -> None:
    """Regression (issue 12): notes written at Complete could not be read back anywhere."""
    student, lee = make_student(), make_counselor("Dr. Lee")
    ticket = open_ticket(student)
    tickets.claim_ticket(lee, ticket)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    tickets.schedule_session(lee, {"ticket_id": ticket, "start": soon, "meeting_link": "https://meet.example.org/r"})
    tickets.complete_ticket(lee, {"ticket_id": ticket, "session_notes": "Discussed sleep hygiene; follow up."})
    async with Backend() as backend:
        mine, _ = await backend.tab(f"/tickets/{ticket}", lee)
        theirs, seen_by_student = await backend.tab(f"/tickets/{ticket}", student)
        shown = await mine.state(TicketPageState)
    assert [n.body for n in shown.notes] == ["Discussed sleep hygiene; follow up."]
    assert "sleep hygiene" not in seen_by_student.sent_values()


async def test_a_case_page_offers_the_holders_next_steps_and_nobody_elses() -> None:
    """Issue 12: a counselor needs one page per case with its actions (the dialogs are My caseload's, opened
    on the page by CaseloadState.open_for_case: tests/state/test_caseload.py)."""
    student, lee = make_student(), make_counselor("Dr. Lee")
    ticket = open_ticket(student)
    tickets.claim_ticket(lee, ticket)
    async with Backend() as backend:
        page, _ = await backend.tab(f"/tickets/{ticket}", lee)
        case = (await page.state(TicketPageState)).case
        assert (case.schedule, case.complete, case.release, case.close) == ("Schedule session", False, True, False)
        student_page, _ = await backend.tab(f"/tickets/{ticket}", student)
        case = (await student_page.state(TicketPageState)).case
    assert (case.schedule, case.complete, case.release, case.close) == ("", False, False, False)
