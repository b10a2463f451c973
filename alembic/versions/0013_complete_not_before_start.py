"""A session can be completed only from 10 minutes before its start (when Join opens), as the caseload
says: the database agrees with the page instead of trusting it. Maintenance as the owner (no app
identity) is not held to it, like the other per-role rules of 0002.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = """
create function app_ticket_complete_not_before_start() returns trigger
language plpgsql set search_path = public, pg_temp as $$
begin
    if app_active_user_id() is not null and now() < old.scheduled_time - interval '10 minutes' then
        raise exception 'A session can be completed from 10 minutes before its start.' using errcode = 'SR001';
    end if;
    return new;
end $$;
revoke all on function app_ticket_complete_not_before_start() from public;

create trigger support_tickets_complete_not_before_start before update of status on support_tickets
    for each row when (old.status = 'scheduled' and new.status = 'completed')
    execute function app_ticket_complete_not_before_start();
"""

DOWNGRADE = """
drop trigger if exists support_tickets_complete_not_before_start on support_tickets;
drop function if exists app_ticket_complete_not_before_start();
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
