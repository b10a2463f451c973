"""A ticket's page as its student sees it: what staff did, in plain words, without their internal reasons."""

from __future__ import annotations

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
