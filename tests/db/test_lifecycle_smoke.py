from datetime import UTC, datetime, timedelta

from soulroute.db.models import TicketStatus
from soulroute.domain import queries, tickets
from tests.factories import make_counselor, make_student, open_ticket


def test_full_lifecycle_through_the_domain():
    student, counselor = make_student(), make_counselor("Dr. Lee")
    tid = open_ticket(student)
    assert [t.id for t in queries.list_board(counselor)] == [tid]
    row = tickets.claim_ticket(counselor, tid)
    assert row.status is TicketStatus.CLAIMED and row.counselor_name == "Dr. Lee"
    start = datetime.now(UTC) + timedelta(days=1)
    row = tickets.schedule_session(counselor, {"ticket_id": tid, "start": start})
    assert row.status is TicketStatus.SCHEDULED and row.meeting_link.startswith("https://")
    row = tickets.complete_ticket(counselor, {"ticket_id": tid, "session_notes": "Discussed sleep hygiene."})
    assert row.status is TicketStatus.COMPLETED
    row = tickets.close_ticket(counselor, {"ticket_id": tid})
    assert row.status is TicketStatus.CLOSED
    kinds = [e.kind for e in queries.ticket_history(student, tid)]
    assert kinds == ["created", "claimed", "scheduled", "completed", "closed"]
