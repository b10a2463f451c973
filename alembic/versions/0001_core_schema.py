"""Core schema: enums, tables, constraints and the indexes each role's main query uses.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = r"""
create extension if not exists btree_gist;
create extension if not exists pg_trgm;

create type user_role as enum ('student', 'counselor', 'admin');
create type ticket_category as enum ('anxiety', 'depression', 'stress', 'relationships', 'academic', 'other');
create type ticket_urgency as enum ('low', 'medium', 'high', 'crisis');
create type ticket_status as enum ('open', 'claimed', 'scheduled', 'completed', 'closed');
create type session_mode as enum ('video', 'audio', 'chat', 'in-person');

create table users (
    id uuid primary key default gen_random_uuid(),
    email text not null
        constraint users_email_format check (email = btrim(email) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
                                             and char_length(email) <= 254),
    display_name text not null
        constraint users_display_name_length check (char_length(btrim(display_name)) between 1 and 100),
    role user_role not null,
    password_hash text,
    sso_subject text unique,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index users_email_lower_key on users (lower(email));

create table counselor_profiles (
    user_id uuid primary key references users (id) on delete cascade,
    expertise ticket_category[] not null default '{}',
    session_modes session_mode[] not null default '{video,audio,chat,in-person}',
    capacity integer not null default 5 constraint counselor_capacity_range check (capacity between 0 and 200),
    accepting_new boolean not null default true,
    on_call_crisis boolean not null default false,
    bio text not null default '' constraint counselor_bio_length check (char_length(bio) <= 1000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table support_tickets (
    id uuid primary key default gen_random_uuid(),
    student_id uuid not null references users (id),
    counselor_id uuid references users (id),
    title text not null constraint ticket_title_length check (char_length(btrim(title)) between 5 and 120),
    description text not null
        constraint ticket_description_length check (char_length(btrim(description)) between 20 and 5000),
    category ticket_category not null,
    urgency ticket_urgency not null,
    status ticket_status not null default 'open',
    session_mode session_mode not null,
    scheduled_time timestamptz,
    -- Kept by the trigger from scheduled_time + session_minutes: timestamptz + interval is not
    -- immutable, so the exclusion constraint below cannot compute it itself.
    scheduled_end timestamptz,
    session_minutes integer not null default 50
        constraint ticket_session_minutes_range check (session_minutes between 10 and 240),
    meeting_link text constraint ticket_meeting_link_https
        check (meeting_link is null or meeting_link ~ '^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s<>"]*)?$'),
    location text constraint ticket_location_length check (location is null or char_length(location) <= 200),
    notes text not null default '' constraint ticket_notes_length check (char_length(notes) <= 2000),
    close_reason text constraint ticket_close_reason_length
        check (close_reason is null or char_length(close_reason) <= 500),
    idempotency_key uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    claimed_at timestamptz,
    scheduled_at timestamptz,
    completed_at timestamptz,
    closed_at timestamptz,
    constraint ticket_counselor_matches_status check (
        (status = 'open' and counselor_id is null)
        or (status in ('claimed', 'scheduled', 'completed') and counselor_id is not null)
        or status = 'closed'
    ),
    constraint ticket_scheduled_has_time check (
        status <> 'scheduled' or (scheduled_time is not null and scheduled_end is not null)
    ),
    constraint ticket_idempotency_key unique (student_id, idempotency_key),
    constraint ticket_no_overlapping_sessions exclude using gist (
        counselor_id with =, tstzrange(scheduled_time, scheduled_end) with &&
    ) where (status = 'scheduled')
);

-- Counselor board: open tickets, crisis first, then urgency, then oldest. One ordered index scan
-- that stops after a page; the RLS policy is a cheap filter on it.
create index support_tickets_board_idx on support_tickets (urgency desc, created_at, id) where status = 'open';
-- Student's list.
create index support_tickets_student_idx on support_tickets (student_id, created_at desc);
-- Caseload and capacity counts.
create index support_tickets_counselor_idx on support_tickets (counselor_id, status) where counselor_id is not null;
-- Admin crisis queue: crisis and high urgency not yet scheduled, oldest first.
create index support_tickets_crisis_queue_idx on support_tickets (created_at, id)
    where urgency in ('crisis', 'high') and status in ('open', 'claimed');
-- Admin all-tickets table, newest first.
create index support_tickets_created_idx on support_tickets (created_at desc, id desc);
-- Text search over title and description.
create index support_tickets_search_idx on support_tickets
    using gin ((title || ' ' || description) gin_trgm_ops);

create table ticket_events (
    id bigint generated always as identity primary key,
    ticket_id uuid not null references support_tickets (id) on delete cascade,
    actor_id uuid references users (id),
    kind text not null constraint ticket_event_kind check (kind in (
        'created', 'claimed', 'scheduled', 'rescheduled', 'released', 'completed', 'closed', 'cancelled',
        'reassigned', 'urgency_changed', 'category_changed', 'notes_updated')),
    from_status ticket_status,
    to_status ticket_status,
    detail jsonb not null default '{}',
    created_at timestamptz not null default now()
);
create index ticket_events_ticket_idx on ticket_events (ticket_id, created_at, id);
create index ticket_events_actor_idx on ticket_events (actor_id, created_at);

create table session_notes (
    id uuid primary key default gen_random_uuid(),
    ticket_id uuid not null references support_tickets (id),
    author_id uuid not null references users (id),
    body text not null constraint session_notes_body_length check (char_length(btrim(body)) between 1 and 20000),
    created_at timestamptz not null default now()
);
create index session_notes_ticket_idx on session_notes (ticket_id, created_at);

create table notifications (
    id bigint generated always as identity primary key,
    user_id uuid not null references users (id) on delete cascade,
    ticket_id uuid references support_tickets (id) on delete cascade,
    kind text not null,
    body text not null constraint notification_body_length check (char_length(body) <= 200),
    created_at timestamptz not null default now(),
    read_at timestamptz
);
create index notifications_user_idx on notifications (user_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

-- Who opened a ticket's description (admin) or a counselor's session notes (break the glass), and why.
create table record_access_log (
    id bigint generated always as identity primary key,
    ticket_id uuid not null references support_tickets (id) on delete cascade,
    accessor_id uuid not null references users (id),
    what text not null constraint record_access_what check (what in ('description', 'session_notes')),
    reason text not null constraint record_access_reason_length check (char_length(btrim(reason)) between 5 and 500),
    created_at timestamptz not null default now()
);
create index record_access_log_ticket_idx on record_access_log (ticket_id, created_at);
create index record_access_log_accessor_idx on record_access_log (accessor_id, created_at);
"""

DOWNGRADE = """
drop table if exists record_access_log;
drop table if exists notifications;
drop table if exists session_notes;
drop table if exists ticket_events;
drop table if exists support_tickets;
drop table if exists counselor_profiles;
drop table if exists users;
drop type if exists session_mode;
drop type if exists ticket_status;
drop type if exists ticket_urgency;
drop type if exists ticket_category;
drop type if exists user_role;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
