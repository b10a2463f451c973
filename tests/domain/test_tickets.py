"""Domain operations: validation, idempotency, refusals with clear messages, role-appropriate lists."""

from __future__ import annotations

import uuid

import pytest

from soulroute.db.models import SessionMode as M
from soulroute.db.models import TicketCategory as C
from soulroute.db.models import TicketStatus as S
from soulroute.db.models import TicketUrgency as U
from soulroute.domain import admin, queries, tickets
from soulroute.domain.errors import IllegalTransition, NotFound, NotPermitted, ValidationFailed
from soulroute.domain.schemas import BoardFilters
from tests.db.sql import owner
from tests.factories import make_admin, make_counselor, make_student, open_ticket

GOOD = {
    "title": "Exam stress",
    "description": "Finals are in two weeks and I cannot sleep.",
    "category": "stress",
    "urgency": "medium",
    "session_mode": "chat",
}


def test_create_validation_messages_name_the_field():
    student = make_student()
    with pytest.raises(ValidationFailed) as err:
        tickets.create_ticket(student, {"title": "Hi", "description": "short", "category": "x"})
    assert err.value.errors == {
        "title": "Title must be at least 5 characters.",
        "description": "Description must be at least 20 characters.",
        "category": "Choose a category.",
        "urgency": "Urgency is required.",
        "session_mode": "Session preference is required.",
    }


@pytest.mark.parametrize(
    "forged",
    [
        {**GOOD, "title": "x" * 121},
        {**GOOD, "description": "y" * 5001},
        {**GOOD, "student_id": str(uuid.uuid4())},
        {**GOOD, "status": "claimed"},
        {**GOOD, "urgency": {"$ne": 1}},
        {**GOOD, "title": ["a", "list"]},
    ],
)
def test_forged_or_oversized_submissions_get_a_clear_error(forged):
    with pytest.raises(ValidationFailed):
        tickets.create_ticket(make_student(), forged)


def test_whitespace_is_trimmed_before_length_checks():
    with pytest.raises(ValidationFailed) as err:
        tickets.create_ticket(make_student(), {**GOOD, "title": "   ab    "})
    assert "title" in err.value.errors


def test_double_submit_with_one_key_makes_one_ticket():
    student = make_student()
    key = str(uuid.uuid4())
    first = tickets.create_ticket(student, {**GOOD, "idempotency_key": key})
    second = tickets.create_ticket(student, {**GOOD, "idempotency_key": key})
    assert first.id == second.id
    assert owner("select count(*) as n from support_tickets where student_id = :s", {"s": student.id})[0]["n"] == 1


def test_only_students_create_tickets():
    with pytest.raises(NotPermitted):
        tickets.create_ticket(make_counselor(), GOOD)


def test_another_students_ticket_is_not_found_like_a_missing_one():
    tid = open_ticket(make_student())
    other = make_student()
    with pytest.raises(NotFound) as a:
        tickets.get_ticket(other, tid)
    with pytest.raises(NotFound) as b:
        tickets.get_ticket(other, uuid.uuid4())
    assert a.value.message == b.value.message
    with pytest.raises(NotFound):
        tickets.get_ticket(other, "not-a-uuid")


def test_student_cancels_with_reason_recorded():
    student = make_student()
    tid = open_ticket(student)
    row = tickets.close_ticket(student, {"ticket_id": tid, "reason": "Feeling better"})
    assert row.status is S.CLOSED
    last = queries.ticket_history(student, tid)[-1]
    assert (last.kind, last.detail.get("reason")) == ("cancelled", "Feeling better")
    with pytest.raises(IllegalTransition):
        tickets.close_ticket(student, {"ticket_id": tid})


def test_release_requires_reason_and_returns_ticket_to_the_board():
    lee, kim = (
        make_counselor("Dr. Lee", expertise=[C.ANXIETY]),
        make_counselor("Dr. Kim", expertise=[C.ANXIETY]),
    )
    student = make_student()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    assert tid not in {t.id for t in queries.list_board(kim)}
    with pytest.raises(ValidationFailed):
        tickets.release_ticket(lee, {"ticket_id": tid, "reason": ""})
    tickets.release_ticket(lee, {"ticket_id": tid, "reason": "Schedule conflict"})
    assert tid in {t.id for t in queries.list_board(kim)}
    last = queries.ticket_history(student, tid)[-1]
    assert (last.kind, last.actor_name) == ("released", "Dr. Lee") and "reason" not in last.detail
    assert queries.ticket_history(lee, tid)[-1].detail["reason"] == "Schedule conflict"


