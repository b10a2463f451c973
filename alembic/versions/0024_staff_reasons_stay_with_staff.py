"""A staff member's reason stays with the staff: the student sees that something happened, not the reason.

The runtime role loses SELECT on ticket_events.detail (it keeps every other column). The details come
through the view ticket_event_details: whole for admins, for the event's own actor (a student sees the
reason they gave when cancelling) and for the counselor who holds the ticket; without `reason` for anyone
else who may see the ticket (its student). Other details (an urgency's from and to) stay. The view is a
security barrier, and it gives no row for a ticket the caller is not on (admins excepted), like
ticket_descriptions (0012).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

ME = "(select app_active_user_id())"
ADMIN = "(select app_current_role() = 'admin')"
COLUMNS = "id, ticket_id, actor_id, kind, from_status, to_status, created_at"

VIEW = f"""
create view ticket_event_details with (security_barrier = true) as
select e.id,
       case when {ADMIN} or e.actor_id = {ME} or t.counselor_id = {ME} then e.detail
            else e.detail - 'reason' end as detail
from ticket_events e join support_tickets t on t.id = e.ticket_id
where {ADMIN} or t.student_id = {ME} or t.counselor_id = {ME} or e.actor_id = {ME};
comment on view ticket_event_details is
    'History details: reasons for admins, the actor and the holder; the student sees what happened, not why';
"""


def upgrade() -> None:
    role = runtime_role(op)
    op.execute(VIEW)
    op.execute(f"revoke select on ticket_events from {role}")
    op.execute(f"grant select ({COLUMNS}) on ticket_events to {role}")
    op.execute(f"grant select on ticket_event_details to {role}")


def downgrade() -> None:
    role = runtime_role(op)
    op.execute(f"revoke select on ticket_events from {role}; grant select on ticket_events to {role}")
    op.execute("drop view if exists ticket_event_details")
