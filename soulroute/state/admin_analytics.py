"""/admin/analytics: response times, crisis against its target, workload, volume and backlog for a
selected period. PostgreSQL computes every figure (soulroute.domain.analytics); this state only
shapes the small results for the charts and their table views."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from soulroute.db.models import UserRole
from soulroute.domain import analytics
from soulroute.domain.rules import Actor
from soulroute.state.kernel import acts_as
from soulroute.state.session import SessionState, run_db
from soulroute.state.views import CATEGORY_LABEL, STATUS_LABEL, URGENCY_LABEL

PERIODS = ("4", "12", "26", "52")
TOP_COUNSELORS = 20


def minutes_text(value: float | None) -> str:
    if value is None:
        return "–"
    total = round(value)
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours < 48:
        return f"{hours} h {mins} min"
    return f"{hours // 24} d {hours % 24} h"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class AdminAnalyticsState(SessionState):
    weeks: str = "12"
    period_text: str = ""
    loaded: bool = False
    claim_chart: list[dict[str, Any]] = []
    response_rows: list[dict[str, str]] = []
    overall_rows: list[dict[str, str]] = []
    crisis: dict[str, str] = {}
    crisis_chart: list[dict[str, Any]] = []
    workload_chart: list[dict[str, Any]] = []
    workload_rows: list[dict[str, str]] = []
    completed_chart: list[dict[str, Any]] = []
    category_chart: list[dict[str, Any]] = []
    urgency_chart: list[dict[str, Any]] = []
    backlog_chart: list[dict[str, Any]] = []

    @acts_as(UserRole.ADMIN)
    async def load(self, actor: Actor):
        await self._reload(actor)

    @acts_as(UserRole.ADMIN)
    async def refresh(self, actor: Actor):
        await self._reload(actor)

    @acts_as(UserRole.ADMIN)
    async def choose_period(self, actor: Actor, weeks: str):
        if str(weeks) not in PERIODS:
            return rx.toast.error("Choose one of the listed periods.")
        self.weeks = str(weeks)
        await self._reload(actor)
        return None

    async def _reload(self, actor: Actor) -> None:
        self._display(await run_db(analytics.overview, actor, {"weeks": int(self.weeks)}))
        self.loaded = True

    def _display(self, a: analytics.Analytics) -> None:
        weeks = analytics.weeks_of(a)
        zone = ZoneInfo(a.time_zone)
        first, last = a.start.astimezone(zone), a.end.astimezone(zone)
        self.period_text = f"{first:%d %b %Y} to {last:%d %b %Y} (weeks start Monday, {a.time_zone} time)"
        medians = {(r.week, r.urgency): _round(r.claim_median) for r in a.response}
        self.claim_chart = [
            {"week": w.isoformat(), **{URGENCY_LABEL[u]: medians.get((w, u)) for u in analytics.URGENCIES}}
            for w in weeks
        ]

        def response_row(r: analytics.ResponseRow, week: str) -> dict[str, str]:
            return {
                "week": week, "urgency": URGENCY_LABEL[r.urgency], "tickets": str(r.tickets),
                "claimed": str(r.claimed), "claim_median": minutes_text(r.claim_median),
                "claim_p90": minutes_text(r.claim_p90), "scheduled": str(r.scheduled),
                "schedule_median": minutes_text(r.schedule_median), "schedule_p90": minutes_text(r.schedule_p90),
            }  # fmt: skip

        self.response_rows = [response_row(r, r.week.isoformat()) for r in a.response]
        self.overall_rows = [response_row(r, "whole period") for r in a.response_overall]
        c = a.crisis
        share = f"{100 * c.within_target / c.tickets:.0f} %" if c.tickets else "–"
        self.crisis = {
            "target": f"{c.target_minutes} min", "tickets": str(c.tickets), "within": str(c.within_target),
            "share": share, "waiting": str(c.waiting_over_target), "median": minutes_text(c.claim_median),
            "p90": minutes_text(c.claim_p90),
        }  # fmt: skip
        by_week = {w.week: w for w in a.crisis_weeks}
        self.crisis_chart = [
            {
                "week": w.isoformat(),
                "Within target": by_week[w].within_target if w in by_week else 0,
                "Later or not yet": (by_week[w].tickets - by_week[w].within_target) if w in by_week else 0,
            }
            for w in weeks
        ]
        self.workload_rows = [
            {"name": w.name + ("" if w.is_active else " (inactive)"), "active": str(w.active),
             "capacity": str(w.capacity), "completed": str(w.completed)}
            for w in a.workload
        ]  # fmt: skip
        self.workload_chart = [
            {"name": w.name, "Active": w.active, "Capacity": w.capacity} for w in a.workload[:TOP_COUNSELORS]
        ]
        done = {r.week: r.tickets for r in a.completed_weeks}
        self.completed_chart = [{"week": w.isoformat(), "Sessions completed": done.get(w, 0)} for w in weeks]
        self.category_chart = [
            {"week": row["week"], **{CATEGORY_LABEL[k]: row[k] for k in analytics.CATEGORIES}}
            for row in analytics.pivot(a.by_category, analytics.CATEGORIES, weeks)
        ]
        self.urgency_chart = [
            {"week": row["week"], **{URGENCY_LABEL[k]: row[k] for k in analytics.URGENCIES}}
            for row in analytics.pivot(a.by_urgency, analytics.URGENCIES, weeks)
        ]
        self.backlog_chart = [{"status": STATUS_LABEL[s], "Tickets": a.backlog[s]} for s in analytics.STATUSES]
