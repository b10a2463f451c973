"""An identity that cannot be switched: set once per transaction, only through app_set_identity().

Before, the runtime role set `soulroute.user_id` with set_config(): anything running as that role could
set it again in the middle of a transaction, or at session level so that it outlived the transaction.
Now:

- app_set_identity(user, reason) (security definer) is the only way the runtime role sets an identity.
  It refuses to run twice in one transaction: its first call takes a transaction-scoped advisory lock
  keyed on the backend's pid, and a second call finds that lock in pg_locks (an advisory lock taken in
  a transaction cannot be released before the transaction ends).
- It stores the user and the reason in transaction-local settings together with a signature,
  sha256(secret || pid || transaction start || user || reason). The secret sits in a table only the
  owner can read (strong random bytes from gen_random_uuid(), which is core PostgreSQL: the embedded
  server has no pgcrypto).
- app_current_user_id() (security definer) returns the user only when the signature matches for this
  backend and this transaction; otherwise NULL, and NULL means no rows (fail closed). So a raw
  set_config of soulroute.user_id, a session-level value carried into a later transaction, or a
  changed soulroute.reason (the history trigger records it) all end up with no identity at all.

The transaction start time (not txid_current()) binds the signature to one transaction: txid_current()
would assign a transaction id to every read-only transaction, turning each into a write that must be
flushed to the WAL at commit.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# pg_advisory_xact_lock(IDENTITY_LOCK, pg_backend_pid()): one per backend and transaction.
IDENTITY_LOCK = 7_303_114

UPGRADE = f"""
create table app_identity_secret (
    only_row boolean primary key default true constraint app_identity_secret_one_row check (only_row),
    secret bytea not null
);
alter table app_identity_secret enable row level security;
alter table app_identity_secret force row level security;
revoke all on app_identity_secret from public;
insert into app_identity_secret (secret)
select decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');

-- The signature of (user, reason) for this backend and this transaction. Called only by the two
-- security-definer functions below (no grant), so it is a plain SQL function they can inline.
create function app_identity_signature(p_user text, p_reason text) returns text
language sql stable as $$
    select encode(sha256(s.secret || convert_to(format('%s|%s|%s|%s', pg_backend_pid(),
        (extract(epoch from transaction_timestamp()) * 1000000)::bigint, p_user, p_reason), 'UTF8')), 'hex')
    from public.app_identity_secret s
$$;
revoke all on function app_identity_signature(text, text) from public;

create function app_set_identity(p_user uuid, p_reason text) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    uid text := coalesce(p_user::text, '');
    why text := coalesce(p_reason, '');
begin
    if exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.pid = pg_backend_pid()
               and l.classid = {IDENTITY_LOCK}::oid and l.objid = pg_backend_pid()::oid and l.objsubid = 2)
       or not pg_try_advisory_xact_lock({IDENTITY_LOCK}, pg_backend_pid()) then
        raise exception 'The identity of this transaction is already set.' using errcode = 'SR002';
    end if;
    perform set_config('soulroute.user_id', uid, true),
            set_config('soulroute.reason', why, true),
            set_config('soulroute.actor_id', '', true),
            set_config('soulroute.identity', app_identity_signature(uid, why), true);
end $$;
revoke all on function app_set_identity(uuid, text) from public;

create or replace function app_current_user_id() returns uuid
language sql stable security definer set search_path = public, pg_temp as $$
    select nullif(current_setting('soulroute.user_id', true), '')::uuid
    where current_setting('soulroute.identity', true) = app_identity_signature(
        coalesce(current_setting('soulroute.user_id', true), ''), coalesce(current_setting('soulroute.reason', true), ''))
$$;

-- The identity is now a function call, not an inlined setting: compare with it once per query
-- (an InitPlan), not once per row the planner happens to scan.
create or replace function app_active_user_id() returns uuid
language sql stable security definer set search_path = public, pg_temp as $$
    select id from users where id = (select app_current_user_id()) and is_active
$$;
create or replace function app_current_role() returns user_role
language sql stable security definer set search_path = public, pg_temp as $$
    select role from users where id = (select app_current_user_id()) and is_active
$$;
create or replace function app_counselor_expertise() returns ticket_category[]
language sql stable security definer set search_path = public, pg_temp as $$
    select p.expertise from counselor_profiles p join users u on u.id = p.user_id
    where p.user_id = (select app_current_user_id()) and u.is_active and u.role = 'counselor'
$$;
"""

DOWNGRADE = """
create or replace function app_active_user_id() returns uuid
language sql stable security definer set search_path = public, pg_temp as $$
    select id from users where id = app_current_user_id() and is_active
$$;
create or replace function app_current_role() returns user_role
language sql stable security definer set search_path = public, pg_temp as $$
    select role from users where id = app_current_user_id() and is_active
$$;
create or replace function app_counselor_expertise() returns ticket_category[]
language sql stable security definer set search_path = public, pg_temp as $$
    select p.expertise from counselor_profiles p join users u on u.id = p.user_id
    where p.user_id = app_current_user_id() and u.is_active and u.role = 'counselor'
$$;
create or replace function app_current_user_id() returns uuid
language sql stable security invoker parallel safe as $$
    select nullif(current_setting('soulroute.user_id', true), '')::uuid
$$;
drop function if exists app_set_identity(uuid, text);
drop function if exists app_identity_signature(text, text);
drop table if exists app_identity_secret;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(f"grant execute on function app_set_identity(uuid, text) to {runtime_role(op)}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
