"""The board through the state kernel: what a card carries, and claiming."""

from __future__ import annotations

import pytest

from soulroute.domain import tickets
from soulroute.domain.queries import EXCERPT_CHARS
from soulroute.state.board import BoardState
from tests.db.sql import owner
from tests.factories import make_counselor, make_student
from tests.state.harness import Backend

pytestmark = pytest.mark.anyio
LONG = "I have not slept properly for weeks and " * 40 + "THE VERY END OF MY STORY"


async def test_a_board_card_carries_only_the_excerpt_it_shows() -> None:
    """The card shows three lines: the rest of a long description never leaves the server from the board."""
    student = make_student()
    tickets.create_ticket(student, {"title": "Weeks without sleep", "description": LONG, "category": "anxiety",
                                    "urgency": "high", "session_mode": "video"})  # fmt: skip
    async with Backend() as backend:
        tab, reply = await backend.tab("/board", make_counselor())
        card = (await tab.state(BoardState)).cards[0]
    assert "THE VERY END OF MY STORY" not in reply.sent_values()
    assert 0 < len(card.description) <= EXCERPT_CHARS and LONG.startswith(card.description)


async def test_claiming_a_ticket_someone_else_took_meanwhile_drops_its_card() -> None:
    student, winner, loser = make_student(), make_counselor("Dr. Quick"), make_counselor("Dr. Slow")
    row = tickets.create_ticket(student, {"title": "Exam stress", "description": "x" * 40, "category": "anxiety",
                                          "urgency": "medium", "session_mode": "chat"})  # fmt: skip
    async with Backend() as backend:
        tab, _ = await backend.tab("/board", loser)
        tickets.claim_ticket(winner, row.id)
        reply = await tab.send(BoardState.claim, ticket_id=str(row.id))
        shown = await tab.state(BoardState)
    assert reply.toasts() == [("warning", "This ticket is no longer on your board.")]
    assert shown.cards == [] and shown.claiming == ""
    assert (
        owner("select counselor_id from support_tickets where id = :t", {"t": row.id})[0]["counselor_id"] == winner.id
    )
