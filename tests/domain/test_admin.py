"""Admin oversight in the domain and the database: reasons in the history, capacity for admins too,
recorded capacity changes and deactivations, recorded description openings, the all-tickets
query, CSV export, headline figures and an account's activity."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from soulroute.db.models import TicketCategory as C
from soulroute.db.models import TicketUrgency as U
from soulroute.domain import admin, admin_accounts, queries, tickets
from soulroute.domain.errors import NotPermitted, OverCapacity, ValidationFailed
from tests.db.sql import REFUSED, owner, run, sqlstate
from tests.factories import make_admin, make_counselor, make_student, open_ticket

REASON = "Balancing the caseloads"


def _events(ticket_id: uuid.UUID) -> list[dict]:
    return owner("select kind, actor_id, detail from ticket_events where ticket_id = :t order by id", {"t": ticket_id})


def test_reassign_urgency_release_close_record_admin_and_reason():
    ada, student = make_admin("Ada"), make_student()
    lee, kim = make_counselor("Dr. Lee"), make_counselor("Dr. Kim")
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)

    row = admin.reassign(ada, {"ticket_id": tid, "counselor_id": kim.id, "reason": REASON})
    assert row.counselor_id == kim.id and row.status.value == "claimed"
    admin.change_urgency(ada, {"ticket_id": tid, "urgency": "crisis", "reason": "Student called the front desk"})
    admin.release(ada, {"ticket_id": tid, "reason": "Kim is away this week"})
    admin.close(ada, {"ticket_id": tid, "reason": "Duplicate of another ticket"})

    events = [e for e in _events(tid) if e["actor_id"] == ada.id]
    assert [(e["kind"], e["detail"]["reason"]) for e in events] == [
        ("reassigned", REASON),
        ("urgency_changed", "Student called the front desk"),
        ("released", "Kim is away this week"),
        ("cancelled", "Duplicate of another ticket"),
    ]
    # Regression (issue 12): the admin's reason was written into close_reason, which the student reads.
    assert owner("select close_reason from support_tickets where id = :t", {"t": tid})[0]["close_reason"] is None
    assert all("reason" not in e.detail for e in queries.ticket_history(student, tid) if e.actor_name == "Ada")


def test_what_the_student_is_told_is_apart_from_the_reason_and_lands_with_the_action():
    ada, student, lee = make_admin("Ada"), make_student(), make_counselor("Dr. Lee")
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    told = "We moved you to a counselor who can see you sooner."
    admin.release(ada, {"ticket_id": tid, "reason": "Lee is off sick this week", "student_message": told})
    seen = [(e.kind, e.detail.get("reason"), e.detail.get("message")) for e in queries.ticket_history(student, tid)]
    assert seen[-2:] == [("released", None, None), ("student_message", None, told)]
    notes = owner(
        "select kind, body from notifications where user_id = :s and kind = 'student_message'", {"s": student.id}
    )
    assert notes == [{"kind": "student_message", "body": "The counseling team left you a message on your ticket."}]

    # A refused action writes no message either; an over-long message is refused next to its field.
    with pytest.raises(Exception):
        admin.release(ada, {"ticket_id": tid, "reason": "Again, by mistake", "student_message": "Never sent"})
    assert "Never sent" not in str(queries.ticket_history(student, tid))
    with pytest.raises(ValidationFailed) as err:
        admin.close(ada, {"ticket_id": tid, "reason": "Duplicate", "student_message": "x" * 501})
    assert set(err.value.errors) == {"student_message"}


def test_only_an_admin_may_tell_a_student_and_public_may_not_execute_it():
    student, lee = make_student(), make_counselor()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    told = "select app_tell_student(:t, 'Your counselor says hi')"
    assert sqlstate(lee, told, {"t": tid}) in REFUSED
    assert sqlstate(student, told, {"t": tid}) in REFUSED
    assert sqlstate(make_admin(), "select app_tell_student(:t, :m)", {"t": tid, "m": "a\u202eb"}) == "23514"
    assert not owner("select has_function_privilege('public', 'app_tell_student(uuid,text)', 'execute') as ok")[0]["ok"]


@pytest.mark.parametrize("reason", [None, "", "   ", "ok"])
def test_every_admin_action_needs_a_reason(reason):
    ada, tid = make_admin(), open_ticket(make_student())
    for fn, extra in (
        (admin.change_urgency, {"urgency": "high"}),
        (admin.close, {}),
        (admin.release, {}),
        (admin.reassign, {"counselor_id": str(uuid.uuid4())}),
    ):
        with pytest.raises(ValidationFailed) as err:
            fn(ada, {"ticket_id": str(tid), "reason": reason, **extra})
        assert set(err.value.errors) == {"reason"}


def test_capacity_holds_for_admins_until_raised_with_a_recorded_reason():
    ada, student = make_admin(), make_student()
    full = make_counselor("Dr. Full", capacity=1)
    tickets.claim_ticket(full, open_ticket(student))
    tid = open_ticket(student, urgency=U.HIGH)
    with pytest.raises(OverCapacity):
        admin.reassign(ada, {"ticket_id": tid, "counselor_id": full.id, "reason": REASON})
    with pytest.raises(ValidationFailed):
        admin_accounts.change_capacity(ada, {"user_id": full.id, "capacity": 2, "reason": ""})
    admin_accounts.change_capacity(ada, {"user_id": full.id, "capacity": 2, "reason": "Covering for Dr. Kim"})
    admin.reassign(ada, {"ticket_id": tid, "counselor_id": full.id, "reason": REASON})
    audit = owner("select actor_id, subject_id, action, detail, reason from admin_audit")
    assert audit == [
        {
            "actor_id": ada.id,
            "subject_id": full.id,
            "action": "profile_changed",
            "detail": {"capacity": {"from": 1, "to": 2}},
            "reason": "Covering for Dr. Kim",
        }
    ]


def test_counselor_edits_own_profile_without_audit_and_only_admins_read_it():
    lee, ada = make_counselor(), make_admin()
    run(lee, "update counselor_profiles set capacity = 9 where user_id = :u", {"u": lee.id})
    assert owner("select count(*) as n from admin_audit")[0]["n"] == 0
    admin_accounts.update_counselor(
        ada,
        {"user_id": lee.id, "display_name": "Dr. Lee Renamed", "expertise": ["stress"], "session_modes": ["chat"],
         "capacity": 3, "accepting_new": True, "on_call_crisis": True, "reason": "Annual profile review"},
    )  # fmt: skip
    assert {r["action"] for r in run(ada, "select action from admin_audit")} == {"profile_changed", "account_renamed"}
    assert run(lee, "select * from admin_audit") == []
    assert sqlstate(lee, "insert into admin_audit (actor_id, subject_id, action) values (:u, :u, 'profile_changed')",
                    {"u": lee.id}) in REFUSED  # fmt: skip
    assert sqlstate(ada, "delete from admin_audit") in REFUSED


def test_opening_a_description_is_recorded_and_only_for_admins():
    ada, student, lee = make_admin(), make_student(), make_counselor()
    tid = open_ticket(student)
    with pytest.raises(ValidationFailed):
        admin_accounts.open_description(ada, {"ticket_id": tid, "reason": ""})
    body = admin_accounts.open_description(ada, {"ticket_id": tid, "reason": "Checking the urgency"})
    assert body.startswith("I lie awake")
    assert sqlstate(lee, "select open_ticket_description(:t, 'curious about it')", {"t": tid}) == "SR002"
    assert sqlstate(student, "select open_ticket_description(:t, 'curious about it')", {"t": tid}) == "SR002"
    # The student sees who opened their file, and why.
    seen = run(student, "select accessor_id, what, reason from record_access_log")
    assert seen == [{"accessor_id": ada.id, "what": "description", "reason": "Checking the urgency"}]
    _events_, accesses = admin_accounts.ticket_audit(ada, tid)
    assert [(a.what, a.reason) for a in accesses] == [("description", "Checking the urgency")]


def test_non_admins_cannot_use_admin_operations():
    lee, student, tid = make_counselor(), make_student(), None
    tid = open_ticket(student)
    for actor in (lee, student):
        with pytest.raises(NotPermitted):
            admin.list_all_tickets(actor)
        with pytest.raises(NotPermitted):
            admin.change_urgency(actor, {"ticket_id": tid, "urgency": "low", "reason": REASON})
        with pytest.raises(NotPermitted):
            admin_accounts.list_counselors(actor)


def test_all_tickets_filters_sort_search_pages_and_count():
    ada, s = make_admin(), make_student()
    lee = make_counselor(expertise=[C.STRESS])
    ids = [open_ticket(s, title=f"Ticket number {i:02d}", category=C.STRESS) for i in range(7)]
    crisis = open_ticket(s, title="Panic tonight", urgency=U.CRISIS)
    tickets.claim_ticket(lee, ids[0])

    page = admin.list_all_tickets(ada, {"page_size": 25})
    assert page.total == 8 and not page.total_capped
    assert [r.id for r in page.rows][:2] == [crisis, ids[6]]  # newest first
    assert admin.list_all_tickets(ada, {"urgency": "crisis"}).rows[0].id == crisis
    assert [r.id for r in admin.list_all_tickets(ada, {"counselor_id": str(lee.id)}).rows] == [ids[0]]
    assert admin.list_all_tickets(ada, {"status": "claimed"}).rows[0].counselor_name == lee.display_name
    assert admin.list_all_tickets(ada, {"search": "panic"}).total == 1
    assert admin.list_all_tickets(ada, {"search": "100%_"}).total == 0
    first = admin.list_all_tickets(ada, {"sort": "created_asc", "page_size": 25, "page": 1})
    assert first.rows[0].id == ids[0]
    assert admin.list_all_tickets(ada, {"page_size": 25, "page": 2}).rows == []
    today = datetime.now(UTC).date()
    assert admin.list_all_tickets(ada, {"created_from": today.isoformat(), "created_to": today.isoformat()}).total == 8
    assert admin.list_all_tickets(ada, {"created_to": (today - timedelta(days=1)).isoformat()}).total == 0
    for forged in (
        {"sort": "id; drop table users"},
        {"page_size": 10_000},
        {"status": "gone"},
        {"x": 1},
        {"created_from": today.isoformat(), "created_to": (today - timedelta(days=2)).isoformat()},
    ):
        with pytest.raises(ValidationFailed):
            admin.list_all_tickets(ada, forged)  # fmt: skip


def test_csv_export_without_descriptions_unless_asked_with_a_reason():
    ada, s = make_admin(), make_student()
    open_ticket(s, title="=HYPERLINK(evil)")
    open_ticket(s, title="Exam worries")
    data, n = admin.export_csv(ada, {})
    rows = list(csv.reader(io.StringIO(data)))
    assert n == 2 and "description" not in rows[0]
    assert rows[2][1] == "'=HYPERLINK(evil)"  # no formula reaches a spreadsheet
    assert owner("select count(*) as n from record_access_log")[0]["n"] == 0
    with pytest.raises(ValidationFailed):
        admin.export_csv(ada, {}, include_descriptions=True, reason="")
    data, n = admin.export_csv(ada, {}, include_descriptions=True, reason="Quarterly case review")
    assert list(csv.reader(io.StringIO(data)))[0][-1] == "description"
    assert owner("select count(*) as n from record_access_log where reason = 'Quarterly case review'")[0]["n"] == 2


def test_dashboard_figures_and_crisis_queue():
    ada, s, lee = make_admin(), make_student(), make_counselor(expertise=[C.ANXIETY])
    old = open_ticket(s, urgency=U.CRISIS)
    new = open_ticket(s, urgency=U.HIGH)
    open_ticket(s, urgency=U.LOW)
    stale = open_ticket(s)
    tickets.claim_ticket(lee, stale)
    owner("update support_tickets set created_at = now() - interval '3 hours' where id = :t", {"t": old})
    owner("update support_tickets set claimed_at = now() - interval '2 days' where id = :t", {"t": stale})
    now = datetime.now(UTC)
    f = admin.dashboard_figures(ada, now - timedelta(hours=12), now + timedelta(hours=12))
    assert (f.open_tickets, f.open_crisis, f.stale_claims, f.sessions_today) == (3, 1, 1, 0)
    assert now - f.oldest_crisis_at > timedelta(hours=2, minutes=59)
    assert [r.id for r in admin.crisis_queue(ada)] == [old, new]


def test_crisis_queue_puts_every_crisis_first_even_behind_older_high_tickets():
    """Regression: the queue was ordered by waiting time only, so a new crisis sat under older high rows."""
    ada, s = make_admin(), make_student()
    older_high = open_ticket(s, urgency=U.HIGH)
    newer_crisis = open_ticket(s, urgency=U.CRISIS)
    oldest_crisis = open_ticket(s, urgency=U.CRISIS)
    owner("update support_tickets set created_at = now() - interval '5 hours' where id = :t", {"t": older_high})
    owner("update support_tickets set created_at = now() - interval '1 hour' where id = :t", {"t": oldest_crisis})
    expected = [oldest_crisis, newer_crisis, older_high]
    assert [r.id for r in admin.crisis_queue(ada) if r.id in expected] == expected


def test_deactivation_lists_held_tickets_records_reason_and_ends_sessions():
    ada, s, lee = make_admin(), make_student(), make_counselor()
    tid = open_ticket(s)
    tickets.claim_ticket(lee, tid)
    owner("insert into auth_sessions (user_id, idle_timeout, expires_at) values (:u, '1 hour', now() + '1 day')",
          {"u": lee.id})  # fmt: skip
    with pytest.raises(ValidationFailed):
        admin_accounts.set_account_status(ada, {"user_id": lee.id, "active": False, "reason": ""})
    with pytest.raises(NotPermitted):
        admin_accounts.set_account_status(ada, {"user_id": ada.id, "active": False, "reason": "Leaving the team"})
    held = admin_accounts.set_account_status(ada, {"user_id": lee.id, "active": False, "reason": "Left the center"})
    assert held == [tid]
    assert owner("select count(*) as n from auth_sessions where revoked_at is null and user_id = :u",
                 {"u": lee.id})[0]["n"] == 0  # fmt: skip
    assert owner("select action, reason from admin_audit") == [
        {"action": "account_deactivated", "reason": "Left the center"}
    ]
    counselors = admin_accounts.list_counselors(ada)
    assert [(c.is_active, c.active) for c in counselors if c.id == lee.id] == [(False, 1)]
    assert admin_accounts.list_counselors(ada, only_free=True) == []
    kim = make_counselor("Dr. Kim")
    admin.reassign(ada, {"ticket_id": tid, "counselor_id": kim.id, "reason": "Lee has left"})


def test_account_activity_over_a_period():
    ada, s = make_admin(), make_student()
    lee = make_counselor()
    tid = open_ticket(s)
    admin.change_urgency(ada, {"ticket_id": tid, "urgency": "high", "reason": "Escalated by phone"})
    admin_accounts.open_description(ada, {"ticket_id": tid, "reason": "Checking the details"})
    admin_accounts.change_capacity(ada, {"user_id": lee.id, "capacity": 8, "reason": "More hours this term"})
    now = datetime.now(UTC)
    rows = admin_accounts.account_activity(ada, {"user_id": ada.id, "start": now - timedelta(hours=1), "end": now})
    assert [(r.source, r.kind, r.reason) for r in rows] == [
        ("account", "profile_changed", "More hours this term"),
        ("access", "opened_description", "Checking the details"),
        ("ticket", "urgency_changed", "Escalated by phone"),
    ]
    later = admin_accounts.account_activity(
        ada, {"user_id": ada.id, "start": now + timedelta(hours=1), "end": now + timedelta(hours=2)}
    )
    assert later == []


def test_dashboard_figures_function_is_for_admins_only():
    from tests.db.sql import sqlstate
    from tests.factories import make_counselor, make_student

    sql = "select * from admin_dashboard_figures(now(), now() + interval '1 day', interval '1 day')"
    assert sqlstate(make_counselor(), sql) == "SR002"
    assert sqlstate(make_student(), sql) == "SR002"
    assert sqlstate(None, sql) == "SR002"


def test_access_log_shows_the_student_and_admins_who_opened_their_file_and_nobody_else():
    ada, s, other, lee = make_admin(), make_student(), make_student(), make_counselor(expertise=[C.ANXIETY])
    tid = open_ticket(s)
    owner(
        "insert into record_access_log (ticket_id, accessor_id, what, reason) values (:t, :a, 'description', 'review')",
        {"t": tid, "a": ada.id},
    )
    assert [r.accessor_name for r in queries.access_log(s, tid)] == [ada.display_name]
    assert [r.accessor_name for r in queries.access_log(ada, tid)] == [ada.display_name]
    assert queries.access_log(other, tid) == []
    assert queries.access_log(lee, tid) == []


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        (admin_accounts.change_capacity, {}),
        (
            admin_accounts.update_counselor,
            {"display_name": "Dr. Lee", "expertise": ["anxiety"], "session_modes": ["video"],
             "accepting_new": True, "on_call_crisis": False},
        ),
    ],
)  # fmt: skip
def test_an_out_of_range_capacity_is_explained_with_the_real_limits(operation, extra):
    """Regression: capacity 99 was answered "Capacity must be between 10 and 240 minutes"."""
    counselor = make_counselor()
    with pytest.raises(ValidationFailed) as err:
        operation(make_admin(), {"user_id": counselor.id, "capacity": 99, "reason": "Cover for a colleague", **extra})
    assert err.value.errors == {"capacity": "Capacity must be a whole number from 0 to 50."}


def test_a_session_length_out_of_range_names_its_limits_in_minutes():
    counselor, student = make_counselor(), make_student()
    tid = open_ticket(student)
    tickets.claim_ticket(counselor, tid)
    start = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(ValidationFailed) as err:
        tickets.schedule_session(counselor, {"ticket_id": tid, "start": start, "session_minutes": 5,
                                             "meeting_link": "https://meet.example.org/x"})  # fmt: skip
    assert err.value.errors == {"session_minutes": "Session length must be a whole number from 10 to 240 minutes."}
