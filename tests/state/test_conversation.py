"""A ticket's conversation through the state (issue 13): the ticket is always the page's own; what was
typed stays on a refusal; a message reaches the other person's open page through the live registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from soulroute.config import get_settings
from soulroute.db.models import TicketUrgency as U
from soulroute.domain import tickets
from soulroute.state.student_tickets import TicketPageState
from tests.factories import make_counselor, make_student, open_ticket
from tests.state.harness import Backend

pytestmark = pytest.mark.anyio


async def test_messages_go_to_the_pages_own_ticket_and_a_refusal_keeps_the_text() -> None:
    student, lee = make_student("Sam"), make_counselor("Dr. Lee")
    mine, other = open_ticket(student), open_ticket(make_student())
    tickets.claim_ticket(lee, mine)
    tickets.claim_ticket(lee, other)
    async with Backend() as backend:
        page, _ = await backend.tab(f"/tickets/{mine}", student)
        shown = await page.state(TicketPageState)
        assert shown.has_conversation and shown.can_write and shown.messages == []
        # A forged payload naming another ticket changes nothing: the page's own ticket is used.
        sent = await page.send(TicketPageState.send_message, form_data={"body": "Hi", "ticket_id": str(other)})
        assert "ref_field_body" in str([e.payload for e in sent.events])  # the box is cleared once saved
        shown = await page.state(TicketPageState)
        assert [(m.author, m.body, m.mine) for m in shown.messages] == [("You", "Hi", True)]
        refused = await page.send(TicketPageState.send_message, form_data={"body": "   "})
        assert (await page.state(TicketPageState)).message_error == "Message is required."
        assert "ref_field_body" not in str([e.payload for e in refused.events])
        counselor_page, _ = await backend.tab(f"/tickets/{other}", lee)
        assert (await counselor_page.state(TicketPageState)).messages == []


@pytest.fixture
def center_closed(monkeypatch):
    """Hours that exclude today (the only open day is tomorrow's weekday)."""
    tomorrow = ("Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon")[datetime.now(UTC).weekday()]
    monkeypatch.setenv("COUNSELING_HOURS", f"{tomorrow} 09:00-17:00")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("COUNSELING_HOURS")
    get_settings.cache_clear()


async def test_a_student_writing_outside_hours_is_told_at_once_but_not_on_a_crisis_ticket(center_closed) -> None:
    student, lee = make_student(), make_counselor()
    usual, crisis = open_ticket(student), open_ticket(student, urgency=U.CRISIS)
    tickets.claim_ticket(lee, usual)
    tickets.claim_ticket(lee, crisis)
    async with Backend() as backend:
        page, _ = await backend.tab(f"/tickets/{usual}", student)
        await page.send(TicketPageState.send_message, form_data={"body": "Are you there?"})
        assert (await page.state(TicketPageState)).after_hours
        crisis_page, _ = await backend.tab(f"/tickets/{crisis}", student)
        await crisis_page.send(TicketPageState.send_message, form_data={"body": "I need to talk tonight"})
        assert not (await crisis_page.state(TicketPageState)).after_hours
        counselor_page, _ = await backend.tab(f"/tickets/{usual}", lee)
        await counselor_page.send(TicketPageState.send_message, form_data={"body": "Tomorrow at 9."})
        assert not (await counselor_page.state(TicketPageState)).after_hours
