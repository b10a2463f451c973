"""Admin oversight: a recorded way to open a ticket's description, an audit of admins' changes to
accounts and counselor profiles, and the indexes the dashboard and analytics use.

- open_ticket_description(ticket, why): an admin reads a description with a stated reason, recorded
  in record_access_log first (as read_session_notes_as_admin does for session notes).
- admin_audit: who changed which account or counselor profile, what changed and why. Written only
  by the database's own triggers (security definer); readable by admins; append-only. The reason
  comes from soulroute.reason (the admin pages always give one; the domain layer requires it).
- Indexes: active tickets per counselor (load, stale claims), session times (sessions today),
  completion times (sessions completed per week).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table admin_audit (
    id bigint generated always as identity primary key,
    actor_id uuid not null references users (id),
    subject_id uuid not null references users (id),
    action text not null constraint admin_audit_action check (action in (
        'account_created', 'account_deactivated', 'account_reactivated', 'account_renamed', 'profile_changed')),
    detail jsonb not null default '{}',
    reason text constraint admin_audit_reason_length check (reason is null or char_length(reason) <= 500),
    created_at timestamptz not null default now()
);
create index admin_audit_actor_idx on admin_audit (actor_id, created_at);
create index admin_audit_subject_idx on admin_audit (subject_id, created_at);
alter table admin_audit enable row level security;
alter table admin_audit force row level security;
create policy admin_audit_select on admin_audit for select using ((select app_current_role() = 'admin'));
create trigger admin_audit_append_only before update or delete on admin_audit
    for each row execute function app_reject_change();

create function app_admin_reason() returns text
language sql stable as $$
    select nullif(btrim(coalesce(current_setting('soulroute.reason', true), '')), '')
$$;

-- An admin's change to someone else's counselor profile, recorded with the diff and the reason.
create function app_counselor_profiles_audit() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    uid uuid := app_current_user_id();
    why text := app_admin_reason();
    changes jsonb;
begin
    if uid is null or uid = new.user_id then
        return null;
    end if;
    select jsonb_object_agg(nb.key, jsonb_build_object('from', na.value, 'to', nb.value)) into changes
    from jsonb_each(to_jsonb(new)) nb join jsonb_each(to_jsonb(old)) na using (key)
    where nb.value is distinct from na.value and nb.key not in ('updated_at', 'created_at');
    if changes is null then
        return null;
    end if;
    insert into admin_audit (actor_id, subject_id, action, detail, reason)
    values (uid, new.user_id, 'profile_changed', changes, why);
    return null;
end $$;
create trigger counselor_profiles_audit after update on counselor_profiles
    for each row execute function app_counselor_profiles_audit();

-- Accounts created, (de)activated or renamed by an admin through the app.
create function app_users_audit() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    uid uuid := app_current_user_id();
    why text := app_admin_reason();
begin
    if uid is null or uid = new.id then
        return null;
    end if;
    if tg_op = 'INSERT' then
        insert into admin_audit (actor_id, subject_id, action, detail, reason)
        values (uid, new.id, 'account_created', jsonb_build_object('role', new.role, 'email', new.email), why);
        return null;
    end if;
    if new.is_active is distinct from old.is_active then
        insert into admin_audit (actor_id, subject_id, action, detail, reason)
        values (uid, new.id, case when new.is_active then 'account_reactivated' else 'account_deactivated' end,
                '{}', why);
    end if;
    if new.display_name is distinct from old.display_name then
        insert into admin_audit (actor_id, subject_id, action, detail, reason)
        values (uid, new.id, 'account_renamed',
                jsonb_build_object('from', old.display_name, 'to', new.display_name), why);
    end if;
    return null;
end $$;
create trigger users_audit after insert or update on users
    for each row execute function app_users_audit();

-- An admin opens a ticket's description: recorded first, with the reason; null if no such ticket.
create function open_ticket_description(ticket uuid, why text) returns text
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    body text;
begin
    if app_current_role() is distinct from 'admin' then
        raise exception 'Only an admin can open a description this way.' using errcode = 'SR002';
    end if;
    if char_length(btrim(coalesce(why, ''))) < 5 then
        raise exception 'State why you need to open this description.' using errcode = 'SR002';
    end if;
    select t.description into body from support_tickets t where t.id = ticket;
    if not found then
        return null;
    end if;
    insert into record_access_log (ticket_id, accessor_id, what, reason)
    values (ticket, app_current_user_id(), 'description', btrim(why));
    return body;
end $$;

-- Active tickets per counselor (load against capacity; claims waiting to be scheduled).
create index support_tickets_active_idx on support_tickets (counselor_id, status, claimed_at)
    where status in ('claimed', 'scheduled');
-- Sessions in a time window (sessions today).
create index support_tickets_scheduled_time_idx on support_tickets (scheduled_time)
    where scheduled_time is not null;
-- Sessions completed per week.
create index support_tickets_completed_idx on support_tickets (completed_at)
    where completed_at is not null;
"""

DOWNGRADE = """
drop index if exists support_tickets_completed_idx;
drop index if exists support_tickets_scheduled_time_idx;
drop index if exists support_tickets_active_idx;
drop function if exists open_ticket_description(uuid, text);
drop trigger if exists users_audit on users;
drop function if exists app_users_audit();
drop trigger if exists counselor_profiles_audit on counselor_profiles;
drop function if exists app_counselor_profiles_audit();
drop function if exists app_admin_reason();
drop table if exists admin_audit;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    role = runtime_role(op)
    op.execute(
        f"""
        grant select on admin_audit to {role};
        revoke all on function open_ticket_description(uuid, text) from public;
        grant execute on function open_ticket_description(uuid, text) to {role};
        grant execute on function app_admin_reason() to {role};
        """
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
