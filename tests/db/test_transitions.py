"""Status transitions and row constraints, enforced by the database whatever the app does. These run
as the owner (no identity), so only the schema's own rules stand in the way."""

from __future__ import annotations

import itertools
from uuid import UUID

import pytest

from soulroute.db.models import TicketStatus as S
from soulroute.domain.rules import LEGAL_TRANSITIONS
from tests.db.sql import owner, owner_sqlstate
from tests.factories import make_counselor, make_student, open_ticket

# How to reach each status from open, as the owner.
PATH = {
    S.OPEN: [],
    S.CLAIMED: ["status = 'claimed', counselor_id = :c"],
    S.SCHEDULED: [
        "status = 'claimed', counselor_id = :c",
        "status = 'scheduled', scheduled_time = now() + interval '1 day'",
    ],
    S.COMPLETED: [
        "status = 'claimed', counselor_id = :c",
        "status = 'scheduled', scheduled_time = now() + interval '1 day'",
        "status = 'completed'",
    ],
    S.CLOSED: ["status = 'closed'"],
}
# What the target status needs besides the status itself.
EXTRA = {
    S.OPEN: "",
    S.CLAIMED: ", counselor_id = :c",
    S.SCHEDULED: ", scheduled_time = now() + interval '2 days'",
    S.COMPLETED: "",
    S.CLOSED: "",
}


def ticket_in(status: S) -> tuple[UUID, UUID]:
    counselor = make_counselor(capacity=50)
    tid = open_ticket(make_student())
    for step in PATH[status]:
        owner(f"update support_tickets set {step} where id = :t", {"t": tid, "c": counselor.id})
    return tid, counselor.id


def test_rules_mirror_the_database():
    rows = owner(
        "select a::text as a, b::text as b, app_ticket_transition_is_legal(a, b) as ok "
        "from unnest(enum_range(null::ticket_status)) a, unnest(enum_range(null::ticket_status)) b"
    )
    assert {(S(r["a"]), S(r["b"])) for r in rows if r["ok"]} == LEGAL_TRANSITIONS


@pytest.mark.parametrize(("src", "dst"), [p for p in itertools.product(S, S) if p not in LEGAL_TRANSITIONS])
def test_illegal_transition_refused(src, dst):
    tid, counselor = ticket_in(src)
    sql = f"update support_tickets set status = '{dst.value}'{EXTRA[dst]} where id = :t"
    assert owner_sqlstate(sql, {"t": tid, "c": counselor}) == "SR001"
    assert owner("select status from support_tickets where id = :t", {"t": tid})[0]["status"] == src.value


@pytest.mark.parametrize(("src", "dst"), sorted(p for p in LEGAL_TRANSITIONS if p[0] != p[1]))
def test_legal_transition_accepted(src, dst):
    tid, counselor = ticket_in(src)
    sql = f"update support_tickets set status = '{dst.value}'{EXTRA[dst]} where id = :t"
    assert owner_sqlstate(sql, {"t": tid, "c": counselor}) is None
    assert owner("select status from support_tickets where id = :t", {"t": tid})[0]["status"] == dst.value


def test_release_clears_counselor_and_schedule():
    tid, _ = ticket_in(S.SCHEDULED)
    owner("update support_tickets set status = 'open' where id = :t", {"t": tid})
    row = owner("select counselor_id, scheduled_time, meeting_link from support_tickets where id = :t", {"t": tid})[0]
    assert row == {"counselor_id": None, "scheduled_time": None, "meeting_link": None}


def test_claimed_needs_a_counselor_and_open_has_none():
    tid, counselor = ticket_in(S.OPEN)
    assert owner_sqlstate("update support_tickets set status = 'claimed' where id = :t", {"t": tid}) == "23514"
    assert (
        owner_sqlstate(
            "insert into support_tickets (student_id, counselor_id, title, description, category, "
            "urgency, session_mode) select student_id, :c, title, description, category, urgency, "
            "session_mode from support_tickets where id = :t",
            {"t": tid, "c": counselor},
        )
        == "23514"
    )


def test_scheduled_needs_a_time():
    tid, _ = ticket_in(S.CLAIMED)
    assert owner_sqlstate("update support_tickets set status = 'scheduled' where id = :t", {"t": tid}) == "23514"


def test_completed_ticket_keeps_its_counselor_when_closed():
    tid, counselor = ticket_in(S.COMPLETED)
    owner("update support_tickets set status = 'closed' where id = :t", {"t": tid})
    assert owner("select counselor_id from support_tickets where id = :t", {"t": tid})[0]["counselor_id"] == counselor


@pytest.mark.parametrize(
    "link",
    [
        "http://meet.example.org/room",
        "javascript:alert(1)",
        "https://",
        "ftp://x.org",
        "https://meet.example.org/a b",
    ],
)
def test_meeting_links_must_be_https(link):
    tid, _ = ticket_in(S.SCHEDULED)
    assert (
        owner_sqlstate("update support_tickets set meeting_link = :l where id = :t", {"t": tid, "l": link}) == "23514"
    )


def test_updated_at_and_lifecycle_stamps_kept_by_trigger():
    tid, _ = ticket_in(S.CLAIMED)
    row = owner("select created_at, updated_at, claimed_at from support_tickets where id = :t", {"t": tid})[0]
    assert row["claimed_at"] is not None and row["updated_at"] >= row["created_at"]


def test_history_is_append_only_even_for_the_owner():
    tid, _ = ticket_in(S.CLAIMED)
    assert owner_sqlstate("update ticket_events set kind = 'closed' where ticket_id = :t", {"t": tid}) == "SR002"
    kinds = [r["kind"] for r in owner("select kind from ticket_events where ticket_id = :t order by id", {"t": tid})]
    assert kinds == ["created", "claimed"]
