from datetime import UTC, datetime, timedelta

import pytest

from soulroute.db.models import TicketStatus
from soulroute.domain import queries, tickets
from soulroute.domain.errors import IllegalTransition
from tests.db.sql import owner
from tests.factories import in_a_few_minutes, make_counselor, make_student, open_ticket


def test_full_lifecycle_through_the_domain():
    student, counselor = make_student(), make_counselor("Dr. Lee")
    tid = open_ticket(student)
    assert [t.id for t in queries.list_board(counselor)] == [tid]
    row = tickets.claim_ticket(counselor, tid)
    assert row.status is TicketStatus.CLAIMED and row.counselor_name == "Dr. Lee"
    row = tickets.schedule_session(counselor, {"ticket_id": tid, "start": in_a_few_minutes()})
    assert row.status is TicketStatus.SCHEDULED and row.meeting_link.startswith("https://")
    row = tickets.complete_ticket(counselor, {"ticket_id": tid, "session_notes": "Discussed sleep hygiene."})
    assert row.status is TicketStatus.COMPLETED
    row = tickets.close_ticket(counselor, {"ticket_id": tid})
    assert row.status is TicketStatus.CLOSED
    kinds = [e.kind for e in queries.ticket_history(student, tid)]
    assert kinds == ["created", "claimed", "scheduled", "completed", "closed"]


def test_a_session_cannot_be_completed_before_join_opens():
    """The database agrees with the caseload: Complete opens 10 minutes before the start, not earlier
    (a forged event used to complete next week's session)."""
    student, counselor = make_student(), make_counselor()
    tid = open_ticket(student)
    tickets.claim_ticket(counselor, tid)
    tickets.schedule_session(counselor, {"ticket_id": tid, "start": datetime.now(UTC) + timedelta(days=1)})
    with pytest.raises(IllegalTransition, match="from 10 minutes before its start"):
        tickets.complete_ticket(counselor, {"ticket_id": tid, "session_notes": "Written far too early."})
    assert tickets.get_ticket(counselor, tid).status is TicketStatus.SCHEDULED
    assert owner("select count(*) as n from session_notes where ticket_id = :t", {"t": tid}) == [{"n": 0}]
