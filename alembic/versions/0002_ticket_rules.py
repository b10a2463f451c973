"""Ticket rules the database enforces itself: identity functions, legal transitions, who may change
which columns, capacity under concurrent claims, lifecycle timestamps and the append-only history.

Errors raised here carry SQLSTATEs of class SR so the domain layer can map each to a clear message:
SR001 illegal transition, SR002 not permitted, SR003 over capacity, SR004 time in the past,
SR005 counselor not eligible.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = r"""
-- The caller's identity, set per transaction by the app with set_config('soulroute.user_id', …, true).
create function app_current_user_id() returns uuid
language sql stable parallel safe as $$
    select nullif(current_setting('soulroute.user_id', true), '')::uuid
$$;

-- The caller's id if their account is active: what every policy compares with.
create function app_active_user_id() returns uuid
language sql stable security definer set search_path = public, pg_temp as $$
    select id from users where id = app_current_user_id() and is_active
$$;

-- The caller's role, looked up in the database (never taken from the client). Inactive users have none.
create function app_current_role() returns user_role
language sql stable security definer set search_path = public, pg_temp as $$
    select role from users where id = app_current_user_id() and is_active
$$;

create function app_counselor_expertise() returns ticket_category[]
language sql stable security definer set search_path = public, pg_temp as $$
    select p.expertise from counselor_profiles p join users u on u.id = p.user_id
    where p.user_id = app_current_user_id() and u.is_active and u.role = 'counselor'
$$;

create function app_touch_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end $$;

create trigger users_touch before update on users
    for each row execute function app_touch_updated_at();
create trigger counselor_profiles_touch before update on counselor_profiles
    for each row execute function app_touch_updated_at();

create function app_ticket_transition_is_legal(from_status ticket_status, to_status ticket_status)
returns boolean language sql immutable parallel safe as $$
    select (from_status, to_status) in (
        ('open', 'open'), ('open', 'claimed'), ('open', 'closed'),
        ('claimed', 'claimed'), ('claimed', 'scheduled'), ('claimed', 'open'), ('claimed', 'closed'),
        ('scheduled', 'scheduled'), ('scheduled', 'completed'), ('scheduled', 'open'), ('scheduled', 'closed'),
        ('completed', 'closed'))
$$;

-- Columns whose value differs between two versions of a ticket row, ignoring the ones the
-- trigger maintains itself.
create function app_ticket_changed_columns(a support_tickets, b support_tickets) returns text[]
language sql immutable as $$
    select coalesce(array_agg(n.key order by n.key), '{}')
    from jsonb_each(to_jsonb(b)) n
    where n.value is distinct from (to_jsonb(a) -> n.key)
      and n.key not in ('updated_at', 'claimed_at', 'scheduled_at', 'completed_at', 'closed_at', 'scheduled_end')
$$;

-- Makes sure `counselor` may hold one more active ticket; locks their profile row so that
-- concurrent claims for the same counselor queue up and each counts the others' result.
create function app_check_counselor_capacity(counselor uuid, ticket uuid) returns void
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
        raise exception 'The counselor already holds % of % active tickets.', active, cap
            using errcode = 'SR003', detail = format('active=%s capacity=%s', active, cap);
    end if;
end $$;

create function app_support_tickets_before_write() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    uid uuid := app_current_user_id();
    who user_role := app_current_role();
    changed text[];
    allowed text[];
