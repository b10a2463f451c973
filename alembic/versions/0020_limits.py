"""Limits the database keeps by itself: a booking horizon for session times, and no bidirectional
control characters in ticket titles and display names.

- Horizon: a session time more than `booking_horizon_days` (table `app_limits`, 365 by default; the
  owner changes it with an UPDATE) ahead is refused on every write of `scheduled_time` (SR006). The
  domain checks the same with SESSION_BOOKING_HORIZON_DAYS first, for a message next to the field.
- Bidirectional controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) make "evil<RLO>exe.txt" display
  as something else: titles and display names refuse them (the domain strips them from every input).
  Rows written before this migration are checked when possible (NOT VALID otherwise, so upgrading
  never fails on old data; every new or changed row is checked).

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-02
"""

from alembic import op

revision = "0020"
down_revision = "0013"
branch_labels = None
depends_on = None

BIDI = r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]"

UPGRADE = rf"""
create table app_limits (
    name text primary key,
    value integer not null constraint app_limits_positive check (value > 0)
);
insert into app_limits (name, value) values ('booking_horizon_days', 365);
-- Like every table: row-level security on and forced; anyone with SELECT may read every limit.
alter table app_limits enable row level security;
alter table app_limits force row level security;
create policy app_limits_read on app_limits for select using (true);

create function app_booking_horizon() returns interval
language sql stable security definer set search_path = public, pg_temp as $$
    select make_interval(days => coalesce((select value from app_limits where name = 'booking_horizon_days'), 365))
$$;
revoke all on function app_booking_horizon() from public;

create function app_support_tickets_horizon() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    if tg_op = 'UPDATE' and new.scheduled_time is not distinct from old.scheduled_time then
        return new;  -- an unchanged time booked under an earlier horizon stays valid
    end if;
    if new.scheduled_time > now() + app_booking_horizon() then
        raise exception 'The session time must be within % days from now.',
            extract(day from app_booking_horizon())::int using errcode = 'SR006';
    end if;
    return new;
end $$;
revoke all on function app_support_tickets_horizon() from public;
create trigger support_tickets_horizon before insert or update of scheduled_time on support_tickets
    for each row execute function app_support_tickets_horizon();

alter table support_tickets add constraint ticket_title_no_bidi check (title !~ '{BIDI}') not valid;
alter table users add constraint users_display_name_no_bidi check (display_name !~ '{BIDI}') not valid;
do $$ begin
    alter table support_tickets validate constraint ticket_title_no_bidi;
exception when check_violation then
    raise notice 'old titles hold bidirectional controls; each is checked when next written';
end $$;
do $$ begin
    alter table users validate constraint users_display_name_no_bidi;
exception when check_violation then
    raise notice 'old display names hold bidirectional controls; each is checked when next written';
end $$;
"""

DOWNGRADE = """
alter table users drop constraint if exists users_display_name_no_bidi;
alter table support_tickets drop constraint if exists ticket_title_no_bidi;
drop trigger if exists support_tickets_horizon on support_tickets;
drop function if exists app_support_tickets_horizon();
drop function if exists app_booking_horizon();
drop table if exists app_limits;
"""


def upgrade() -> None:
    # No grant to the runtime role: the trigger runs as the owner, and the domain reads its own setting.
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