def test_board_order_filters_search_and_keyset_pages():
    counselor = make_counselor(expertise=[C.ANXIETY, C.STRESS])
    s = make_student()
    low = open_ticket(s, category=C.ANXIETY, urgency=U.LOW, title="Low anxiety ticket")
    crisis = open_ticket(s, category=C.DEPRESSION, urgency=U.CRISIS, title="Crisis about depression")
    high1 = open_ticket(s, category=C.STRESS, urgency=U.HIGH, title="Deadline panic", mode=M.AUDIO)
    high2 = open_ticket(s, category=C.STRESS, urgency=U.HIGH, title="Another deadline")
    other = open_ticket(s, category=C.OTHER, urgency=U.MEDIUM, title="Something else entirely")
    hidden = open_ticket(s, category=C.ACADEMIC, urgency=U.HIGH, title="Grades")
    board = [t.id for t in queries.list_board(counselor)]
    assert board == [crisis, high1, high2, other, low] and hidden not in board
    assert [t.id for t in queries.list_board(counselor, {"urgency": "high"})] == [high1, high2]
    assert [t.id for t in queries.list_board(counselor, {"session_mode": "audio"})] == [high1]
    assert [t.id for t in queries.list_board(counselor, BoardFilters(search="DEADLINE"))] == [high1, high2]
    assert queries.list_board(counselor, {"search": "100%_"}) == []
    page1 = queries.list_board(counselor, limit=2)
    page2 = queries.list_board(counselor, after=queries.board_cursor(page1), limit=2)
    page3 = queries.list_board(counselor, after=queries.board_cursor(page2), limit=2)
    assert [t.id for t in page1 + page2 + page3] == board


def test_board_marks_and_filters_the_modes_a_counselor_offers():
    counselor = make_counselor(expertise=[C.STRESS])
    owner("update counselor_profiles set session_modes = '{video,chat}' where user_id = :u", {"u": counselor.id})
    s = make_student()
    crisis_audio = open_ticket(s, category=C.STRESS, urgency=U.CRISIS, title="Crisis by phone", mode=M.AUDIO)
    in_person = open_ticket(s, category=C.STRESS, urgency=U.HIGH, title="Only in person", mode=M.IN_PERSON)
    video = open_ticket(s, category=C.STRESS, urgency=U.HIGH, title="Video is fine", mode=M.VIDEO)
    board = queries.list_board(counselor)
    assert [(t.id, t.mode_offered) for t in board] == [(crisis_audio, False), (in_person, False), (video, True)]
    assert [t.id for t in queries.list_board(counselor, {"session_mode": "offered"})] == [video]
    with pytest.raises(ValidationFailed):
        queries.list_board(counselor, {"session_mode": "telepathy"})


def test_board_shows_an_excerpt_and_no_student_name():
    counselor = make_counselor()
    student = make_student("Private Person")
    tickets.create_ticket(student, {**GOOD, "category": "anxiety", "description": "z" * 1000})
    [row] = queries.list_board(counselor)
    assert len(row.description) == queries.EXCERPT_CHARS and row.student_name is None


def test_caseload_and_workload():
    counselor, student = make_counselor(capacity=4), make_student("Sam Student")
    a, b = open_ticket(student), open_ticket(student)
    tickets.claim_ticket(counselor, a)
    tickets.claim_ticket(counselor, b)
    rows = queries.list_caseload(counselor)
    assert {r.id for r in rows} == {a, b} and {r.student_name for r in rows} == {"Sam Student"}
    assert rows[0].description.startswith("I lie awake")  # the full text, not an excerpt
    assert tickets.counselor_workload(counselor) == (2, 4)


def test_student_list_puts_active_tickets_first():
    student = make_student()
    first = open_ticket(student)
    tickets.close_ticket(student, {"ticket_id": first})
    second = open_ticket(student)
    assert [t.id for t in queries.list_student_tickets(student)] == [second, first]
    assert [t.id for t in queries.list_student_tickets(student, "closed")] == [first]


def test_admin_crisis_queue_holds_crisis_and_high_and_is_for_admins_only():
    ada, s = make_admin(), make_student()
    c1 = open_ticket(s, urgency=U.CRISIS)
    h = open_ticket(s, urgency=U.HIGH)
    open_ticket(s, urgency=U.LOW)
    assert [t.id for t in admin.crisis_queue(ada)] == [c1, h]
    with pytest.raises(NotPermitted):
        admin.crisis_queue(make_counselor())


def test_board_page_reads_the_board_and_the_counselors_own_workload_together():
    counselor = make_counselor(expertise=[C.STRESS], capacity=3)
    student = make_student()
    mine = open_ticket(student, category=C.STRESS)
    tickets.claim_ticket(counselor, mine)
    waiting = open_ticket(student, category=C.STRESS, title="Still waiting on the board")
    search = {"search": "still waiting on the board"}
    board = queries.board_page(counselor, search)
    assert [r.id for r in board.rows] == [r.id for r in queries.list_board(counselor, search)] == [waiting]
    assert (board.active, board.capacity, board.accepting_new) == (1, 3, True)
    with pytest.raises(NotPermitted):
        queries.board_page(student)