begin
    if tg_op = 'INSERT' then
        if uid is not null then
            -- Through the app a ticket is born open and unassigned, stamped now.
            if who is distinct from 'student' or new.student_id is distinct from uid then
                raise exception 'Only a student can open a ticket, and only for themselves.' using errcode = 'SR002';
            end if;
            if new.status <> 'open' or new.counselor_id is not null or new.scheduled_time is not null then
                raise exception 'A new ticket starts open and unassigned.' using errcode = 'SR001';
            end if;
            new.created_at := now();
            new.claimed_at := null; new.scheduled_at := null; new.completed_at := null; new.closed_at := null;
        end if;
        new.updated_at := new.created_at;
        new.scheduled_end := new.scheduled_time + make_interval(mins => new.session_minutes);
        return new;
    end if;

    if not app_ticket_transition_is_legal(old.status, new.status) then
        raise exception 'A ticket cannot go from % to %.', old.status, new.status using errcode = 'SR001';
    end if;

    changed := app_ticket_changed_columns(old, new);

    if uid is not null then
        if who is null then
            raise exception 'Your account is not active.' using errcode = 'SR002';
        elsif who = 'student' then
            if old.student_id <> uid or new.status <> 'closed' or old.status = 'closed' then
                raise exception 'Students can only cancel their own tickets.' using errcode = 'SR002';
            end if;
            allowed := array['status', 'close_reason'];
        elsif who = 'counselor' then
            if old.status = 'open' and new.status = 'claimed' then
                if new.counselor_id is distinct from uid then
                    raise exception 'A counselor can only claim a ticket for themselves.' using errcode = 'SR002';
                end if;
                if not exists (select 1 from counselor_profiles where user_id = uid and accepting_new) then
                    raise exception 'You are not accepting new tickets; turn that on in your profile first.'
                        using errcode = 'SR005';
                end if;
                allowed := array['status', 'counselor_id'];
            elsif old.counselor_id is distinct from uid then
                raise exception 'This ticket is not assigned to you.' using errcode = 'SR002';
            elsif new.status = 'open' then
                allowed := array['status', 'counselor_id', 'scheduled_time', 'meeting_link', 'location'];
            elsif new.status = 'scheduled' then
                allowed := array['status', 'scheduled_time', 'session_minutes', 'meeting_link', 'location', 'notes'];
            elsif new.status = 'claimed' then
                allowed := array['notes'];
            elsif old.status = 'scheduled' and new.status = 'completed' then
                allowed := array['status'];
            elsif old.status = 'completed' and new.status = 'closed' then
                allowed := array['status', 'close_reason'];
            else
                raise exception 'Only the student or an admin can cancel a ticket.' using errcode = 'SR002';
            end if;
        elsif who = 'admin' then
            allowed := array['status', 'counselor_id', 'urgency', 'category', 'scheduled_time', 'session_minutes',
                             'meeting_link', 'location', 'notes', 'close_reason'];
        end if;
        if not changed <@ allowed then
            raise exception 'You may not change %.', array_to_string(
                array(select unnest(changed) except select unnest(allowed)), ', ') using errcode = 'SR002';
        end if;
        if new.scheduled_time is distinct from old.scheduled_time and new.scheduled_time <= now() then
            raise exception 'The session time must be in the future.' using errcode = 'SR004';
        end if;
    end if;

    -- Side effects of the new status.
    if new.status = 'open' then
        new.counselor_id := null;
        new.scheduled_time := null;
        new.meeting_link := null;
        new.location := null;
    end if;
    new.scheduled_end := new.scheduled_time + make_interval(mins => new.session_minutes);

    if new.counselor_id is not null and new.status in ('claimed', 'scheduled')
       and (new.counselor_id is distinct from old.counselor_id or old.status not in ('claimed', 'scheduled')) then
        perform app_check_counselor_capacity(new.counselor_id, new.id);
    end if;

    -- Lifecycle stamps: now(), unless maintenance (no app identity) supplied a value, as the demo
    -- and benchmark loaders do to build a realistic past.
    if new.status <> old.status then
        if new.status = 'claimed' and (uid is not null or new.claimed_at is not distinct from old.claimed_at) then
            new.claimed_at := now();
        elsif new.status = 'scheduled' and (uid is not null or new.scheduled_at is not distinct from old.scheduled_at) then
            new.scheduled_at := now();
        elsif new.status = 'completed' and (uid is not null or new.completed_at is not distinct from old.completed_at) then
            new.completed_at := now();
        elsif new.status = 'closed' and (uid is not null or new.closed_at is not distinct from old.closed_at) then
            new.closed_at := now();
        end if;
    end if;
    if uid is not null or new.updated_at is not distinct from old.updated_at then
        new.updated_at := now();
    end if;
    return new;
end $$;

create trigger support_tickets_before_write before insert or update on support_tickets
    for each row execute function app_support_tickets_before_write();

-- History, written by the database on every change. The reason for an action travels in the
-- transaction-local setting soulroute.reason; maintenance loaders may name an actor in soulroute.actor_id.
create function app_support_tickets_history() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    actor uuid := coalesce(app_current_user_id(), nullif(current_setting('soulroute.actor_id', true), '')::uuid);
    reason text := nullif(btrim(coalesce(current_setting('soulroute.reason', true), '')), '');
    kind text;
    at timestamptz;
