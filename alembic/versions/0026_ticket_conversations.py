"""A private conversation per ticket, between its student and the counselor who holds it (issue 13).

- ticket_messages: plain text, 1 to 2,000 characters, no bidirectional controls; never updated or deleted by
  the runtime role (it has SELECT and INSERT on three columns only).
- Row-level security, forced: read by the ticket's student and its current holder; written only as yourself,
  only while the ticket is claimed, scheduled or completed (a closed ticket's conversation is read-only, an
  open one has nobody to talk to). Admins read nothing here directly: read_conversation_as_admin() opens a
  conversation with a reason, recorded in the access log first (the student sees that it happened).
- After a message: the same change notice as a ticket change (kind 'message'), so the live registry shows it
  on the ticket's page in the other person's tabs, and one notification for the other person, without the
  text ("You have a new message in SoulRoute."), only when they have no unread one for this ticket yet (one
  email per conversation until read, not one per message).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

ME = "(select app_active_user_id())"
BIDI = r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]"
MESSAGE_MAX = 2000

SCHEMA = f"""
create table ticket_messages (
    id bigint generated always as identity primary key,
    ticket_id uuid not null references support_tickets (id) on delete cascade,
    author_id uuid not null references users (id),
    body text not null constraint ticket_message_body check (
        char_length(btrim(body)) between 1 and {MESSAGE_MAX} and body !~ '{BIDI}'),
    created_at timestamptz not null default now(),
    -- Hidden by an admin with a reason (app_hide_message): kept for the record, never shown to the two again.
    hidden_at timestamptz,
    hidden_by uuid references users (id),
    hidden_reason text,
    constraint ticket_message_hidden check (
        (hidden_at is null) = (hidden_by is null) and (hidden_at is null) = (hidden_reason is null))
);
create index ticket_messages_ticket_idx on ticket_messages (ticket_id, id);

alter table ticket_messages enable row level security;
alter table ticket_messages force row level security;

create policy ticket_messages_select on ticket_messages for select using (
    exists (select 1 from support_tickets t where t.id = ticket_messages.ticket_id
            and (t.student_id = {ME} or t.counselor_id = {ME}))
);
create policy ticket_messages_insert on ticket_messages for insert with check (
    author_id = {ME}
    and exists (select 1 from support_tickets t where t.id = ticket_messages.ticket_id
                and t.status in ('claimed', 'scheduled', 'completed')
                and (t.student_id = {ME} or t.counselor_id = {ME}))
);

create function app_ticket_message_posted() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    t support_tickets%rowtype;
    other uuid;
begin
    select * into t from support_tickets where id = new.ticket_id;
    other := case when new.author_id = t.student_id then t.counselor_id else t.student_id end;
    if not exists (select 1 from notifications n where n.user_id = other and n.ticket_id = t.id
                   and n.kind = 'message' and n.read_at is null) then
        perform app_notify_user(other, t.id, 'message', 'You have a new message in SoulRoute.', new.author_id);
    end if;
    perform pg_notify('soulroute_tickets', json_build_object(
        'kind', 'message', 'ticket_id', t.id, 'status', t.status, 'old_status', t.status,
        'student_id', t.student_id, 'counselor_id', t.counselor_id, 'old_counselor_id', t.counselor_id,
        'txid', pg_current_xact_id()::text)::text);
    return null;
end $$;
create trigger ticket_messages_posted after insert on ticket_messages
    for each row execute function app_ticket_message_posted();

-- The text of the messages the caller may read: none of a hidden one (the runtime role cannot read `body`
-- itself). A security barrier, and no row for a conversation the caller is not in, like ticket_descriptions.
create view ticket_message_texts with (security_barrier = true) as
select m.id, case when m.hidden_at is null then m.body end as body
from ticket_messages m
where exists (select 1 from support_tickets t where t.id = m.ticket_id
              and (t.student_id = {ME} or t.counselor_id = {ME}));

-- An admin hides a message with a reason (after reading the conversation through the recorded path); the
-- two see that a message was hidden, at once (the same change notice as a new message).
create function app_hide_message(p_message bigint, p_reason text) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    t support_tickets%rowtype;
begin
    if app_current_role() is distinct from 'admin' then
        raise exception 'Only an admin can hide a message.' using errcode = 'SR002';
    end if;
    if char_length(btrim(coalesce(p_reason, ''))) < 5 then
        raise exception 'State why this message is hidden.' using errcode = 'SR002';
    end if;
    update ticket_messages set hidden_at = now(), hidden_by = app_current_user_id(), hidden_reason = btrim(p_reason)
    where id = p_message and hidden_at is null;
    select s.* into t from support_tickets s join ticket_messages m on m.ticket_id = s.id where m.id = p_message;
    if t.id is not null then
        perform pg_notify('soulroute_tickets', json_build_object(
            'kind', 'message', 'ticket_id', t.id, 'status', t.status, 'old_status', t.status,
            'student_id', t.student_id, 'counselor_id', t.counselor_id, 'old_counselor_id', t.counselor_id,
            'txid', pg_current_xact_id()::text)::text);
    end if;
