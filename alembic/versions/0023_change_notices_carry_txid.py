"""A ticket change's notice also names the transaction that made it.

A tab whose data was read under a snapshot that already includes that transaction (the acting tab, which
reloaded after its own change committed) shows the change already: the listener leaves it alone instead
of refreshing it a second time. The id is a transaction number, no data.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _function(extra: str) -> str:
    return f"""
create or replace function app_notify_ticket_change() returns trigger
language plpgsql as $$
begin
    perform pg_notify('soulroute_tickets', json_build_object(
        'ticket_id', new.id,
        'status', new.status,
        'old_status', case when tg_op = 'UPDATE' then old.status end,
        'student_id', new.student_id,
        'counselor_id', new.counselor_id,
        'old_counselor_id', case when tg_op = 'UPDATE' then old.counselor_id end{extra})::text);
    return null;
end $$;
"""


def upgrade() -> None:
    op.execute(_function(",\n        'txid', pg_current_xact_id()::text"))


def downgrade() -> None:
    op.execute(_function(""))
