"""In-app notifications (issue 7): the database creates them for every ticket change, for exactly the
people it concerns, with no clinical text; users read and mark only their own; crisis tickets escalate
once per interval until claimed. Email delivery is in test_notification_email.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from soulroute.db.models import TicketCategory, TicketUrgency
from soulroute.db.session import as_owner, as_user
from soulroute.domain import tickets
from soulroute.domain.errors import ValidationFailed
from soulroute.notify import background, inbox
from tests.db.sql import owner, rowcount, run
from tests.factories import in_a_few_minutes, make_admin, make_counselor, make_student, open_ticket, set_active

TITLE = "Panic before my statistics exam"
DESCRIPTION = "I lie awake for hours and cannot focus during the day anymore."
CLINICAL = ("anxiety", "depression", "statistics", "panic", "awake", "crisis ticket about")


def notes(user=None, ticket=None) -> list[dict]:
    """Notifications as the owner sees them, oldest first."""
    sql = "select user_id, ticket_id, kind, body, read_at from notifications where true"
    params = {}
    if user is not None:
        sql += " and user_id = :u"
        params["u"] = user.id
    if ticket is not None:
        sql += " and ticket_id = :t"
        params["t"] = ticket
    return owner(sql + " order by id", params)


def kinds(user, ticket=None) -> list[str]:
    return [n["kind"] for n in notes(user, ticket)]


def assert_no_clinical_text():
    for n in notes():
        body = n["body"].lower()
        assert not any(word in body for word in CLINICAL), n
        assert len(n["body"]) <= 200


@pytest.fixture
def people():
    return {
        "student": make_student("Sam Student"),
        "lee": make_counselor("Dr. Lee", on_call_crisis=False),
        "oncall": make_counselor("Dr. Night", on_call_crisis=True),
        "admin": make_admin("Ada Admin"),
    }


def tomorrow(hours: int = 0) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=1, hours=hours)


def test_student_hears_of_every_step_of_their_ticket(people):
    student, lee = people["student"], people["lee"]
    tid = open_ticket(student, title=TITLE)
    assert notes() == []  # a normal ticket alerts nobody

    tickets.claim_ticket(lee, tid)
    tickets.schedule_session(lee, {"ticket_id": tid, "start": tomorrow()})
    tickets.schedule_session(lee, {"ticket_id": tid, "start": tomorrow(2)})
    tickets.release_ticket(lee, {"ticket_id": tid, "reason": "Away next week"})
    tickets.claim_ticket(lee, tid)
    tickets.schedule_session(lee, {"ticket_id": tid, "start": in_a_few_minutes()})  # Complete opens 10 min before
    tickets.complete_ticket(lee, {"ticket_id": tid, "session_notes": "Talked about sleep."})

    assert kinds(student) == ["claimed", "scheduled", "rescheduled", "released", "claimed", "scheduled", "completed"]
    bodies = [n["body"] for n in notes(student)]
    assert bodies[0] == "Your ticket was claimed by Dr. Lee."
    assert all(n["ticket_id"] == tid for n in notes(student))
    # The counselor acted themselves: nothing for them; nobody else was involved.
    assert notes(lee) == [] and notes(people["admin"]) == [] and notes(people["oncall"]) == []
    assert_no_clinical_text()


def test_counselor_hears_when_their_ticket_is_cancelled(people):
    student, lee = people["student"], people["lee"]
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    tickets.close_ticket(student, {"ticket_id": tid, "reason": "Feeling better"})
    assert kinds(lee) == ["cancelled"]
    assert kinds(student) == ["claimed"]  # not told about their own cancellation


def test_admin_reassign_tells_old_and_new_counselor_and_the_student(people):
    student, lee, admin = people["student"], people["lee"], people["admin"]
    other = make_counselor("Dr. Park")
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    assert rowcount(admin, "update support_tickets set counselor_id = :c where id = :t", {"c": other.id, "t": tid}) == 1
    assert kinds(lee) == ["reassigned"]
    assert kinds(other) == ["assigned"]
    assert kinds(student) == ["claimed", "reassigned"]
    assert notes(student)[-1]["body"] == "Your ticket is now with Dr. Park."
    assert notes(admin) == []


def test_admin_cancel_tells_student_and_counselor(people):
    student, lee, admin = people["student"], people["lee"], people["admin"]
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    tickets.close_ticket(admin, {"ticket_id": tid, "reason": "Duplicate of another ticket"})
    assert kinds(lee) == ["cancelled"]
    assert kinds(student) == ["claimed", "cancelled"]


def test_new_crisis_ticket_alerts_on_call_counselors_and_admins_only(people):
    off_duty_admin = make_admin("Old Admin")
    set_active(off_duty_admin, False)
    tid = open_ticket(people["student"], urgency=TicketUrgency.CRISIS, category=TicketCategory.DEPRESSION, title=TITLE)
    alerted = {n["user_id"] for n in notes(ticket=tid)}
    assert alerted == {people["oncall"].id, people["admin"].id}
    assert {n["kind"] for n in notes(ticket=tid)} == {"crisis_new"}
    assert_no_clinical_text()


def test_raising_an_open_ticket_to_crisis_alerts_like_a_new_one(people):
    tid = open_ticket(people["student"])
    rowcount(people["admin"], "update support_tickets set urgency = 'crisis' where id = :t", {"t": tid})
    assert {n["user_id"] for n in notes(ticket=tid)} == {people["oncall"].id}  # the admin acted


def test_changes_made_outside_the_app_notify_too(people):
    """The trigger covers every path, e.g. a maintenance script as the owner."""
    tid = open_ticket(people["student"])
    with as_owner() as s:
        s.execute(text("select set_config('soulroute.actor_id', :c, true)"), {"c": str(people["lee"].id)})
        s.execute(text("update support_tickets set status = 'claimed', counselor_id = :c where id = :t"),
                  {"c": people["lee"].id, "t": tid})  # fmt: skip
    assert kinds(people["student"]) == ["claimed"]


def test_a_failed_change_leaves_no_notification_and_no_email(people):
    tid = open_ticket(people["student"])
    with pytest.raises(DBAPIError), as_user(people["lee"].id) as s:
        s.execute(text("update support_tickets set status = 'claimed', counselor_id = :c where id = :t"),
                  {"c": people["lee"].id, "t": tid})  # fmt: skip
        s.execute(text("select 1/0"))
    assert notes() == [] and owner("select * from email_outbox") == []


def test_each_notification_queues_one_email_row(people):
    tid = open_ticket(people["student"])
    tickets.claim_ticket(people["lee"], tid)
    rows = owner("select user_id, ticket_id, kind, status, attempts from email_outbox")
    assert rows == [
        {"user_id": people["student"].id, "ticket_id": tid, "kind": "claimed", "status": "pending", "attempts": 0}
    ]


def test_users_read_and_mark_only_their_own(people):
    student, lee = people["student"], people["lee"]
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    tickets.schedule_session(lee, {"ticket_id": tid, "start": tomorrow()})
    theirs = inbox.inbox(student)
    assert theirs.unread == 2 and [n.kind for n in theirs.items] == ["scheduled", "claimed"]
    assert inbox.inbox(lee).unread == 0 and inbox.inbox(lee).items == []

    first = theirs.items[-1].id
    assert inbox.get(lee, first) is None  # RLS: invisible to others
    assert inbox.mark_read(lee, first) is False
    assert inbox.unread_count(student) == 2
    assert inbox.mark_read(student, first) is True
    assert inbox.mark_read(student, first) is False  # already read
    assert inbox.unread_count(student) == 1
    assert inbox.mark_all_read(lee) == 0
    assert inbox.mark_all_read(student) == 1
    assert inbox.unread_count(student) == 0


@pytest.mark.parametrize("forged", ["1", 1.5, True, None, {"id": 1}, [1], -3, 0, 2**70])
def test_forged_ids_are_refused(people, forged):
    with pytest.raises(ValidationFailed):
        inbox.mark_read(people["student"], forged)


def test_runtime_role_cannot_write_notifications_or_reach_the_outbox(people):
    student = people["student"]
    tid = open_ticket(student)
    tickets.claim_ticket(people["lee"], tid)
    nid = owner("select id from notifications")[0]["id"]
    for sql in (
        "insert into notifications (user_id, kind, body) values (:u, 'x', 'y')",
        "update notifications set body = 'changed' where id = :n",
        "select * from email_outbox",
        "select * from crisis_escalations",
        "delete from notifications where id = :n",
    ):
        with pytest.raises(DBAPIError) as err, as_user(student.id) as s:
            s.execute(text(sql), {"u": student.id, "n": nid})
        assert err.value.orig.sqlstate == "42501", sql  # insufficient privilege
    with pytest.raises(DBAPIError), as_user(student.id) as s:
        s.execute(text("select app_notify_user(:u, null, 'x', 'forged', null)"), {"u": student.id})


def _age_ticket(tid, minutes: int) -> None:
    owner(
        "update support_tickets set created_at = now() - make_interval(mins => :m) where id = :t",
        {"m": minutes, "t": tid},
    )


def test_crisis_escalates_once_per_interval_until_claimed(people):
    student, lee, oncall, admin = people["student"], people["lee"], people["oncall"], people["admin"]
    inactive = make_counselor("Dr. Gone")
    set_active(inactive, False)
    normal = open_ticket(student)
    _age_ticket(normal, 60)  # not a crisis: never escalates
    tid = open_ticket(student, urgency=TicketUrgency.CRISIS)
    staff = {lee.id, oncall.id, admin.id}

    def escalations():
        return [n for n in notes(ticket=tid) if n["kind"] == "crisis_escalation"]

    assert background.escalate_once(10) == 0  # just opened
    _age_ticket(tid, 11)
    assert background.escalate_once(10) == 1
    assert {n["user_id"] for n in escalations()} == staff and len(escalations()) == 3
    assert background.escalate_once(10) == 0  # same round: nothing again (also from another worker)
    assert len(escalations()) == 3

    _age_ticket(tid, 21)
    assert background.escalate_once(10) == 1
    assert len(escalations()) == 6
    assert escalations()[-1]["body"] == "A crisis ticket has waited 20 minutes without a counselor."

    # Down for an hour: one catch-up alert for the latest round, not one per missed round.
    _age_ticket(tid, 75)
    assert background.escalate_once(10) == 1 and len(escalations()) == 9
    assert owner("select round from crisis_escalations order by round") == [{"round": r} for r in (1, 2, 7)]

    tickets.claim_ticket(lee, tid)
    _age_ticket(tid, 95)
    assert background.escalate_once(10) == 0
    assert len(escalations()) == 9
    assert notes(ticket=normal) == []
    assert_no_clinical_text()


def test_escalation_interval_has_a_floor(people):
    with pytest.raises(DBAPIError), as_user(None) as s:
        s.execute(text("select app_escalate_crisis(interval '1 second')"))
    assert run(None, "select app_escalate_crisis(interval '10 minutes') as n") == [{"n": 0}]
