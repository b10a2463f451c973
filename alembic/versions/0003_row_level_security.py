"""Row-level security: the runtime role, its grants, and the policies on every personal-data table.

The runtime role is not superuser, not the tables' owner and has no BYPASSRLS. RLS is enabled and
forced. Policies compare with the caller's id only while their account is active. Every
current-user lookup in a policy is wrapped in (select …) so PostgreSQL evaluates it
once per statement (an InitPlan), keeping each role's main query an ordered index scan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import re

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = [
    "users",
    "counselor_profiles",
    "support_tickets",
    "ticket_events",
    "session_notes",
    "notifications",
    "record_access_log",
]

ME = "(select app_active_user_id())"
ROLE = "(select app_current_role())"

POLICIES = f"""
-- users: yourself; staff (counselors, admins) by everyone signed in; a student by the counselor
-- holding one of their tickets; everyone by admins.
create policy users_select on users for select using (
    id = {ME}
    or {ROLE} = 'admin'
    or ({ROLE} is not null and role in ('counselor', 'admin'))
    or ({ROLE} = 'counselor' and exists (
        select 1 from support_tickets t where t.student_id = users.id and t.counselor_id = {ME}))
);
create policy users_insert on users for insert with check ({ROLE} = 'admin');
create policy users_update on users for update
    using (id = {ME} or {ROLE} = 'admin') with check (id = {ME} or {ROLE} = 'admin');

create policy counselor_profiles_select on counselor_profiles for select
    using (user_id = {ME} or {ROLE} = 'admin');
create policy counselor_profiles_insert on counselor_profiles for insert with check ({ROLE} = 'admin');
create policy counselor_profiles_update on counselor_profiles for update
    using (user_id = {ME} or {ROLE} = 'admin') with check (user_id = {ME} or {ROLE} = 'admin');

-- support_tickets: a student sees their own; a counselor sees open tickets in their expertise
-- (crisis and "other" go to every active counselor) and the ones assigned to them; admins see all.
create policy support_tickets_select on support_tickets for select using (
    {ROLE} = 'admin'
    or student_id = {ME}
    or counselor_id = {ME}
    or (status = 'open' and {ROLE} = 'counselor'
        and (urgency = 'crisis' or category = 'other' or category = any((select app_counselor_expertise())::ticket_category[])))
);
create policy support_tickets_insert on support_tickets for insert
    with check (student_id = {ME} and {ROLE} = 'student');
-- Which columns and transitions each role may write is checked by the before-write trigger.
create policy support_tickets_update on support_tickets for update using (
    {ROLE} = 'admin'
    or student_id = {ME}
    or counselor_id = {ME}
    or (status = 'open' and {ROLE} = 'counselor'
        and (urgency = 'crisis' or category = 'other' or category = any((select app_counselor_expertise())::ticket_category[])))
) with check (
    {ROLE} = 'admin'
    or student_id = {ME}
    or counselor_id = {ME}
    or (status = 'open' and counselor_id is null and {ROLE} = 'counselor')
);

-- ticket_events: readable with the ticket; written only by the database's own trigger.
create policy ticket_events_select on ticket_events for select using (
    exists (select 1 from support_tickets t where t.id = ticket_events.ticket_id)
);

-- session_notes: clinical records, readable only by their author (admins: read_session_notes_as_admin).
create policy session_notes_select on session_notes for select using (author_id = {ME});
create policy session_notes_insert on session_notes for insert with check (
    author_id = {ME} and {ROLE} = 'counselor'
    and exists (select 1 from support_tickets t where t.id = session_notes.ticket_id and t.counselor_id = {ME})
);

create policy notifications_select on notifications for select using (user_id = {ME});
create policy notifications_update on notifications for update
    using (user_id = {ME}) with check (user_id = {ME});

-- A student sees who opened their file; admins see every access.
create policy record_access_log_select on record_access_log for select using (
    {ROLE} = 'admin'
    or exists (select 1 from support_tickets t where t.id = record_access_log.ticket_id and t.student_id = {ME})
);
"""


def upgrade() -> None:
    role = runtime_role(op)
    password = op.get_context().config.attributes.get("app_role_password")
    op.execute(
        f"""
        do $$ begin
            if not exists (select 1 from pg_roles where rolname = '{role}') then
                create role {role} login nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
            end if;
        exception when duplicate_object or unique_violation then
            null;  -- created concurrently by a migration of another database on this server
        end $$;
        """
    )
    if password:
        op.get_bind().exec_driver_sql(f"alter role {role} password %(p)s", {"p": password})
    op.execute(
        f"""
        do $$ begin
            execute format('grant connect on database %I to {role}', current_database());
        end $$;
        grant usage on schema public to {role};
        grant select (id, email, display_name, role, is_active, created_at, updated_at) on users to {role};
        grant insert (email, display_name, role, password_hash, sso_subject) on users to {role};
        grant update (display_name, is_active) on users to {role};
        grant select, insert, update on counselor_profiles to {role};
        grant select on support_tickets to {role};
        grant insert (student_id, title, description, category, urgency, session_mode, idempotency_key)
            on support_tickets to {role};
        grant update (status, counselor_id, urgency, category, scheduled_time, session_minutes, meeting_link,
                      location, notes, close_reason) on support_tickets to {role};
        grant select on ticket_events to {role};
        grant select, insert on session_notes to {role};
        grant select on notifications to {role};
        grant update (read_at) on notifications to {role};
        grant select on record_access_log to {role};
        grant execute on all functions in schema public to {role};
        """
    )
    for table in TABLES:
        op.execute(f"alter table {table} enable row level security; alter table {table} force row level security;")
    op.execute(POLICIES)


def downgrade() -> None:
    role = runtime_role(op)
    for name, table in _policy_names():
        op.execute(f"drop policy if exists {name} on {table}")
    for table in TABLES:
        op.execute(f"alter table {table} no force row level security; alter table {table} disable row level security;")
    # The role is cluster-wide (other databases may use it): take back what it was given here only.
    op.execute(
        f"""
        revoke all on all tables in schema public from {role};
        revoke all on all functions in schema public from {role};
        revoke usage on schema public from {role};
        do $$ begin
            execute format('revoke connect on database %I from {role}', current_database());
        end $$;
        """
    )


def _policy_names() -> list[tuple[str, str]]:
    return re.findall(r"create policy (\w+) on (\w+)", POLICIES)
