"""Service analytics for admins, every figure computed by PostgreSQL over the selected period
(aggregates, percentile_cont, date_trunc) so only the small results reach Python.

Weeks start on Monday, 00:00 in the center's time zone (CENTER_TIME_ZONE, default UTC). A ticket counts
in the week it was created. Time to claim is
`claimed_at - created_at` and claim to schedule `scheduled_at - claimed_at` (both the latest such
step, as stored on the ticket). Medians and 90th percentiles are continuous (interpolated)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import text

from soulroute.config import get_settings
from soulroute.db.models import UserRole
from soulroute.domain.kernel import require_role, transaction
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import DomainInput

URGENCIES = ("crisis", "high", "medium", "low")
CATEGORIES = ("anxiety", "depression", "stress", "relationships", "academic", "other")
STATUSES = ("open", "claimed", "scheduled", "completed", "closed")


class Period(DomainInput):
    weeks: Literal[4, 12, 26, 52] = 12
    until: datetime | None = None  # default now; tests pin it
    target_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    time_zone: str | None = None  # default: the center's (settings); an IANA name

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("is not a known time zone") from None
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone or get_settings().center_time_zone)

    def bounds(self) -> tuple[datetime, datetime]:
        """From Monday 00:00 (center time) weeks-1 weeks before the current week's, until now."""
        zone = self.zone()
        end = self.until or datetime.now(UTC)
        today = end.astimezone(zone).date()
        first_monday = today - timedelta(days=today.weekday(), weeks=self.weeks - 1)
        return datetime.combine(first_monday, time.min, tzinfo=zone), end


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ResponseRow(Frozen):
    week: date
    urgency: str
    tickets: int
    claimed: int
    claim_median: float | None
    claim_p90: float | None
    scheduled: int
    schedule_median: float | None
    schedule_p90: float | None


class CrisisWeek(Frozen):
    week: date
    tickets: int
    within_target: int
    claim_median: float | None


class CrisisSummary(Frozen):
    target_minutes: int
    tickets: int
    claimed: int
    within_target: int
    waiting_over_target: int
    claim_median: float | None
    claim_p90: float | None


class WorkloadRow(Frozen):
    name: str
    is_active: bool
    active: int
    capacity: int
    completed: int


class CountRow(Frozen):
    week: date
    key: str
    tickets: int


class Analytics(Frozen):
    start: datetime
    end: datetime
    time_zone: str
    response: list[ResponseRow]
    response_overall: list[ResponseRow]
    crisis: CrisisSummary
    crisis_weeks: list[CrisisWeek]
    workload: list[WorkloadRow]
    completed_weeks: list[CountRow]
    by_category: list[CountRow]
    by_urgency: list[CountRow]
    backlog: dict[str, int]


def _minutes(expr: str) -> str:
    return f"extract(epoch from ({expr})) / 60.0"


CLAIM = _minutes("t.claimed_at - t.created_at")
SCHEDULE = _minutes("t.scheduled_at - t.claimed_at")
RESPONSE_COLUMNS = f"""
    count(*) as tickets,
    count(t.claimed_at) as claimed,
    percentile_cont(0.5) within group (order by {CLAIM}) as claim_median,
    percentile_cont(0.9) within group (order by {CLAIM}) as claim_p90,
    count(t.scheduled_at) filter (where t.scheduled_at >= t.claimed_at) as scheduled,
    percentile_cont(0.5) within group (order by case when t.scheduled_at >= t.claimed_at then {SCHEDULE} end)
        as schedule_median,
    percentile_cont(0.9) within group (order by case when t.scheduled_at >= t.claimed_at then {SCHEDULE} end)
        as schedule_p90
"""
WEEK = "date_trunc('week', t.created_at at time zone :tz)::date"  # Monday 00:00 in the center's zone
IN_PERIOD = "t.created_at >= :start and t.created_at < :end"

