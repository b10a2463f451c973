"""Analytics queries on a small, known data set, against medians and 90th percentiles computed by hand
(continuous percentiles: p = v[floor(k)] + frac(k) * (v[floor(k)+1] - v[floor(k)]), k = (n - 1) * q)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soulroute.domain import analytics
from soulroute.domain.errors import NotPermitted, ValidationFailed
from tests.db.sql import owner
from tests.factories import make_admin, make_counselor, make_student

UNTIL = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # a Wednesday; 4 weeks start Monday 16 Feb
W0223, W0302 = datetime(2026, 2, 24, 9, tzinfo=UTC), datetime(2026, 3, 3, 9, tzinfo=UTC)


def _ticket(student, counselor, *, created, urgency="medium", category="anxiety", claim=None, schedule=None,
            completed=None, status=None) -> None:  # fmt: skip
    """Insert a ticket with a known past (as the owner: lifecycle stamps are kept as given)."""
    claimed_at = created + timedelta(minutes=claim) if claim is not None else None
    scheduled_at = claimed_at + timedelta(minutes=schedule) if schedule is not None else None
    status = status or ("closed" if claimed_at else "open")
    owner(
        """
        insert into support_tickets (student_id, counselor_id, title, description, category, urgency, status,
            session_mode, created_at, claimed_at, scheduled_at, completed_at)
        values (:s, :c, 'Known ticket', 'A description long enough for the check.', cast(:cat as ticket_category),
            cast(:u as ticket_urgency), cast(:st as ticket_status), 'video', :cr, :cl, :sc, :co)
        """,
        {"s": student.id, "c": counselor.id if claimed_at else None, "cat": category, "u": urgency, "st": status,
         "cr": created, "cl": claimed_at, "sc": scheduled_at, "co": completed},
    )  # fmt: skip


@pytest.fixture
def data():
    s, lee, ada = make_student(), make_counselor("Dr. Lee", capacity=4), make_admin()
    # Week of 2 March, medium: claim 10, 20, 30, 40, 100 min; schedule 60, 120, 180, 240 min (the last unscheduled).
    for claim, schedule in ((10, 60), (20, 120), (30, 180), (40, 240), (100, None)):
        _ticket(s, lee, created=W0302, claim=claim, schedule=schedule, category="stress")
    # Week of 23 Feb, crisis: claimed after 5, 15, 25 min; one never claimed (still open).
    for claim in (5, 15, 25):
        _ticket(s, lee, created=W0223, urgency="crisis", claim=claim)
    _ticket(s, lee, created=W0223 + timedelta(days=1), urgency="crisis")
    # Completed in the week of 9 March (two sessions), and one ticket before the period.
    for day in (9, 10):
        _ticket(s, lee, created=W0302, claim=5, schedule=5, completed=datetime(2026, 3, day, 15, tzinfo=UTC),
                category="academic", urgency="low")  # fmt: skip
    _ticket(s, lee, created=datetime(2026, 1, 5, tzinfo=UTC), claim=1)
    return ada


def test_response_times_by_urgency_and_week(data):
    a = analytics.overview(data, {"weeks": 4, "until": UNTIL})
    assert a.start == datetime(2026, 2, 16, tzinfo=UTC)
    medium = [r for r in a.response if r.urgency == "medium"]
    assert len(medium) == 1 and medium[0].week.isoformat() == "2026-03-02"
    r = medium[0]
    assert (r.tickets, r.claimed, r.scheduled) == (5, 5, 4)
    assert r.claim_median == pytest.approx(30)
    assert r.claim_p90 == pytest.approx(76)  # k = 3.6: 40 + 0.6 * 60
    assert r.schedule_median == pytest.approx(150)
    assert r.schedule_p90 == pytest.approx(222)  # k = 2.7: 180 + 0.7 * 60
    crisis = next(r for r in a.response_overall if r.urgency == "crisis")
    assert (crisis.tickets, crisis.claimed) == (4, 3)
    assert crisis.claim_median == pytest.approx(15) and crisis.claim_p90 == pytest.approx(23)


def test_crisis_against_the_target(data):
    a = analytics.overview(data, {"weeks": 4, "until": UNTIL})
    c = a.crisis
    assert (c.target_minutes, c.tickets, c.claimed, c.within_target, c.waiting_over_target) == (15, 4, 3, 2, 1)
    assert [(w.week.isoformat(), w.tickets, w.within_target) for w in a.crisis_weeks] == [("2026-02-23", 4, 2)]
    strict = analytics.overview(data, {"weeks": 4, "until": UNTIL, "target_minutes": 5})
    assert strict.crisis.within_target == 1


def test_workload_volume_and_backlog(data):
    a = analytics.overview(data, {"weeks": 4, "until": UNTIL})
    assert [(w.name, w.active, w.capacity, w.completed) for w in a.workload] == [("Dr. Lee", 0, 4, 2)]
    assert [(r.week.isoformat(), r.tickets) for r in a.completed_weeks] == [("2026-03-09", 2)]
    weeks = analytics.weeks_of(a)
    assert [w.isoformat() for w in weeks] == ["2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09"]
    table = analytics.pivot(a.by_category, analytics.CATEGORIES, weeks)
    assert table[2] == {"week": "2026-03-02", "anxiety": 0, "depression": 0, "stress": 5, "relationships": 0,
                        "academic": 2, "other": 0}  # fmt: skip
    assert table[0]["anxiety"] == 0 and table[1]["anxiety"] == 4
    assert sum(r.tickets for r in a.by_urgency) == 11  # the January ticket is outside the period
    assert a.backlog == {"open": 1, "claimed": 0, "scheduled": 0, "completed": 0, "closed": 11}


def test_period_is_validated_and_admin_only(data):
    with pytest.raises(ValidationFailed):
        analytics.overview(data, {"weeks": 5})
    with pytest.raises(NotPermitted):
        analytics.overview(make_student(), {})


def test_weeks_start_on_the_centers_monday_not_utcs():
    """Issue 12: weeks were cut at Monday 00:00 UTC whatever the center's time zone. Sunday 20:00 in Los Angeles
    is Monday 04:00 UTC: it belongs to the week before, there."""
    s, lee, ada = make_student(), make_counselor("Dr. Lee"), make_admin()
    sunday_evening_in_la = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # Mon 2 Mar 04:00 UTC = Sun 1 Mar 20:00 PST
    _ticket(s, lee, created=sunday_evening_in_la, claim=10, schedule=10)
    in_utc = analytics.overview(ada, {"weeks": 4, "until": UNTIL})
    in_la = analytics.overview(ada, {"weeks": 4, "until": UNTIL, "time_zone": "America/Los_Angeles"})
    assert [(r.week.isoformat(), r.tickets) for r in in_utc.response] == [("2026-03-02", 1)]
    assert [(r.week.isoformat(), r.tickets) for r in in_la.response] == [("2026-02-23", 1)]
    assert in_la.start == datetime(2026, 2, 16, 8, 0, tzinfo=UTC)  # Monday 16 Feb, 00:00 in Los Angeles
    assert analytics.weeks_of(in_la)[0].isoformat() == "2026-02-16"
    with pytest.raises(ValidationFailed):
        analytics.overview(ada, {"weeks": 4, "time_zone": "Mars/Olympus_Mons"})