begin
    if tg_op = 'INSERT' then
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail, created_at)
        values (new.id, coalesce(actor, new.student_id), 'created', null, new.status, '{}', new.created_at);
        return null;
    end if;

    if new.status <> old.status then
        kind := case new.status
            when 'claimed' then 'claimed'
            when 'scheduled' then 'scheduled'
            when 'open' then 'released'
            when 'completed' then 'completed'
            else case when old.status = 'completed' then 'closed' else 'cancelled' end
        end;
        at := case new.status
            when 'claimed' then new.claimed_at when 'scheduled' then new.scheduled_at
            when 'completed' then new.completed_at when 'closed' then new.closed_at else new.updated_at end;
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail, created_at)
        values (new.id, actor, kind, old.status, new.status, jsonb_strip_nulls(jsonb_build_object(
            'reason', reason,
            'counselor_id', coalesce(new.counselor_id, old.counselor_id),
            'scheduled_time', new.scheduled_time,
            'session_minutes', case when new.status = 'scheduled' then new.session_minutes end)),
            coalesce(at, now()));
    elsif new.status = 'scheduled' and (new.scheduled_time, new.session_minutes, new.meeting_link, new.location)
          is distinct from (old.scheduled_time, old.session_minutes, old.meeting_link, old.location) then
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail)
        values (new.id, actor, 'rescheduled', old.status, new.status, jsonb_strip_nulls(jsonb_build_object(
            'reason', reason, 'previous_time', old.scheduled_time, 'scheduled_time', new.scheduled_time,
            'session_minutes', new.session_minutes)));
    end if;

    if new.status = old.status and new.counselor_id is distinct from old.counselor_id then
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail)
        values (new.id, actor, 'reassigned', old.status, new.status, jsonb_strip_nulls(jsonb_build_object(
            'reason', reason, 'from_counselor_id', old.counselor_id, 'counselor_id', new.counselor_id)));
    end if;
    if new.urgency <> old.urgency then
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail)
        values (new.id, actor, 'urgency_changed', old.status, new.status, jsonb_strip_nulls(jsonb_build_object(
            'reason', reason, 'from', old.urgency, 'to', new.urgency)));
    end if;
    if new.category <> old.category then
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail)
        values (new.id, actor, 'category_changed', old.status, new.status, jsonb_strip_nulls(jsonb_build_object(
            'reason', reason, 'from', old.category, 'to', new.category)));
    end if;
    if new.notes <> old.notes then
        insert into ticket_events (ticket_id, actor_id, kind, from_status, to_status, detail)
        values (new.id, actor, 'notes_updated', old.status, new.status, '{}');
    end if;
    return null;
end $$;

create trigger support_tickets_history after insert or update on support_tickets
    for each row execute function app_support_tickets_history();

create function app_reject_change() returns trigger
language plpgsql as $$
begin
    raise exception '% is append-only.', tg_table_name using errcode = 'SR002';
end $$;

create trigger ticket_events_append_only before update on ticket_events
    for each row execute function app_reject_change();
create trigger session_notes_append_only before update on session_notes
    for each row execute function app_reject_change();
create trigger record_access_log_append_only before update or delete on record_access_log
    for each row execute function app_reject_change();

-- Who holds a ticket now, for a counselor whose claim lost the race ("Dr. Lee claimed this ticket
-- a moment ago"). Gives only a staff display name, never ticket content.
create function ticket_holder_name(ticket uuid) returns text
language sql stable security definer set search_path = public, pg_temp as $$
    select u.display_name from support_tickets t join users u on u.id = t.counselor_id
    where t.id = ticket and t.status <> 'open' and app_current_role() in ('counselor', 'admin')
$$;

-- Break the glass: an admin reads a counselor's session notes with a stated reason, recorded first.
create function read_session_notes_as_admin(ticket uuid, why text)
returns table (id uuid, author_id uuid, body text, created_at timestamptz)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
    if app_current_role() is distinct from 'admin' then
        raise exception 'Only an admin can open session notes this way.' using errcode = 'SR002';
    end if;
    if char_length(btrim(coalesce(why, ''))) < 5 then
        raise exception 'State why you need to open these notes.' using errcode = 'SR002';
    end if;
    insert into record_access_log (ticket_id, accessor_id, what, reason)
    values (ticket, app_current_user_id(), 'session_notes', btrim(why));
    return query select n.id, n.author_id, n.body, n.created_at from session_notes n
        where n.ticket_id = ticket order by n.created_at;
end $$;
"""

DOWNGRADE = """
drop function if exists read_session_notes_as_admin(uuid, text);
drop function if exists ticket_holder_name(uuid);
drop trigger if exists record_access_log_append_only on record_access_log;
drop trigger if exists session_notes_append_only on session_notes;
drop trigger if exists ticket_events_append_only on ticket_events;
drop function if exists app_reject_change();
drop trigger if exists support_tickets_history on support_tickets;
drop function if exists app_support_tickets_history();
drop trigger if exists support_tickets_before_write on support_tickets;
drop function if exists app_support_tickets_before_write();
drop function if exists app_check_counselor_capacity(uuid, uuid);
drop function if exists app_ticket_changed_columns(support_tickets, support_tickets);
drop function if exists app_ticket_transition_is_legal(ticket_status, ticket_status);
drop trigger if exists counselor_profiles_touch on counselor_profiles;
drop trigger if exists users_touch on users;
drop function if exists app_touch_updated_at();
drop function if exists app_counselor_expertise();
drop function if exists app_current_role();
drop function if exists app_active_user_id();
drop function if exists app_current_user_id();
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
