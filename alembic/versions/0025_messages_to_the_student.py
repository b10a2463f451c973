"""What the student is told, apart from the staff's reason.

An admin's reason for an action stays with the staff (0024). What the student is told is a separate,
optional message, worded for them: app_tell_student() records it in the ticket's history as a
'student_message' event (detail {"message": …}, which the student's view keeps) and gives the student a
notification that says only that there is a message (notifications may be mailed: no text of it).

An admin who closes a ticket no longer writes their reason into close_reason, which the student reads on
their ticket: close_reason holds what the student is told, and the reason goes to the history (0024).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

KINDS = (
    "'created', 'claimed', 'scheduled', 'rescheduled', 'released', 'completed', 'closed', 'cancelled',"
    " 'reassigned', 'urgency_changed', 'category_changed', 'notes_updated'"
)
BIDI = r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]"
MESSAGE_MAX = 500

TELL = f"""
create function app_tell_student(p_ticket uuid, p_message text) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    msg text := btrim(coalesce(p_message, ''));
    student uuid;
begin
    if app_current_role() is distinct from 'admin' then
        raise exception 'Only an admin can write to a student this way.' using errcode = 'SR002';
    end if;
    if char_length(msg) not between 1 and {MESSAGE_MAX} or msg ~ '{BIDI}' then
        raise exception 'A message to the student has 1 to {MESSAGE_MAX} characters.' using errcode = '23514';
    end if;
    select t.student_id into student from support_tickets t where t.id = p_ticket;
    if student is null then
        raise exception 'No such ticket.' using errcode = 'SR002';
    end if;
    insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail)
    select t.id, app_current_user_id(), 'student_message', t.status, t.status, jsonb_build_object('message', msg)
    from support_tickets t where t.id = p_ticket;
    perform app_notify_user(student, p_ticket, 'student_message',
        'The counseling team left you a message on your ticket.', app_current_user_id());
end $$;
comment on function app_tell_student(uuid, text) is
    'An admin''s message to the ticket''s student: in the history for them to read, and a notification without its text';
"""


def upgrade() -> None:
    role = runtime_role(op)
    op.execute("alter table ticket_events drop constraint ticket_event_kind")
    op.execute(
        f"alter table ticket_events add constraint ticket_event_kind check (kind in ({KINDS}, 'student_message'))"
    )
    op.execute(TELL)
    op.execute("revoke all on function app_tell_student(uuid, text) from public")
    op.execute(f"grant execute on function app_tell_student(uuid, text) to {role}")


def downgrade() -> None:
    op.execute("drop function if exists app_tell_student(uuid, text)")
    op.execute("delete from ticket_events where kind = 'student_message'")
    op.execute("alter table ticket_events drop constraint ticket_event_kind")
    op.execute(f"alter table ticket_events add constraint ticket_event_kind check (kind in ({KINDS}))")
