"""The per-event session check reads; it writes only to record activity, at most once a minute.

Before, every event ran an UPDATE on the session row (a new row version and its trigger, even when
`last_seen_at` kept its value): a write per click. Now the live session is selected, and `last_seen_at`
moves forward only when it is more than a minute old (the idle expiry is 30 minutes by default, so a
minute's precision is plenty). Same answers, same grants (`create or replace` keeps them).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UPGRADE = """
create or replace function auth_resolve_session(p_token_hash bytea, p_touch boolean)
returns table (session_id uuid, user_id uuid, role user_role, display_name text, email text)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
    return query
    select s.id, u.id, u.role, u.display_name, u.email
    from auth_sessions s join users u on u.id = s.user_id
    where s.token_hash = p_token_hash and u.is_active and s.revoked_at is null
      and s.expires_at > now() and s.last_seen_at + s.idle_timeout > now();
    if p_touch and found then
        update auth_sessions set last_seen_at = now()
        where token_hash = p_token_hash and last_seen_at < now() - interval '1 minute';
    end if;
end $$;
"""

DOWNGRADE = """
create or replace function auth_resolve_session(p_token_hash bytea, p_touch boolean)
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
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
