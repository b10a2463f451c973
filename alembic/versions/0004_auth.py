"""Sign-in: server-side sessions (only a hash of the token is stored), one-time codes that hand a new
session to the browser as an HttpOnly cookie, and throttling of failed sign-ins.

These tables have row-level security forced and no policies: the runtime role reaches them only
through the security-definer functions below, which do one narrow thing each.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

from soulroute.db.migration_support import runtime_role

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table auth_sessions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea unique,  -- set when the browser claims the hand-off
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    idle_timeout interval not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    -- Hash of a one-time code that the browser exchanges for the cookie right after sign-in.
    handoff_hash bytea unique,
    handoff_expires_at timestamptz
);
create index auth_sessions_user_idx on auth_sessions (user_id) where revoked_at is null;

create table auth_throttle (
    key text primary key,
    failures integer not null default 0,
    window_started_at timestamptz not null default now(),
    locked_until timestamptz
);

alter table auth_sessions enable row level security;
alter table auth_sessions force row level security;
alter table auth_throttle enable row level security;
alter table auth_throttle force row level security;

-- Credentials for one email (case-insensitive). Only the sign-in code path calls this.
create function auth_credentials(p_email text)
returns table (id uuid, role user_role, display_name text, password_hash text, is_active boolean)
language sql stable security definer set search_path = public, pg_temp as $$
    select id, role, display_name, password_hash, is_active from users where lower(email) = lower(btrim(p_email))
$$;

create function auth_user_by_sso(p_subject text, p_email text)
returns table (id uuid, role user_role, display_name text, is_active boolean, sso_subject text)
language sql stable security definer set search_path = public, pg_temp as $$
    select id, role, display_name, is_active, sso_subject from users
    where sso_subject = p_subject or lower(email) = lower(btrim(p_email))
    order by (sso_subject = p_subject) desc nulls last limit 1
$$;

create function auth_link_sso(p_user uuid, p_subject text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    update users set sso_subject = p_subject where id = p_user and sso_subject is null
$$;

-- Student self sign-up (no identity exists yet, so it cannot go through the users policies).
create function auth_register_student(p_email text, p_name text, p_hash text, p_subject text)
returns uuid language sql volatile security definer set search_path = public, pg_temp as $$
    insert into users (email, display_name, role, password_hash, sso_subject)
    values (lower(btrim(p_email)), btrim(p_name), 'student', p_hash, p_subject)
    returning id
$$;

create function auth_update_password_hash(p_user uuid, p_hash text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    update users set password_hash = p_hash where id = p_user
$$;

create function auth_start_session(p_user uuid, p_handoff_hash bytea, p_idle interval, p_absolute interval)
returns uuid language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    sid uuid;
begin
    if not exists (select 1 from users where id = p_user and is_active) then
        raise exception 'This account is not active.' using errcode = 'SR002';
    end if;
    insert into auth_sessions (user_id, idle_timeout, expires_at, handoff_hash, handoff_expires_at)
    values (p_user, p_idle, now() + p_absolute, p_handoff_hash, now() + interval '2 minutes')
    returning id into sid;
    return sid;
end $$;

-- The browser exchanges the one-time code (once, within two minutes) for its session: the route
-- makes the token, puts it in an HttpOnly cookie, and only its hash lands here.
create function auth_claim_handoff(p_handoff_hash bytea, p_token_hash bytea) returns uuid
language sql volatile security definer set search_path = public, pg_temp as $$
    update auth_sessions set handoff_hash = null, handoff_expires_at = null, token_hash = p_token_hash,
                             last_seen_at = now()
    where handoff_hash = p_handoff_hash and handoff_expires_at > now() and revoked_at is null
      and token_hash is null
    returning user_id
$$;

-- The live session for a token: not revoked, not idle too long, not past its absolute expiry,
-- its user active. With p_touch it counts as activity (last_seen_at, at most once every 30 s, to
-- spare writes); a tab's background check passes false so an open tab alone never keeps it alive.
create function auth_resolve_session(p_token_hash bytea, p_touch boolean)
returns table (session_id uuid, user_id uuid, role user_role, display_name text, email text)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
    return query
    update auth_sessions s set last_seen_at = case
            when p_touch and s.last_seen_at < now() - interval '30 seconds' then now() else s.last_seen_at end
    from users u
    where s.token_hash = p_token_hash and u.id = s.user_id and u.is_active and s.revoked_at is null
      and s.expires_at > now() and s.last_seen_at + s.idle_timeout > now()
    returning s.id, u.id, u.role, u.display_name, u.email;
end $$;

create function auth_revoke_session(p_token_hash bytea) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    update auth_sessions set revoked_at = now() where token_hash = p_token_hash and revoked_at is null
$$;

-- Deactivating an account ends all its sessions at once (and so does an explicit call).
create function auth_revoke_user_sessions(p_user uuid) returns integer
language sql volatile security definer set search_path = public, pg_temp as $$
    with r as (update auth_sessions set revoked_at = now() where user_id = p_user and revoked_at is null returning 1)
    select count(*)::integer from r
$$;

create function app_users_end_sessions_on_deactivate() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    if old.is_active and not new.is_active then
        update auth_sessions set revoked_at = now() where user_id = new.id and revoked_at is null;
    end if;
    return null;
end $$;
create trigger users_end_sessions_on_deactivate after update of is_active on users
    for each row execute function app_users_end_sessions_on_deactivate();

-- Failed sign-ins per key ('email:…' or 'ip:…'): `max_failures` within `window` locks the key for `lock`.
-- Returns the lock's end when locked, null otherwise.
create function auth_record_failure(p_key text, p_max_failures integer, p_window interval, p_lock interval)
returns timestamptz language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    t auth_throttle;
begin
    insert into auth_throttle as a (key, failures, window_started_at) values (p_key, 1, now())
    on conflict (key) do update set
        failures = case when a.window_started_at < now() - p_window then 1 else a.failures + 1 end,
        window_started_at = case when a.window_started_at < now() - p_window then now() else a.window_started_at end
    returning * into t;
    if t.failures >= p_max_failures then
        update auth_throttle set locked_until = now() + p_lock, failures = 0, window_started_at = now()
        where key = p_key returning * into t;
    end if;
    return t.locked_until;
end $$;

create function auth_throttle_state(p_key text, p_window interval, out failures integer, out locked_until timestamptz)
language sql stable security definer set search_path = public, pg_temp as $$
    select coalesce(max(a.failures) filter (where a.window_started_at > now() - p_window), 0)::integer,
           max(a.locked_until) filter (where a.locked_until > now())
    from auth_throttle a where a.key = p_key
$$;

create function auth_clear_failures(p_key text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    delete from auth_throttle where key = p_key
$$;
"""

FUNCTIONS = [
    "auth_credentials(text)",
    "auth_user_by_sso(text, text)",
    "auth_link_sso(uuid, text)",
    "auth_register_student(text, text, text, text)",
    "auth_update_password_hash(uuid, text)",
    "auth_start_session(uuid, bytea, interval, interval)",
    "auth_claim_handoff(bytea, bytea)",
    "auth_resolve_session(bytea, boolean)",
    "auth_revoke_session(bytea)",
    "auth_revoke_user_sessions(uuid)",
    "auth_record_failure(text, integer, interval, interval)",
    "auth_throttle_state(text, interval)",
    "auth_clear_failures(text)",
]


def upgrade() -> None:
    op.execute(UPGRADE)
    role = runtime_role(op)
    for fn in FUNCTIONS:
        op.execute(f"revoke all on function {fn} from public; grant execute on function {fn} to {role};")


def downgrade() -> None:
    op.execute("drop trigger if exists users_end_sessions_on_deactivate on users;")
    op.execute("drop function if exists app_users_end_sessions_on_deactivate();")
    for fn in FUNCTIONS:
        op.execute(f"drop function if exists {fn};")
    op.execute("drop table if exists auth_throttle; drop table if exists auth_sessions;")
