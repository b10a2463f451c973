"""Scheduling: meeting links, past times, overlaps, in-person places, rescheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soulroute.db.models import SessionMode as M
from soulroute.db.models import TicketStatus
from soulroute.domain import queries, tickets
from soulroute.domain.errors import InvalidLink, OverlappingSession, TimeInPast, ValidationFailed
from tests.db.sql import owner_sqlstate, sqlstate
from tests.factories import make_counselor, make_student, open_ticket

TOMORROW = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


@pytest.fixture
def held():
    """A counselor holding two claimed video tickets."""
    counselor, student = make_counselor("Dr. Lee"), make_student()
    a, b = open_ticket(student), open_ticket(student)
    tickets.claim_ticket(counselor, a)
    tickets.claim_ticket(counselor, b)
    return counselor, student, a, b


def test_video_session_gets_an_unguessable_https_link(held):
    counselor, _, a, b = held
    ra = tickets.schedule_session(counselor, {"ticket_id": a, "start": TOMORROW})
    rb = tickets.schedule_session(counselor, {"ticket_id": b, "start": TOMORROW + timedelta(hours=2)})
    assert ra.meeting_link.startswith("https://meet.jit.si/SoulRoute-")
    assert ra.meeting_link != rb.meeting_link
    room = ra.meeting_link.removeprefix("https://meet.jit.si/SoulRoute-")
    assert len(room) >= 22  # 128 random bits, base64url


def test_counselor_may_bring_their_own_https_link_but_not_http(held):
    counselor, _, a, _ = held
    row = tickets.schedule_session(
        counselor, {"ticket_id": a, "start": TOMORROW, "meeting_link": "https://zoom.example.edu/j/123"}
    )
    assert row.meeting_link == "https://zoom.example.edu/j/123"
    with pytest.raises(ValidationFailed) as err:
        tickets.schedule_session(counselor, {"ticket_id": a, "start": TOMORROW, "meeting_link": "http://x.org/1"})
    assert "https" in err.value.errors["meeting_link"]
    # And the database refuses one that slips past the app.
    assert (
        sqlstate(counselor, "update support_tickets set meeting_link = 'http://x.org' where id = :t", {"t": a})
        == "23514"
    )
    assert InvalidLink().field == "meeting_link"


def test_past_time_refused_by_domain_and_database(held):
    counselor, _, a, _ = held
    with pytest.raises(TimeInPast):
        tickets.schedule_session(counselor, {"ticket_id": a, "start": datetime.now(UTC) - timedelta(minutes=1)})
    assert (
        sqlstate(
            counselor,
            "update support_tickets set status = 'scheduled', scheduled_time = now() - interval '1 hour' where id = :t",
            {"t": a},
        )
        == "SR004"
    )


def test_overlapping_sessions_refused_with_the_clashing_time(held):
    counselor, _, a, b = held
    tickets.schedule_session(counselor, {"ticket_id": a, "start": TOMORROW})
    with pytest.raises(OverlappingSession) as err:
        tickets.schedule_session(counselor, {"ticket_id": b, "start": TOMORROW + timedelta(minutes=30)})
    assert f"{TOMORROW:%H:%M}" in err.value.message
    # Back to back is fine.
    row = tickets.schedule_session(counselor, {"ticket_id": b, "start": TOMORROW + timedelta(minutes=50)})
    assert row.status is TicketStatus.SCHEDULED


def test_exclusion_constraint_is_the_real_guard(held):
    counselor, _, a, b = held
    tickets.schedule_session(counselor, {"ticket_id": a, "start": TOMORROW})
    sql = "update support_tickets set status = 'scheduled', scheduled_time = :s where id = :t"
    assert owner_sqlstate(sql, {"s": TOMORROW + timedelta(minutes=10), "t": b}) == "23P01"


def test_in_person_needs_a_place_and_gets_no_link():
    counselor, student = make_counselor(), make_student()
    tid = open_ticket(student, mode=M.IN_PERSON)
    tickets.claim_ticket(counselor, tid)
    with pytest.raises(ValidationFailed) as err:
        tickets.schedule_session(counselor, {"ticket_id": tid, "start": TOMORROW})
    assert "Place" in err.value.errors["location"]
    row = tickets.schedule_session(
        counselor, {"ticket_id": tid, "start": TOMORROW, "location": "Room 204, Health Center"}
    )
    assert row.location == "Room 204, Health Center" and row.meeting_link is None


def test_reschedule_is_recorded(held):
    counselor, student, a, _ = held
    tickets.schedule_session(counselor, {"ticket_id": a, "start": TOMORROW})
    row = tickets.schedule_session(
        counselor,
        {"ticket_id": a, "start": TOMORROW + timedelta(days=1), "reason": "Student asked for Thursday"},
    )
    assert row.scheduled_time == TOMORROW + timedelta(days=1)
    events = queries.ticket_history(student, a)
    assert [e.kind for e in events][-2:] == ["scheduled", "rescheduled"]
    assert events[-1].actor_name == "Dr. Lee"
    assert "reason" not in events[-1].detail  # the counselor's reason is a staff record (0024)
    assert queries.ticket_history(counselor, a)[-1].detail["reason"] == "Student asked for Thursday"


def test_only_the_holder_schedules(held):
    _, _, a, _ = held
    other = make_counselor()
    with pytest.raises(Exception) as err:
        tickets.schedule_session(other, {"ticket_id": a, "start": TOMORROW})
    assert err.value.__class__.__name__ in {"NotFound", "IllegalTransition"}