SQL = {
    "response": f"""
        select {WEEK} as week, t.urgency::text as urgency, {RESPONSE_COLUMNS}
        from support_tickets t where {IN_PERIOD}
        group by 1, t.urgency order by 1, t.urgency desc""",
    "response_overall": f"""
        select cast(:first_week as date) as week, t.urgency::text as urgency, {RESPONSE_COLUMNS}
        from support_tickets t where {IN_PERIOD}
        group by t.urgency order by t.urgency desc""",
    "crisis": f"""
        select count(*) as tickets, count(t.claimed_at) as claimed,
               count(*) filter (where t.claimed_at <= t.created_at + cast(:target as interval)) as within_target,
               count(*) filter (where t.status = 'open' and t.created_at < now() - cast(:target as interval))
                   as waiting_over_target,
               percentile_cont(0.5) within group (order by {CLAIM}) as claim_median,
               percentile_cont(0.9) within group (order by {CLAIM}) as claim_p90
        from support_tickets t where t.urgency = 'crisis' and {IN_PERIOD}""",
    "crisis_weeks": f"""
        select {WEEK} as week, count(*) as tickets,
               count(*) filter (where t.claimed_at <= t.created_at + cast(:target as interval)) as within_target,
               percentile_cont(0.5) within group (order by {CLAIM}) as claim_median
        from support_tickets t where t.urgency = 'crisis' and {IN_PERIOD}
        group by 1 order by 1""",
    "workload": """
        select u.display_name as name, u.is_active, p.capacity,
               (select count(*) from support_tickets t
                 where t.counselor_id = u.id and t.status in ('claimed', 'scheduled')) as active,
               (select count(*) from support_tickets t
                 where t.counselor_id = u.id and t.completed_at >= :start and t.completed_at < :end) as completed
        from users u join counselor_profiles p on p.user_id = u.id
        where u.role = 'counselor'
        order by active desc, completed desc, u.display_name""",
    "completed_weeks": """
        select date_trunc('week', t.completed_at at time zone :tz)::date as week, 'completed' as key,
               count(*) as tickets
        from support_tickets t where t.completed_at >= :start and t.completed_at < :end
        group by 1 order by 1""",
    "by_category": f"""
        select {WEEK} as week, t.category::text as key, count(*) as tickets
        from support_tickets t where {IN_PERIOD} group by 1, 2 order by 1, 2""",
    "by_urgency": f"""
        select {WEEK} as week, t.urgency::text as key, count(*) as tickets
        from support_tickets t where {IN_PERIOD} group by 1, 2 order by 1, 2""",
    "backlog": "select t.status::text as key, count(*) as tickets from support_tickets t group by 1",
}


def overview(actor: Actor, period: Period | dict[str, Any] | None = None) -> Analytics:
    """Every figure of the analytics page for one period, in one read-only transaction."""
    require_role(actor, UserRole.ADMIN)
    p = period if isinstance(period, Period) else Period.parse(period or {})
    start, end = p.bounds()
    target = p.target_minutes or get_settings().crisis_claim_target_minutes
    zone = p.zone().key
    params = {"start": start, "end": end, "target": timedelta(minutes=target), "tz": zone,
              "first_week": start.astimezone(p.zone()).date()}  # fmt: skip

    with transaction(actor) as session:

        def rows(name: str) -> list[dict[str, Any]]:
            return [dict(r) for r in session.execute(text(SQL[name]), params).mappings()]

        response = [ResponseRow.model_validate(r) for r in rows("response")]
        overall = [ResponseRow.model_validate(r) for r in rows("response_overall")]
        crisis = CrisisSummary.model_validate({**rows("crisis")[0], "target_minutes": target})
        crisis_weeks = [CrisisWeek.model_validate(r) for r in rows("crisis_weeks")]
        workload = [WorkloadRow.model_validate(r) for r in rows("workload")]
        completed = [CountRow.model_validate(r) for r in rows("completed_weeks")]
        by_category = [CountRow.model_validate(r) for r in rows("by_category")]
        by_urgency = [CountRow.model_validate(r) for r in rows("by_urgency")]
        backlog = {s: 0 for s in STATUSES} | {r["key"]: int(r["tickets"]) for r in rows("backlog")}
    return Analytics(
        start=start, end=end, time_zone=zone, response=response, response_overall=overall, crisis=crisis,
        crisis_weeks=crisis_weeks, workload=workload, completed_weeks=completed, by_category=by_category,
        by_urgency=by_urgency, backlog=backlog,
    )  # fmt: skip


def weeks_of(a: Analytics) -> list[date]:
    """Every week of the period, also those without tickets (so charts keep their time axis)."""
    zone = ZoneInfo(a.time_zone)
    first = a.start.astimezone(zone).date()
    out, week = [], first
    while datetime.combine(week, time.min, tzinfo=zone) < a.end:
        out.append(week)
        week += timedelta(weeks=1)
    return out


def pivot(rows: list[CountRow], keys: tuple[str, ...], weeks: list[date]) -> list[dict[str, Any]]:
    """[{week, key1: n, key2: n, ...}] for a stacked chart and its table."""
    table = {w: dict.fromkeys(keys, 0) for w in weeks}
    for r in rows:
        table.setdefault(r.week, dict.fromkeys(keys, 0))[r.key] = r.tickets
    return [{"week": w.isoformat(), **counts} for w, counts in sorted(table.items())]
