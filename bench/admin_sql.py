"""The admin pages' own SQL (issue 6), captured like app_sql does: the dashboard's headline figures,
the all-tickets table's first page and its capped count, and the heaviest analytics queries.

Admins see every row, so the policies add nothing to these queries: both variants run the same
text (the "no RLS" one as the owner with row_security off). There is no LIMIT over an ordered index
scan to expect in aggregates, so the plan check is informational (index named, sort allowed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event

from bench.app_sql import _app_pointed_at
from bench.dataset import Target
from bench.measure import Workload
from soulroute.db.models import UserRole
from soulroute.domain import admin, analytics
from soulroute.domain.rules import Actor

# (name, title, a text that identifies the statement among the captured ones, index to report)
WANTED = [
    ("admin_figures", "Admin dashboard figures", "admin_dashboard_figures(", "support_tickets_board_idx"),
    ("admin_tickets", "Admin all tickets, first page", "limit %(limit)s offset", "support_tickets_created_idx"),
    ("admin_count", "Admin all tickets, capped count", "limit %(cap)s) capped", "support_tickets_pkey"),
    ("analytics_response", "Analytics: response times", "group by 1, t.urgency", "support_tickets_created_idx"),
    ("analytics_workload", "Analytics: counselor workload", "as completed", "support_tickets_active_idx"),
    ("analytics_volume", "Analytics: volume by category", "t.category::text as key", "support_tickets_created_idx"),
]


def capture(target: Target, admin_id: uuid.UUID) -> dict[str, tuple[str, dict[str, Any]]]:
    """Run the admin functions once against the benchmark database and keep their statements."""
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters))

    actor = Actor(admin_id, UserRole.ADMIN)
    now = datetime.now(UTC)
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        with _app_pointed_at(target):
            admin.dashboard_figures(actor, now - timedelta(hours=12), now + timedelta(hours=12))
            admin.list_all_tickets(actor, {})
            analytics.overview(actor, {"weeks": 12})
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    out = {}
    for name, _, marker, _ in WANTED:
        found = [(s, p) for s, p in seen if marker in s]
        if not found:
            raise RuntimeError(f"bench/admin_sql.py: no captured statement contains {marker!r}; update WANTED.")
        out[name] = (found[-1][0], dict(found[-1][1] or {}))
    return out


# What admin_dashboard_figures() (migration 0009) counts, written inline for the no-RLS variant.
FIGURES_PLAIN = """
    select
      (select count(*) from support_tickets where status = 'open') as open_tickets,
      (select count(*) from support_tickets where status = 'open' and urgency = 'crisis') as open_crisis,
      (select min(created_at) from support_tickets where status = 'open' and urgency = 'crisis') as oldest_crisis_at,
      (select count(*) from support_tickets
        where status = 'claimed' and claimed_at < now() - cast(%(stale)s as interval)) as stale_claims,
      (select count(*) from support_tickets
        where scheduled_time >= %(start)s and scheduled_time < %(end)s
          and (status in ('scheduled', 'completed') or completed_at is not null)) as sessions_today
"""


def workloads(target: Target, admins: list[uuid.UUID]) -> list[Workload]:
    captured = capture(target, admins[0])
    result = []
    for name, title, _, index in WANTED:
        sql, params = captured[name]
        result.append(
            Workload(
                name=name,
                title=title,
                rls_sql=sql,
                plain_sql=FIGURES_PLAIN if name == "admin_figures" else sql,
                users=admins,
                rls_params=lambda u, p=params: dict(p),
                plain_params=lambda u, p=params: dict(p),
                index=index,
                forbid_sort=False,
            )  # fmt: skip
        )
    return result
