"""Every admin read of a description is recorded; no refusal or lookup names what the caller may not see.

- Descriptions: the runtime role loses SELECT on support_tickets.description (it keeps every other
  column). The student and the counselors who may see the ticket read it through the view
  ticket_descriptions, which gives no row to anyone else, admins included; an admin reads a
  description only through open_ticket_description(ticket, why), which records the access in
  record_access_log first (34 CFR 99.32). The view is a security barrier: no condition a query adds
  (a cast that fails and prints the value, say) runs before the view's own.
- app_check_counselor_capacity() tells the numbers ("holds 1 of 1") only to the counselor themself and
  to admins; anyone else gets a neutral refusal.
- ticket_holder_name() runs with the caller's rights, so row-level security decides: it names the
  holder only of a ticket the caller can see.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ME = "(select app_active_user_id())"

UPGRADE = f"""
create view ticket_descriptions with (security_barrier = true) as
select t.id, t.description from support_tickets t
where t.student_id = {ME}
   or t.counselor_id = {ME}
   or (t.status = 'open' and (select app_current_role() = 'counselor')
       and (t.urgency = 'crisis' or t.category = 'other'
            or t.category = any((select app_counselor_expertise())::ticket_category[])));
comment on view ticket_descriptions is
    'Descriptions for the student and the counselors who may see the ticket; admins: open_ticket_description()';
"""

CAPACITY = """
create or replace function app_check_counselor_capacity(counselor uuid, ticket uuid) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    cap integer;
    active integer;
begin
    select p.capacity into cap
    from counselor_profiles p join users u on u.id = p.user_id
    where p.user_id = counselor and u.role = 'counselor' and u.is_active
    for update of p;
    if not found then
        raise exception 'This ticket can only be held by an active counselor.' using errcode = 'SR005';
    end if;
    select count(*) into active from support_tickets
    where counselor_id = counselor and status in ('claimed', 'scheduled') and id <> ticket;
    if active >= cap then
        %s
    end if;
end $$;
"""
OLD_REFUSAL = """raise exception 'The counselor already holds % of % active tickets.', active, cap
            using errcode = 'SR003', detail = format('active=%s capacity=%s', active, cap);"""
# Someone's caseload is theirs and the admins' business only.
NEW_REFUSAL = """if app_current_user_id() is not distinct from counselor or app_current_role() = 'admin' then
            raise exception 'The counselor already holds % of % active tickets.', active, cap
                using errcode = 'SR003', detail = format('active=%s capacity=%s', active, cap);
        end if;
        raise exception 'This counselor cannot take more tickets right now.' using errcode = 'SR003';"""

HOLDER = """
create or replace function ticket_holder_name(ticket uuid) returns text
language sql stable security %s set search_path = public, pg_temp as $$
    select u.display_name from support_tickets t join users u on u.id = t.counselor_id
    where t.id = ticket and t.status <> 'open' and app_current_role() in ('counselor', 'admin')
$$;
"""


def _column_grants(role: str) -> str:
    """Grant SELECT on every column of support_tickets but the description."""
    return f"""
        do $$ begin
            execute (select format('grant select (%s) on support_tickets to {role}',
                                   string_agg(quote_ident(attname), ', ' order by attnum))
                     from pg_attribute where attrelid = 'support_tickets'::regclass and attnum > 0
                       and not attisdropped and attname <> 'description');
        end $$;
    """


def upgrade() -> None:
    role = runtime_role(op)
    op.execute(UPGRADE)
    op.execute(f"revoke select on support_tickets from {role}")
    op.execute(_column_grants(role))
    op.execute(f"grant select on ticket_descriptions to {role}")
    op.execute(CAPACITY.replace("%s", NEW_REFUSAL, 1))
    op.execute(HOLDER % "invoker")


def downgrade() -> None:
    role = runtime_role(op)
    op.execute(HOLDER % "definer")
    op.execute(CAPACITY.replace("%s", OLD_REFUSAL, 1))
    op.execute(f"revoke select on support_tickets from {role}; grant select on support_tickets to {role}")
    op.execute("drop view if exists ticket_descriptions")
