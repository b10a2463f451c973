"""Concurrent claims, as the runtime role: each thread has its own connection and counselor identity,
and a barrier releases them together. Every change is undone afterwards (as the owner), so the data
set stays reusable."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg

from bench.dataset import Target
from bench.measure import SET_IDENTITY
from soulroute.domain.errors import NotFound

BARRIER_TIMEOUT_S = 60
LOCK_TIMEOUT = "20s"
FREE_SLOTS = 10  # capacity race: the counselor's capacity is set to their active tickets + this

ELIGIBLE_COUNSELORS = """
select p.user_id, u.display_name from counselor_profiles p join users u on u.id = p.user_id
where u.is_active and p.accepting_new
  and (select count(*) from support_tickets t
       where t.counselor_id = p.user_id and t.status in ('claimed', 'scheduled')) < p.capacity
order by md5(p.user_id::text || %(salt)s) limit %(n)s
"""
RELEASE = "update support_tickets set status = 'open' where id = any(%s) and status = 'claimed'"
ACTIVE_COUNT = "select count(*) from support_tickets where counselor_id = %s and status in ('claimed', 'scheduled')"


@dataclass
class Attempt:
    counselor: uuid.UUID
    ticket: uuid.UUID
    won: bool = False
    holder: str | None = None
    sqlstate: str | None = None
    message: str | None = None
    ms: float = 0.0


def _claim(target: Target, claim_sql: str, holder_sql: str, attempt: Attempt, barrier: threading.Barrier) -> None:
    try:
        with psycopg.connect(target.runtime, application_name="soulroute-bench-race") as conn:
            conn.execute(f"set lock_timeout = '{LOCK_TIMEOUT}'")
            conn.commit()
            conn.execute(SET_IDENTITY, (str(attempt.counselor),))
            barrier.wait(BARRIER_TIMEOUT_S)
            started = time.perf_counter()
            try:
                row = conn.execute(claim_sql, {"me": attempt.counselor, "id": attempt.ticket}).fetchone()
                attempt.won = row is not None
                if not attempt.won:
                    attempt.holder = conn.execute(holder_sql, {"id": attempt.ticket}).fetchone()[0]
                conn.commit()
            except psycopg.Error as exc:
                conn.rollback()
                attempt.sqlstate = exc.sqlstate
                attempt.message = exc.diag.message_primary
            attempt.ms = (time.perf_counter() - started) * 1000
    except threading.BrokenBarrierError:
        attempt.message = "barrier broken"
    except psycopg.Error as exc:  # could not connect: let the others go instead of waiting for us
        attempt.sqlstate, attempt.message = exc.sqlstate, str(exc)
        barrier.abort()


def _run_threads(target: Target, claim_sql: str, holder_sql: str, attempts: list[Attempt]) -> float:
    barrier = threading.Barrier(len(attempts))
    threads = [
        threading.Thread(target=_claim, args=(target, claim_sql, holder_sql, a, barrier), daemon=True) for a in attempts
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(BARRIER_TIMEOUT_S * 2)
    return (time.perf_counter() - started) * 1000


def claim_race(target: Target, claim_sql: str, holder_sql: str, n: int, salt: str) -> dict[str, Any]:
    """n counselors claim the same open crisis ticket at once: exactly one may win."""
    with psycopg.connect(target.owner, autocommit=True) as owner:
        ticket = owner.execute(
            "select id from support_tickets where status = 'open' "
            "order by urgency = 'crisis' desc, category = 'other' desc, md5(id::text || %s) limit 1",
            (salt,),
        ).fetchone()[0]
        counselors = owner.execute(ELIGIBLE_COUNSELORS, {"salt": salt, "n": n}).fetchall()
        attempts = [Attempt(counselor=c, ticket=ticket) for c, _ in counselors]
        wall = _run_threads(target, claim_sql, holder_sql, attempts)
        holder_now = owner.execute("select counselor_id from support_tickets where id = %s", (ticket,)).fetchone()[0]
        owner.execute(RELEASE, ([ticket],))
    winners = [a for a in attempts if a.won]
    losers = [a for a in attempts if not a.won]
    # Since 0012 ticket_holder_name() names the holder only to someone who can still see the ticket:
    # a loser, for whom it left the board with the winner's claim, learns nothing about who won.
    told = Counter(
        "0 rows, then ticket_holder_name() = nothing"
        if a.holder is None and not a.sqlstate
        else f"error {a.sqlstate}: {a.message}"
        if a.sqlstate
        else f"0 rows, ticket_holder_name() = {a.holder!r}"
        for a in losers
    )
    ok = (
        len(attempts) >= 2
        and len(winners) == 1
        and holder_now == winners[0].counselor
        and told.get("0 rows, then ticket_holder_name() = nothing", 0) == len(attempts) - 1
    )
    return {
        "ok": ok,
        "contenders": len(attempts),
        "contenders_wanted": n,
        "winners": len(winners),
        "losers_told": dict(told),
        "loser_message": NotFound("This ticket is no longer on your board.").message,
        "claim_ms_median": round(statistics.median(a.ms for a in attempts), 2) if attempts else None,
        "claim_ms_max": round(max(a.ms for a in attempts), 2) if attempts else None,
        "wall_ms": round(wall, 1),
    }


def _poll_active(target: Target, counselor: uuid.UUID, stop: threading.Event, seen: list[int]) -> None:
    with psycopg.connect(target.owner, autocommit=True) as conn:
        for _ in range(20_000):  # bounded: ~20 s at most
            seen.append(conn.execute(ACTIVE_COUNT, (counselor,)).fetchone()[0])
            if stop.wait(0.001):
                break


def capacity_race(target: Target, claim_sql: str, holder_sql: str, n: int, salt: str) -> dict[str, Any]:
    """One counselor claims n different open tickets at once; only their free slots may succeed."""
    with psycopg.connect(target.owner, autocommit=True) as owner:
        counselor, _ = owner.execute(ELIGIBLE_COUNSELORS, {"salt": salt + "-capacity", "n": 1}).fetchone()
        old_capacity = owner.execute(
            "select capacity from counselor_profiles where user_id = %s", (counselor,)
        ).fetchone()[0]
        active = owner.execute(ACTIVE_COUNT, (counselor,)).fetchone()[0]
        capacity = active + FREE_SLOTS
        owner.execute("update counselor_profiles set capacity = %s where user_id = %s", (capacity, counselor))
        tickets = [
            r[0]
            for r in owner.execute(
                """select t.id from support_tickets t, counselor_profiles p
                where p.user_id = %s and t.status = 'open'
                  and (t.urgency = 'crisis' or t.category = 'other' or t.category = any(p.expertise))
                order by md5(t.id::text || %s) limit %s""",
                (counselor, salt, n),
            ).fetchall()
        ]
        attempts = [Attempt(counselor=counselor, ticket=t) for t in tickets]
        stop, seen = threading.Event(), []
        poller = threading.Thread(target=_poll_active, args=(target, counselor, stop, seen), daemon=True)
        poller.start()
        try:
            wall = _run_threads(target, claim_sql, holder_sql, attempts)
        finally:
            stop.set()
            poller.join(30)
            final = owner.execute(ACTIVE_COUNT, (counselor,)).fetchone()[0]
            won = [a.ticket for a in attempts if a.won]
            owner.execute(RELEASE, (won,))
            owner.execute("update counselor_profiles set capacity = %s where user_id = %s", (old_capacity, counselor))
    refused = Counter(a.sqlstate or "none" for a in attempts if not a.won)
    ok = (
        len(attempts) == n
        and len(won) == FREE_SLOTS
        and final == capacity
        and max(seen, default=0) <= capacity
        and refused == Counter({"SR003": n - FREE_SLOTS})
    )
    sample = next((a.message for a in attempts if a.sqlstate == "SR003"), None)
    return {
        "ok": ok,
        "claims": len(attempts),
        "capacity": capacity,
        "active_before": active,
        "succeeded": len(won),
        "refused": dict(refused),
        "refusal_message": sample,
        "active_after": final,
        "max_active_observed": max(seen, default=0),
        "polls": len(seen),
        "wall_ms": round(wall, 1),
    }
