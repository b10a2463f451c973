"""Live updates: the database announces every ticket change and every ended session on a
LISTEN/NOTIFY channel. Payloads carry ids and status only, never clinical text; each backend
process listens once and refreshes its own connected tabs through the normal RLS-checked queries.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = """
create function app_notify_ticket_change() returns trigger
language plpgsql as $$
begin
    perform pg_notify('soulroute_tickets', json_build_object(
        'ticket_id', new.id,
        'status', new.status,
        'old_status', case when tg_op = 'UPDATE' then old.status end,
        'student_id', new.student_id,
        'counselor_id', new.counselor_id,
        'old_counselor_id', case when tg_op = 'UPDATE' then old.counselor_id end)::text);
    return null;
end $$;

create trigger support_tickets_notify after insert or update on support_tickets
    for each row execute function app_notify_ticket_change();

create function app_notify_session_ended() returns trigger
language plpgsql as $$
begin
    if old.revoked_at is null and new.revoked_at is not null then
        perform pg_notify('soulroute_sessions', json_build_object('user_id', new.user_id)::text);
    end if;
    return null;
end $$;

create trigger auth_sessions_notify after update of revoked_at on auth_sessions
    for each row execute function app_notify_session_ended();
"""

DOWNGRADE = """
drop trigger if exists auth_sessions_notify on auth_sessions;
drop function if exists app_notify_session_ended();
drop trigger if exists support_tickets_notify on support_tickets;
drop function if exists app_notify_ticket_change();
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
