"""Notifications: created by the database itself for every ticket change that concerns someone, however
the change was made; an email outbox filled in the same transaction (so mail is only queued for changes
that commit); and crisis escalation whose schedule lives in the database (it survives restarts).

Privacy: a notification's text names what happened and, at most, which staff member did it; never a
title, description or category. Emails carry less still (only that something changed, and a link).

The runtime role reaches the outbox and the escalation table only through the security-definer
functions below (row-level security forced, no policies, no table privileges).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table email_outbox (
    id bigint generated always as identity primary key,
    notification_id bigint references notifications (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    ticket_id uuid references support_tickets (id) on delete cascade,
    kind text not null,
    status text not null default 'pending'
        constraint email_outbox_status check (status in ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- While 'sending': a worker that died mid-send lets the row become due again after this.
    locked_until timestamptz,
    sent_at timestamptz,
    last_error text constraint email_outbox_error_length check (char_length(last_error) <= 500),
    created_at timestamptz not null default now()
);
create index email_outbox_due_idx on email_outbox (next_attempt_at) where status in ('pending', 'sending');
create index email_outbox_created_idx on email_outbox (created_at);

-- One row per alert round of a crisis ticket: the unique key makes concurrent runs (several workers)
-- alert once per round, and the rounds already sent survive a restart.
create table crisis_escalations (
    ticket_id uuid not null references support_tickets (id) on delete cascade,
    round integer not null constraint crisis_escalation_round_positive check (round >= 1),
    created_at timestamptz not null default now(),
    primary key (ticket_id, round)
);

alter table email_outbox enable row level security;
alter table email_outbox force row level security;
alter table crisis_escalations enable row level security;
alter table crisis_escalations force row level security;

-- One notification for one person, unless they caused the change themselves.
create function app_notify_user(p_user uuid, p_ticket uuid, p_kind text, p_body text, p_actor uuid) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    insert into notifications (user_id, ticket_id, kind, body)
    select p_user, p_ticket, p_kind, left(p_body, 200)
    where p_user is not null and p_user is distinct from p_actor
$$;

-- Every on-call counselor and admin hears of a new crisis ticket at once.
create function app_notify_new_crisis(p_ticket uuid, p_actor uuid) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    insert into notifications (user_id, ticket_id, kind, body)
    select u.id, p_ticket, 'crisis_new', 'A new crisis ticket is waiting for a counselor.'
    from users u left join counselor_profiles p on p.user_id = u.id
    where u.is_active and (u.role = 'admin' or (u.role = 'counselor' and p.on_call_crisis))
      and u.id is distinct from p_actor
$$;

-- Mirrors the kinds app_support_tickets_history() records (0002), for the people each one concerns.
create function app_ticket_notifications() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    actor uuid := coalesce(app_current_user_id(), nullif(current_setting('soulroute.actor_id', true), '')::uuid);
    by_name text;
begin
    if tg_op = 'INSERT' then
        if new.urgency = 'crisis' and new.status = 'open' then
            perform app_notify_new_crisis(new.id, actor);
        end if;
        return null;
    end if;

    if new.counselor_id is not null then
        select display_name into by_name from users where id = new.counselor_id;
    end if;

    if new.status <> old.status then
        if new.status = 'claimed' then
            perform app_notify_user(new.student_id, new.id, 'claimed',
                format('Your ticket was claimed by %s.', by_name), actor);
            perform app_notify_user(new.counselor_id, new.id, 'assigned', 'A ticket was assigned to you.', actor);
        elsif new.status = 'scheduled' then
            perform app_notify_user(new.student_id, new.id, 'scheduled',
                format('%s scheduled a session with you.', by_name), actor);
        elsif new.status = 'open' then
            perform app_notify_user(new.student_id, new.id, 'released',
                'Your ticket was released and is waiting for a counselor again.', actor);
            perform app_notify_user(old.counselor_id, new.id, 'released',
                'A ticket assigned to you was released.', actor);
        elsif new.status = 'completed' then
            perform app_notify_user(new.student_id, new.id, 'completed',
                format('%s marked your session as completed.', by_name), actor);
        elsif new.status = 'closed' and old.status <> 'completed' then
            perform app_notify_user(old.counselor_id, new.id, 'cancelled',
                'A ticket assigned to you was cancelled.', actor);
            perform app_notify_user(new.student_id, new.id, 'cancelled', 'Your ticket was cancelled.', actor);
        end if;
    elsif new.status = 'scheduled' and (new.scheduled_time, new.session_minutes, new.meeting_link, new.location)
          is distinct from (old.scheduled_time, old.session_minutes, old.meeting_link, old.location) then
        perform app_notify_user(new.student_id, new.id, 'rescheduled',
            format('%s changed your session details.', by_name), actor);
    end if;

    if new.status = old.status and new.counselor_id is distinct from old.counselor_id then
        perform app_notify_user(old.counselor_id, new.id, 'reassigned',
            'A ticket assigned to you was reassigned to another counselor.', actor);
        perform app_notify_user(new.counselor_id, new.id, 'assigned', 'A ticket was assigned to you.', actor);
        perform app_notify_user(new.student_id, new.id, 'reassigned',
            format('Your ticket is now with %s.', by_name), actor);
    end if;

    -- An open ticket raised to crisis (by an admin) is as urgent as a new crisis ticket.
    if new.status = 'open' and new.urgency = 'crisis' and old.urgency <> 'crisis' then
        perform app_notify_new_crisis(new.id, actor);
    end if;
    return null;
end $$;

create trigger support_tickets_notifications after insert or update on support_tickets
    for each row execute function app_ticket_notifications();

-- Every notification, whoever created it: queue its email and wake the recipient's open tabs. Both
-- take effect only if the transaction commits (NOTIFY is delivered at commit).
create function app_notification_created() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    insert into email_outbox (notification_id, user_id, ticket_id, kind)
    values (new.id, new.user_id, new.ticket_id, new.kind);
    perform pg_notify('soulroute_notifications',
        json_build_object('user_id', new.user_id, 'notification_id', new.id)::text);
    return null;
end $$;

create trigger notifications_created after insert on notifications
    for each row execute function app_notification_created();

-- Crisis escalation: for each open crisis ticket, the latest round due (created_at + n * interval has
-- passed) alerts every admin and every active counselor, once. Only the latest round: after downtime
-- people get one alert, not one per missed interval. Returns how many tickets were escalated.
create function app_escalate_crisis(p_interval interval) returns integer
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    escalated integer;
begin
    if p_interval is null or p_interval < interval '1 minute' then
        raise exception 'The escalation interval must be at least one minute.' using errcode = 'SR002';
    end if;
    with due as (
        select t.id, floor(extract(epoch from now() - t.created_at) / extract(epoch from p_interval))::integer as round
        from support_tickets t
        where t.status = 'open' and t.urgency = 'crisis' and t.created_at <= now() - p_interval
    ), fresh as (
        insert into crisis_escalations (ticket_id, round)
        select id, round from due
        on conflict do nothing
        returning ticket_id, round
    ), alerts as (
        insert into notifications (user_id, ticket_id, kind, body)
        select u.id, f.ticket_id, 'crisis_escalation',
               format('A crisis ticket has waited %s minutes without a counselor.',
                      floor(f.round * extract(epoch from p_interval) / 60)::integer)
        from fresh f cross join users u
        where u.is_active and u.role in ('admin', 'counselor')
        returning 1
    )
    -- (A data-modifying CTE runs whether or not it is read: `alerts` inserts even though unused here.)
    select count(*) into escalated from fresh;
    return escalated;
end $$;

-- The sender claims due emails (several workers: SKIP LOCKED, each row to one of them) and gets the
-- address to send to. Rows for deactivated accounts are dropped, and so are rows older than a day
-- (mail switched on later must not flood people with old news).
create function app_outbox_claim(p_limit integer, p_lease interval)
returns table (id bigint, email text, ticket_id uuid, kind text, attempts integer)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
begin
    update email_outbox o set status = 'dropped', locked_until = null
    where o.status in ('pending', 'sending') and o.created_at < now() - interval '1 day';
    return query
    with due as (
        select o.id from email_outbox o
        where (o.status = 'pending' and o.next_attempt_at <= now())
           or (o.status = 'sending' and o.locked_until < now())
        order by o.next_attempt_at, o.id
        limit least(greatest(p_limit, 1), 100)
        for update skip locked
    ), claimed as (
        update email_outbox o
        set status = case when u.is_active then 'sending' else 'dropped' end,
            attempts = o.attempts + case when u.is_active then 1 else 0 end,
            locked_until = case when u.is_active then now() + p_lease end
        from due, users u
        where o.id = due.id and u.id = o.user_id
        returning o.id, u.email, o.ticket_id, o.kind, o.attempts, o.status
    )
    select c.id, c.email, c.ticket_id, c.kind, c.attempts from claimed c where c.status = 'sending';
end $$;

create function app_outbox_sent(p_id bigint) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    update email_outbox set status = 'sent', sent_at = now(), locked_until = null, last_error = null
    where id = p_id and status = 'sending'
$$;

-- A failed attempt: try again after p_retry_in, or give up after p_max_attempts.
create function app_outbox_failed(p_id bigint, p_error text, p_retry_in interval, p_max_attempts integer)
returns void language sql volatile security definer set search_path = public, pg_temp as $$
    update email_outbox
    set status = case when attempts >= p_max_attempts then 'failed' else 'pending' end,
        next_attempt_at = now() + least(greatest(p_retry_in, interval '0'), interval '1 day'),
        locked_until = null,
        last_error = left(p_error, 500)
    where id = p_id and status = 'sending'
$$;

-- Housekeeping: outbox rows are kept a week (enough to investigate a complaint), then deleted,
-- also the ones never sent because email is switched off (nothing is sent after a day anyway).
create function app_outbox_prune() returns integer
language sql volatile security definer set search_path = public, pg_temp as $$
    with gone as (
        delete from email_outbox where created_at < now() - interval '7 days'
        returning 1
    )
    select count(*)::integer from gone
$$;
"""

