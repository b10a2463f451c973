"""Concurrent claims: one winner per ticket, and a counselor's capacity holds under a burst."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from soulroute.db.models import TicketCategory as C
from soulroute.domain import tickets
from soulroute.domain.errors import NotFound, OverCapacity
from tests.db.sql import owner
from tests.factories import make_counselor, make_student, open_ticket

WORKERS = 12


def _race(calls):
    """Run the callables at the same moment; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))

    def go(fn):
        barrier.wait()
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we inspect
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(go, calls))


def test_concurrent_claims_of_one_ticket_have_one_winner():
    counselors = [make_counselor(f"Dr. C{i}", expertise=[C.ANXIETY]) for i in range(WORKERS)]
    tid = open_ticket(make_student(), category=C.ANXIETY)
    outcomes = _race([lambda c=c: tickets.claim_ticket(c, tid) for c in counselors])
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1
    # The ticket left the losers' sight with the winner's claim, and so did who holds it (0012).
    assert all(isinstance(e, NotFound) for e in losers), losers
    assert {e.message for e in losers} == {"This ticket is no longer on your board."}
    events = owner("select kind from ticket_events where ticket_id = :t", {"t": tid})
    assert [e["kind"] for e in events].count("claimed") == 1


def test_capacity_holds_under_concurrent_claims():
    counselor = make_counselor(expertise=[C.STRESS], capacity=3)
    student = make_student()
    ids = [open_ticket(student, category=C.STRESS) for _ in range(WORKERS)]
    outcomes = _race([lambda t=t: tickets.claim_ticket(counselor, t) for t in ids])
    assert sum(not isinstance(o, Exception) for o in outcomes) == 3
    assert all(isinstance(o, OverCapacity) for o in outcomes if isinstance(o, Exception))
    active = owner(
        "select count(*) as n from support_tickets where counselor_id = :c and status in ('claimed', 'scheduled')",
        {"c": counselor.id},
    )[0]["n"]
    assert active == 3
