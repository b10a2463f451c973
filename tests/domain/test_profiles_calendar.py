"""Counselor profiles (own row only, validated, the board follows at once) and the session .ics file
(right time and place, no ticket content, only for the ticket's student and counselor)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from soulroute.db.models import SessionMode as M
from soulroute.db.models import TicketCategory as C
from soulroute.domain import calendar, profiles, queries, tickets
from soulroute.domain.errors import NotFound, NotPermitted, ValidationFailed
from tests.db.sql import sqlstate
from tests.factories import make_admin, make_counselor, make_student, open_ticket

TOMORROW = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
GOOD = {
    "expertise": ["stress", "academic"],
    "session_modes": ["video", "chat"],
    "capacity": 3,
    "accepting_new": True,
    "on_call_crisis": True,
    "bio": "  CBT and study stress.  ",
}


def test_profile_read_and_update_own_row():
    counselor = make_counselor(expertise=(C.ANXIETY,))
    assert profiles.get_profile(counselor).expertise == [C.ANXIETY]
    row = profiles.update_profile(counselor, GOOD)
    assert row.expertise == [C.STRESS, C.ACADEMIC]
    assert row.session_modes == [M.VIDEO, M.CHAT]
    assert (row.capacity, row.accepting_new, row.on_call_crisis, row.bio) == (3, True, True, "CBT and study stress.")
    assert profiles.get_profile(counselor) == row


def test_the_board_follows_the_expertise_at_once():
    counselor, student = make_counselor(expertise=(C.ANXIETY,)), make_student()
    tid = open_ticket(student, category=C.ACADEMIC)
    assert tid not in {r.id for r in queries.list_board(counselor)}
    profiles.update_profile(counselor, GOOD)
    assert tid in {r.id for r in queries.list_board(counselor)}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"session_modes": []}, "session_modes", "Choose at least one session mode."),
        ({"capacity": 51}, "capacity", "Capacity must be a whole number from 0 to 50."),
        ({"capacity": "lots"}, "capacity", "Capacity must be a whole number from 0 to 50."),
        ({"bio": "x" * 1001}, "bio", "Bio can be at most 1,000 characters; you have 1,001."),
        ({"expertise": ["astrology"]}, "expertise", "Choose each category from the list."),
        ({"user_id": "someone-else"}, "user_id", "Unexpected field user_id."),
    ],
)
def test_profile_validation_names_the_field(change, field, message):
    with pytest.raises(ValidationFailed) as err:
        profiles.update_profile(make_counselor(), {**GOOD, **change})
    assert err.value.errors[field] == message


def test_repeated_values_count_once():
    row = profiles.update_profile(make_counselor(), {**GOOD, "expertise": ["stress", "stress"]})
    assert row.expertise == [C.STRESS]


def test_only_counselors_have_a_profile_and_rls_keeps_others_out():
    with pytest.raises(NotPermitted):
        profiles.get_profile(make_student())
    lee, kim = make_counselor(), make_counselor()
    # Even raw SQL as Kim cannot touch Lee's row: the policy hides it (0 rows updated, no error).
    assert sqlstate(kim, "update counselor_profiles set capacity = 0 where user_id = :u", {"u": lee.id}) is None
    assert profiles.get_profile(lee).capacity == 5


def _scheduled(mode: M = M.VIDEO, **extra):
    counselor, student = make_counselor("Dr. Lee"), make_student()
    tid = open_ticket(student, mode=mode)
    tickets.claim_ticket(counselor, tid)
    row = tickets.schedule_session(counselor, {"ticket_id": tid, "start": TOMORROW, "session_minutes": 45, **extra})
    return counselor, student, row


def test_ics_has_the_time_and_link_and_no_ticket_content():
    counselor, student, row = _scheduled()
    for who in (counselor, student):
        event = Calendar.from_ical(calendar.session_ics(who, row.id)).walk("VEVENT")[0]
        assert event.decoded("dtstart") == TOMORROW
        assert event.decoded("dtend") == TOMORROW + timedelta(minutes=45)
        assert str(event["location"]) == row.meeting_link == str(event["url"])
        assert str(event["uid"]) == f"{row.id}@soulroute"
        assert str(event["summary"]) == calendar.SUMMARY
    text = calendar.session_ics(counselor, row.id).decode()
    assert "sleeping" not in text and "lie awake" not in text


def test_ics_for_in_person_and_chat():
    counselor, _, row = _scheduled(M.IN_PERSON, location="Room 204, Health Center")
    event = Calendar.from_ical(calendar.session_ics(counselor, row.id)).walk("VEVENT")[0]
    assert str(event["location"]) == "Room 204, Health Center" and "url" not in event
    counselor, _, row = _scheduled(M.CHAT)
    event = Calendar.from_ical(calendar.session_ics(counselor, row.id, public_url="https://x.edu")).walk("VEVENT")[0]
    assert str(event["url"]) == f"https://x.edu/tickets/{row.id}"


def test_ics_only_for_the_ticket_s_own_people_and_only_when_scheduled():
    _, _, row = _scheduled()
    for outsider in (make_student(), make_counselor(), make_admin()):
        with pytest.raises(NotFound):
            calendar.session_ics(outsider, row.id)
    counselor, student = make_counselor(), make_student()
    tid = open_ticket(student)
    tickets.claim_ticket(counselor, tid)
    with pytest.raises(NotFound):
        calendar.session_ics(counselor, tid)
    with pytest.raises(NotFound):
        calendar.session_ics(counselor, "not-a-uuid")