FUNCTIONS = [
    "app_escalate_crisis(interval)",
    "app_outbox_claim(integer, interval)",
    "app_outbox_sent(bigint)",
    "app_outbox_failed(bigint, text, interval, integer)",
    "app_outbox_prune()",
]

DOWNGRADE = """
drop function if exists app_outbox_prune();
drop function if exists app_outbox_failed(bigint, text, interval, integer);
drop function if exists app_outbox_sent(bigint);
drop function if exists app_outbox_claim(integer, interval);
drop function if exists app_escalate_crisis(interval);
drop trigger if exists notifications_created on notifications;
drop function if exists app_notification_created();
drop trigger if exists support_tickets_notifications on support_tickets;
drop function if exists app_ticket_notifications();
drop function if exists app_notify_new_crisis(uuid, uuid);
drop function if exists app_notify_user(uuid, uuid, text, text, uuid);
drop table if exists crisis_escalations;
drop table if exists email_outbox;
"""


def upgrade() -> None:
    role = runtime_role(op)
    op.execute(UPGRADE)
    # Only the app's own loops call these: not every role on the server (PUBLIC has EXECUTE by default).
    # The notify helpers are internal to the triggers: nobody calls them directly.
    for fn in FUNCTIONS:
        op.execute(f"revoke all on function {fn} from public; grant execute on function {fn} to {role};")
    for fn in ("app_notify_user(uuid, uuid, text, text, uuid)", "app_notify_new_crisis(uuid, uuid)"):
        op.execute(f"revoke all on function {fn} from public;")


def downgrade() -> None:
    op.execute(DOWNGRADE)
