"""Admin headline figures as one security-definer function.

Under row-level security PostgreSQL may not use a non-leakproof operator as an index condition, and
enum equality (`status = 'open'`) is not leakproof, so the figures' counts became sequential scans
(178 ms at 100,000 tickets against 8 ms without RLS, bench/README.md). The figures are aggregates only
(no row leaves the function) and admins may see every ticket anyway: the function checks the caller
is an active admin, then counts as the owner, with the partial indexes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE = """
create function admin_dashboard_figures(day_start timestamptz, day_end timestamptz, stale interval,
    out open_tickets bigint, out open_crisis bigint, out oldest_crisis_at timestamptz,
    out stale_claims bigint, out sessions_today bigint)
language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
    if app_current_role() is distinct from 'admin' then
        raise exception 'Only an admin can see these figures.' using errcode = 'SR002';
    end if;
    select count(*) into open_tickets from support_tickets where status = 'open';
    select count(*), min(created_at) into open_crisis, oldest_crisis_at
        from support_tickets where status = 'open' and urgency = 'crisis';
    select count(*) into stale_claims from support_tickets where status = 'claimed' and claimed_at < now() - stale;
    select count(*) into sessions_today from support_tickets
        where scheduled_time >= day_start and scheduled_time < day_end
          and (status in ('scheduled', 'completed') or completed_at is not null);
end $$;
revoke all on function admin_dashboard_figures(timestamptz, timestamptz, interval) from public;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"grant execute on function admin_dashboard_figures(timestamptz, timestamptz, interval) to {runtime_role(op)}"
    )


def downgrade() -> None:
    op.execute("drop function if exists admin_dashboard_figures(timestamptz, timestamptz, interval)")