end $$;

-- Read receipts: how far each of the two has read (written by the page read itself, only forward, only
-- your own row); the other one is told, through the same change notice, so "Read" shows live (the notice
-- names the reader, whose own pages need no refresh for it).
create table ticket_message_reads (
    ticket_id uuid not null references support_tickets (id) on delete cascade,
    user_id uuid not null references users (id),
    last_read_id bigint not null,
    read_at timestamptz not null default now(),
    primary key (ticket_id, user_id)
);
alter table ticket_message_reads enable row level security;
alter table ticket_message_reads force row level security;
create policy ticket_message_reads_select on ticket_message_reads for select using (
    exists (select 1 from support_tickets t where t.id = ticket_message_reads.ticket_id
            and (t.student_id = {ME} or t.counselor_id = {ME}))
);
create policy ticket_message_reads_insert on ticket_message_reads for insert with check (
    user_id = {ME}
    and exists (select 1 from support_tickets t where t.id = ticket_message_reads.ticket_id
                and (t.student_id = {ME} or t.counselor_id = {ME}))
);
create policy ticket_message_reads_update on ticket_message_reads for update
    using (user_id = {ME}) with check (user_id = {ME});

create function app_ticket_message_read() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    t support_tickets%rowtype;
begin
    select * into t from support_tickets where id = new.ticket_id;
    perform pg_notify('soulroute_tickets', json_build_object(
        'kind', 'message', 'ticket_id', t.id, 'status', t.status, 'old_status', t.status,
        'student_id', t.student_id, 'counselor_id', t.counselor_id, 'old_counselor_id', t.counselor_id,
        'reader_id', new.user_id, 'txid', pg_current_xact_id()::text)::text);
    return null;
end $$;
create trigger ticket_message_reads_changed after insert or update on ticket_message_reads
    for each row execute function app_ticket_message_read();

-- Break the glass: an admin reads a conversation with a stated reason, recorded first (like session notes);
-- the student sees the opening in "Who opened your file".
alter table record_access_log drop constraint record_access_what;
alter table record_access_log add constraint record_access_what
    check (what in ('description', 'session_notes', 'conversation'));

create function read_conversation_as_admin(ticket uuid, why text)
returns table (id bigint, author_id uuid, author_name text, body text, created_at timestamptz, hidden boolean)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
    if app_current_role() is distinct from 'admin' then
        raise exception 'Only an admin can open a conversation this way.' using errcode = 'SR002';
    end if;
    if char_length(btrim(coalesce(why, ''))) < 5 then
        raise exception 'State why you need to open this conversation.' using errcode = 'SR002';
    end if;
    insert into record_access_log (ticket_id, accessor_id, what, reason)
    values (ticket, app_current_user_id(), 'conversation', btrim(why));
    return query select m.id, m.author_id, u.display_name, m.body, m.created_at, m.hidden_at is not null
        from ticket_messages m join users u on u.id = m.author_id
        where m.ticket_id = ticket order by m.id;
end $$;
"""


def upgrade() -> None:
    role = runtime_role(op)
    op.execute(SCHEMA)
    op.execute("revoke all on function app_ticket_message_posted() from public")
    op.execute("revoke all on function app_ticket_message_read() from public")
    op.execute(f"grant select, insert (ticket_id, user_id, last_read_id) on ticket_message_reads to {role}")
    op.execute(f"grant update (last_read_id, read_at) on ticket_message_reads to {role}")
    op.execute("revoke all on function read_conversation_as_admin(uuid, text) from public")
    op.execute(f"grant execute on function read_conversation_as_admin(uuid, text) to {role}")
    op.execute(f"grant select (id, ticket_id, author_id, created_at, hidden_at) on ticket_messages to {role}")
    op.execute(f"grant insert (ticket_id, author_id, body) on ticket_messages to {role}")
    op.execute(f"grant select on ticket_message_texts to {role}")
    op.execute("revoke all on function app_hide_message(bigint, text) from public")
    op.execute(f"grant execute on function app_hide_message(bigint, text) to {role}")


def downgrade() -> None:
    op.execute("drop function if exists read_conversation_as_admin(uuid, text)")
    op.execute("drop function if exists app_hide_message(bigint, text)")
    op.execute("drop view if exists ticket_message_texts")
    op.execute("delete from record_access_log where what = 'conversation'")
    op.execute("alter table record_access_log drop constraint record_access_what")
    op.execute(
        "alter table record_access_log add constraint record_access_what check (what in ('description', 'session_notes'))"
    )
    op.execute("drop table if exists ticket_message_reads")
    op.execute("drop function if exists app_ticket_message_read()")
    op.execute("drop table if exists ticket_messages")
    op.execute("drop function if exists app_ticket_message_posted()")
