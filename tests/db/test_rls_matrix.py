"""The row-level security matrix: each role × each table × select/insert/update/delete, run as the
runtime role with raw SQL, so what is proven here is the database's own enforcement."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest

from soulroute.db.models import TicketCategory as C
from soulroute.db.models import TicketUrgency as U
from soulroute.domain import tickets
from soulroute.domain.rules import Actor
from tests.db.sql import REFUSED, RLS_REFUSED, owner, rowcount, run, sqlstate
from tests.factories import make_admin, make_counselor, make_student, open_ticket, set_active

TABLES = [
    "users",
    "counselor_profiles",
    "support_tickets",
    "ticket_events",
    "session_notes",
    "notifications",
    "record_access_log",
    "ticket_messages",
    "ticket_message_reads",
]


@dataclass
class World:
    alice: Actor  # student
    bob: Actor  # student
    lee: Actor  # counselor: anxiety
    kim: Actor  # counselor: depression
    admin: Actor
    alice_open: UUID  # anxiety, medium, open
    alice_claimed: UUID  # anxiety, claimed by Lee
    bob_open: UUID  # depression, open
    bob_crisis: UUID  # academic, crisis, open
    bob_other: UUID  # other, low, open
    bob_academic: UUID  # academic, low, open: nobody's expertise


@pytest.fixture
def w() -> World:
    alice, bob = make_student("Alice"), make_student("Bob")
    lee = make_counselor("Dr. Lee", expertise=[C.ANXIETY], capacity=3)
    kim = make_counselor("Dr. Kim", expertise=[C.DEPRESSION], capacity=3)
    admin = make_admin("Ada Admin")
    world = World(
        alice, bob, lee, kim, admin,
        alice_open=open_ticket(alice, category=C.ANXIETY),
        alice_claimed=open_ticket(alice, category=C.ANXIETY),
        bob_open=open_ticket(bob, category=C.DEPRESSION),
        bob_crisis=open_ticket(bob, category=C.ACADEMIC, urgency=U.CRISIS),
        bob_other=open_ticket(bob, category=C.OTHER, urgency=U.LOW),
        bob_academic=open_ticket(bob, category=C.ACADEMIC, urgency=U.LOW),
    )  # fmt: skip
    tickets.claim_ticket(lee, world.alice_claimed)
    # Known rows only: what the database's own triggers notify is tested in test_notifications.py.
    owner("delete from notifications")
    owner(
        "insert into notifications (user_id, ticket_id, kind, body) values (:a, :t, 'claimed', 'Your ticket was claimed'),"
        " (:b, :t2, 'claimed', 'Something changed')",
        {"a": alice.id, "t": world.alice_claimed, "b": bob.id, "t2": world.bob_open},
    )
    owner(
        "insert into session_notes (ticket_id, author_id, body) values (:t, :lee, 'Clinical note by Lee')",
        {"t": world.alice_claimed, "lee": lee.id},
    )
    owner(
        "insert into record_access_log (ticket_id, accessor_id, what, reason) values (:t, :adm, 'description', 'Audit')",
        {"t": world.alice_claimed, "adm": admin.id},
    )
    owner(
        "insert into ticket_messages (ticket_id, author_id, body) values (:t, :a, 'Can we meet on Thursday?')",
        {"t": world.alice_claimed, "a": alice.id},
    )
    owner(
        "insert into ticket_message_reads (ticket_id, user_id, last_read_id)"
        " select ticket_id, author_id, id from ticket_messages where ticket_id = :t",
        {"t": world.alice_claimed},
    )
    return world


def ids(actor: Actor | None, table: str, col: str = "id") -> set:
    return {r[col] for r in run(actor, f"select {col} from {table}")}


# --- no identity -----------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_runtime_role_without_identity_sees_zero_rows(w, table):
    assert owner(f"select count(*) as n from {table}")[0]["n"] > 0
    assert run(None, f"select count(*) as n from {table}")[0]["n"] == 0


def test_inactive_user_sees_nothing(w):
    set_active(w.lee, False)
    assert ids(w.lee, "support_tickets") == set()
    assert rowcount(w.lee, "update support_tickets set notes = 'x' where id = :t", {"t": w.alice_claimed}) == 0


# --- support_tickets ----------------------------------------------------------------------------


def test_ticket_visibility_per_role(w):
    assert ids(w.alice, "support_tickets") == {w.alice_open, w.alice_claimed}
    assert ids(w.bob, "support_tickets") == {w.bob_open, w.bob_crisis, w.bob_other, w.bob_academic}
    # Lee: open anxiety + crisis + other + his own claimed; not depression, not academic-low.
    assert ids(w.lee, "support_tickets") == {w.alice_open, w.alice_claimed, w.bob_crisis, w.bob_other}
    # Kim: open depression + crisis + other; not Lee's claimed anxiety ticket.
    assert ids(w.kim, "support_tickets") == {w.bob_open, w.bob_crisis, w.bob_other}
    assert len(ids(w.admin, "support_tickets")) == 6


def test_ticket_insert(w):
    row = {"t": "Need to talk soon", "d": "A description that is long enough.", "s": w.alice.id}
    sql = (
        "insert into support_tickets (student_id, title, description, category, urgency, session_mode) "
        "values (:s, :t, :d, 'stress', 'low', 'chat')"
    )
    assert sqlstate(w.alice, sql, row) is None
    assert sqlstate(w.bob, sql, row) in REFUSED  # for another student
    assert sqlstate(w.lee, sql, row) in REFUSED
    assert sqlstate(w.admin, sql, row) in REFUSED
    # A student cannot start a ticket in another state or pre-assigned (no grant on those columns).
    pre = (
        "insert into support_tickets (student_id, title, description, category, urgency, session_mode, status) "
        "values (:s, :t, :d, 'stress', 'low', 'chat', 'claimed')"
    )
    assert sqlstate(w.alice, pre, row) in REFUSED


def test_student_updates(w):
    cancel = "update support_tickets set status = 'closed', close_reason = 'better now' where id = :t"
    assert rowcount(w.bob, cancel, {"t": w.alice_open}) == 0  # another's ticket is invisible
    assert (
        sqlstate(w.alice, "update support_tickets set title = 'Changed title' where id = :t", {"t": w.alice_open})
        in REFUSED
    )
    assert (
        sqlstate(w.alice, "update support_tickets set urgency = 'crisis' where id = :t", {"t": w.alice_open}) in REFUSED
    )
    assert (
        sqlstate(
            w.alice,
            "update support_tickets set status = 'claimed', counselor_id = :me where id = :t",
            {"t": w.alice_open, "me": w.alice.id},
        )
        in REFUSED
    )
    assert rowcount(w.alice, cancel, {"t": w.alice_open}) == 1


def test_counselor_updates(w):
    claim = "update support_tickets set status = 'claimed', counselor_id = :me where id = :t"
    # Outside the category: invisible, nothing happens.
    assert rowcount(w.kim, claim, {"t": w.alice_open, "me": w.kim.id}) == 0
    # Claiming for someone else.
    assert sqlstate(w.lee, claim, {"t": w.alice_open, "me": w.kim.id}) in REFUSED
    # Editing what the student wrote.
    assert (
        sqlstate(
            w.lee,
            "update support_tickets set description = 'rewritten by counselor' where id = :t",
            {"t": w.alice_claimed},
        )
        in REFUSED
    )
    # Touching an open ticket without claiming it.
    assert sqlstate(w.lee, "update support_tickets set urgency = 'low' where id = :t", {"t": w.alice_open}) in REFUSED
    # Another counselor's ticket: invisible.
    assert rowcount(w.kim, "update support_tickets set notes = 'x' where id = :t", {"t": w.alice_claimed}) == 0
    # Counselors do not cancel.
    assert (
        sqlstate(w.lee, "update support_tickets set status = 'closed' where id = :t", {"t": w.alice_claimed}) in REFUSED
    )
    assert rowcount(w.lee, claim, {"t": w.bob_crisis, "me": w.lee.id}) == 1


def test_counselor_at_capacity_is_refused_by_the_database(w):
    owner("update counselor_profiles set capacity = 1 where user_id = :u", {"u": w.lee.id})
    claim = "update support_tickets set status = 'claimed', counselor_id = :me where id = :t"
    assert sqlstate(w.lee, claim, {"t": w.alice_open, "me": w.lee.id}) == "SR003"
    assert owner("select status from support_tickets where id = :t", {"t": w.alice_open})[0]["status"] == "open"


def test_counselor_not_accepting_new_cannot_claim(w):
    owner("update counselor_profiles set accepting_new = false where user_id = :u", {"u": w.lee.id})
    claim = "update support_tickets set status = 'claimed', counselor_id = :me where id = :t"
    assert sqlstate(w.lee, claim, {"t": w.alice_open, "me": w.lee.id}) == "SR005"


def test_admin_updates(w):
    assert rowcount(w.admin, "update support_tickets set urgency = 'high' where id = :t", {"t": w.bob_open}) == 1
    assert (
        sqlstate(w.admin, "update support_tickets set title = 'Admin rewrote' where id = :t", {"t": w.bob_open})
        in REFUSED
    )
    # Reassign to Kim (within capacity).
    assert (
        rowcount(
            w.admin,
            "update support_tickets set counselor_id = :k where id = :t",
            {"k": w.kim.id, "t": w.alice_claimed},
        )
        == 1
    )
    # Assign to a student: not a counselor.
    assert (
        sqlstate(
            w.admin,
            "update support_tickets set counselor_id = :s where id = :t",
            {"s": w.bob.id, "t": w.alice_claimed},
        )
        == "SR005"
    )


@pytest.mark.parametrize("who", ["alice", "lee", "admin"])
def test_nobody_deletes_tickets(w, who):
    assert sqlstate(getattr(w, who), "delete from support_tickets where id = :t", {"t": w.alice_open}) == RLS_REFUSED


# --- ticket_events ----------------------------------------------------------------------------------


def test_events_follow_ticket_visibility(w):
    assert {r["ticket_id"] for r in run(w.alice, "select ticket_id from ticket_events")} == {
        w.alice_open,
        w.alice_claimed,
    }
    kim_sees = {r["ticket_id"] for r in run(w.kim, "select ticket_id from ticket_events")}
    assert w.alice_claimed not in kim_sees and w.bob_open in kim_sees
    assert len({r["ticket_id"] for r in run(w.admin, "select ticket_id from ticket_events")}) == 6


@pytest.mark.parametrize("who", ["alice", "lee", "admin"])
def test_events_are_written_only_by_the_database(w, who):
    actor = getattr(w, who)
    assert (
        sqlstate(actor, "insert into ticket_events (ticket_id, kind) values (:t, 'closed')", {"t": w.alice_claimed})
        == RLS_REFUSED
    )
    assert sqlstate(actor, "update ticket_events set kind = 'closed'") == RLS_REFUSED
    assert sqlstate(actor, "delete from ticket_events") == RLS_REFUSED


# --- session_notes --------------------------------------------------------------------------------------


def test_session_notes_only_for_their_author(w):
    assert [r["body"] for r in run(w.lee, "select body from session_notes")] == ["Clinical note by Lee"]
    for other in (w.kim, w.alice, w.admin, w.bob):
        assert run(other, "select body from session_notes") == []


def test_session_notes_insert(w):
    sql = "insert into session_notes (ticket_id, author_id, body) values (:t, :a, 'note')"
    assert sqlstate(w.lee, sql, {"t": w.alice_claimed, "a": w.lee.id}) is None
    assert sqlstate(w.kim, sql, {"t": w.alice_claimed, "a": w.kim.id}) == RLS_REFUSED  # not his ticket
    assert sqlstate(w.kim, sql, {"t": w.alice_claimed, "a": w.lee.id}) == RLS_REFUSED  # as someone else
    assert sqlstate(w.alice, sql, {"t": w.alice_claimed, "a": w.alice.id}) == RLS_REFUSED
    assert sqlstate(w.lee, "update session_notes set body = 'edited'") == RLS_REFUSED
    assert sqlstate(w.lee, "delete from session_notes") == RLS_REFUSED


def test_admin_breaks_the_glass_with_a_recorded_reason(w):
    assert sqlstate(w.admin, "select * from read_session_notes_as_admin(:t, '')", {"t": w.alice_claimed}) in REFUSED
    assert (
        sqlstate(w.lee, "select * from read_session_notes_as_admin(:t, 'curious about it')", {"t": w.alice_claimed})
        in REFUSED
    )
    rows = run(
        w.admin,
        "select body from read_session_notes_as_admin(:t, 'Complaint review #12')",
        {"t": w.alice_claimed},
    )
    assert [r["body"] for r in rows] == ["Clinical note by Lee"]
    log = owner("select accessor_id, what, reason from record_access_log where what = 'session_notes'")
    assert log == [{"accessor_id": w.admin.id, "what": "session_notes", "reason": "Complaint review #12"}]


# --- notifications --------------------------------------------------------------------------------------


def test_notifications_are_private(w):
    assert [r["body"] for r in run(w.alice, "select body from notifications")] == ["Your ticket was claimed"]
    assert run(w.admin, "select body from notifications") == []
    assert rowcount(w.bob, "update notifications set read_at = now() where user_id = :a", {"a": w.alice.id}) == 0
    assert rowcount(w.alice, "update notifications set read_at = now()") == 1
    assert sqlstate(w.alice, "update notifications set body = 'x'") == RLS_REFUSED
    assert (
        sqlstate(
            w.alice,
            "insert into notifications (user_id, kind, body) values (:a, 'x', 'y')",
            {"a": w.alice.id},
        )
        == RLS_REFUSED
    )
    assert sqlstate(w.alice, "delete from notifications") == RLS_REFUSED


# --- users and counselor_profiles -------------------------------------------------------------------------


def test_user_visibility(w):
    staff = {w.lee.id, w.kim.id, w.admin.id}
    assert ids(w.alice, "users") == {w.alice.id} | staff
    assert ids(w.kim, "users") == {w.kim.id} | staff  # holds no student's ticket
    assert ids(w.lee, "users") == {w.alice.id} | staff  # holds Alice's ticket, not Bob's
    assert len(ids(w.admin, "users")) == 5


def test_password_hashes_are_not_readable(w):
    for actor in (w.alice, w.lee, w.admin):
        assert sqlstate(actor, "select password_hash from users") == RLS_REFUSED


def test_user_writes(w):
    assert sqlstate(w.alice, "update users set role = 'admin' where id = :me", {"me": w.alice.id}) == RLS_REFUSED
    assert rowcount(w.alice, "update users set display_name = 'Alice B' where id = :me", {"me": w.alice.id}) == 1
    assert rowcount(w.alice, "update users set display_name = 'Hacked' where id = :b", {"b": w.bob.id}) == 0
    insert = "insert into users (email, display_name, role) values ('new@uni.test', 'New', 'counselor')"
    assert sqlstate(w.alice, insert) == RLS_REFUSED
    assert sqlstate(w.lee, insert) == RLS_REFUSED
    assert sqlstate(w.admin, insert) is None
    assert sqlstate(w.admin, "delete from users where id = :b", {"b": w.bob.id}) == RLS_REFUSED


def test_counselor_profiles(w):
    assert ids(w.lee, "counselor_profiles", "user_id") == {w.lee.id}
    assert ids(w.alice, "counselor_profiles", "user_id") == set()
    assert ids(w.admin, "counselor_profiles", "user_id") == {w.lee.id, w.kim.id}
    assert rowcount(w.lee, "update counselor_profiles set capacity = 4 where user_id = :u", {"u": w.lee.id}) == 1
    assert rowcount(w.lee, "update counselor_profiles set capacity = 99 where user_id = :u", {"u": w.kim.id}) == 0
    assert rowcount(w.admin, "update counselor_profiles set capacity = 6 where user_id = :u", {"u": w.kim.id}) == 1
    insert = "insert into counselor_profiles (user_id) values (:u)"
    assert sqlstate(w.lee, insert, {"u": w.alice.id}) == RLS_REFUSED
    assert sqlstate(w.alice, insert, {"u": w.alice.id}) == RLS_REFUSED


# --- record_access_log --------------------------------------------------------------------------------------


def test_access_log_visibility_and_append_only(w):
    assert len(run(w.alice, "select id from record_access_log")) == 1  # her file was opened
    assert run(w.bob, "select id from record_access_log") == []
    assert run(w.lee, "select id from record_access_log") == []
    assert len(run(w.admin, "select id from record_access_log")) == 1
    for actor in (w.alice, w.admin):
        assert (
            sqlstate(
                actor,
                "insert into record_access_log (ticket_id, accessor_id, what, reason) "
                "values (:t, :a, 'description', 'because')",
                {"t": w.alice_open, "a": actor.id},
            )
            == RLS_REFUSED
        )
        assert sqlstate(actor, "delete from record_access_log") == RLS_REFUSED


# --- reasons in the history (0024) -------------------------------------------------------------------


def test_a_staff_reason_reaches_admins_the_actor_and_the_holder_but_never_the_student() -> None:
    """Regression: an admin's reason ("Failing two modules…") was shown word for word on the student's page,
    and the runtime role could read it for the student from ticket_events.detail."""
    from soulroute.domain import admin

    student, other, lee, kim, boss = make_student(), make_student(), make_counselor(), make_counselor(), make_admin()
    ticket = open_ticket(student)
    tickets.claim_ticket(lee, ticket)
    admin.reassign(boss, {"ticket_id": ticket, "counselor_id": kim.id, "reason": "Failing two modules, needs Kim"})
    own = open_ticket(student)
    tickets.close_ticket(student, {"ticket_id": own, "reason": "Feeling better now"})

    def reasons(actor: Actor, t: UUID) -> list[str]:
        sql = """select d.detail ->> 'reason' as r from ticket_event_details d join ticket_events e on e.id = d.id
                 where e.ticket_id = :t and d.detail ? 'reason' order by e.id"""
        return [r["r"] for r in run(actor, sql, {"t": t})]

    staff_reason = ["Failing two modules, needs Kim"]
    assert reasons(boss, ticket) == staff_reason  # admins
    assert reasons(kim, ticket) == staff_reason  # the counselor who holds it now
    assert reasons(student, ticket) == []  # the student: that it was reassigned, not why
    assert reasons(other, ticket) == []
    assert reasons(student, own) == ["Feeling better now"]  # their own reason, as they gave it
    kinds = [r["kind"] for r in run(student, "select kind from ticket_events where ticket_id = :t order by id",
                                    {"t": ticket})]  # fmt: skip
    assert kinds == ["created", "claimed", "reassigned"]
    for who in (student, lee, kim, boss):
        assert sqlstate(who, "select detail from ticket_events") == RLS_REFUSED  # only through the view


# --- ticket_messages (0026) ---------------------------------------------------------------------


MESSAGE = "insert into ticket_messages (ticket_id, author_id, body) values (:t, :a, :b)"


def test_a_conversation_is_read_by_its_student_and_holder_only(w):
    body = {r["body"] for r in run(w.alice, "select body from ticket_message_texts")}
    assert body == {"Can we meet on Thursday?"}
    # The text only through the view: the runtime role cannot read ticket_messages.body itself.
    assert sqlstate(w.alice, "select body from ticket_messages") == RLS_REFUSED
    assert ids(w.lee, "ticket_messages", "ticket_id") == {w.alice_claimed}
    for outsider in (w.bob, w.kim, w.admin):  # admins too: only a recorded path may open it
        assert run(outsider, "select id from ticket_messages") == []
        assert run(outsider, "select * from ticket_message_reads") == []
        assert run(outsider, "select * from ticket_message_texts") == []
    assert ids(w.lee, "ticket_message_reads", "user_id") == {w.alice.id}


def test_messages_are_written_only_as_yourself_into_an_open_conversation_and_never_changed(w):
    assert sqlstate(w.lee, MESSAGE, {"t": w.alice_claimed, "a": w.lee.id, "b": "Thursday at 10 works."}) is None
    # As someone else, into someone else's conversation, into a ticket nobody holds, or as an admin.
    assert sqlstate(w.lee, MESSAGE, {"t": w.alice_claimed, "a": w.alice.id, "b": "Forged"}) in REFUSED
    assert sqlstate(w.kim, MESSAGE, {"t": w.alice_claimed, "a": w.kim.id, "b": "Hello"}) in REFUSED
    assert sqlstate(w.alice, MESSAGE, {"t": w.alice_open, "a": w.alice.id, "b": "Anyone?"}) in REFUSED
    assert sqlstate(w.admin, MESSAGE, {"t": w.alice_claimed, "a": w.admin.id, "b": "Admin here"}) in REFUSED
    # No edits, no deletions, no back-dating: the runtime role holds no such privilege.
    for sql in (
        "update ticket_messages set body = 'changed'",
        "delete from ticket_messages",
        "insert into ticket_messages (ticket_id, author_id, body, created_at) values (:t, :a, 'x', now() - interval '1 day')",
    ):
        assert sqlstate(w.alice, sql, {"t": w.alice_claimed, "a": w.alice.id}) in REFUSED
    # Empty, over-long, or carrying bidirectional controls: the table refuses it.
    for bad in ("   ", "x" * 2001, "a\u202eb"):
        assert sqlstate(w.alice, MESSAGE, {"t": w.alice_claimed, "a": w.alice.id, "b": bad}) == "23514"
    # Closed: read-only.
    tickets.close_ticket(w.alice, {"ticket_id": w.alice_claimed, "reason": "Feeling better"})
    assert sqlstate(w.alice, MESSAGE, {"t": w.alice_claimed, "a": w.alice.id, "b": "One more"}) in REFUSED
    assert len(run(w.alice, "select id from ticket_messages")) == 2
