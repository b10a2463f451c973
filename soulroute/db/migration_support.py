"""Small helpers shared by migrations."""

from __future__ import annotations

import re
from typing import Any


def _role_name(op: Any, attribute: str, default: str) -> str:
    role = op.get_context().config.attributes.get(attribute, default)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"invalid role name: {role!r}")
    return role


def runtime_role(op: Any) -> str:
    """The runtime role's name (from alembic's config attributes), checked to be a plain identifier."""
    return _role_name(op, "app_role", "soulroute_app")


def auth_role(op: Any) -> str:
    """The accounts-and-mail role's name (credentials, sessions, throttling, the email outbox)."""
    return _role_name(op, "auth_role", "soulroute_auth")


def ensure_login_role(op: Any, role: str, password: str | None) -> None:
    """Create a plain login role (cluster-wide) if missing, set its password, let it connect here."""
    op.execute(
        f"""
        do $$ begin
            if not exists (select 1 from pg_roles where rolname = '{role}') then
                create role {role} login nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
            end if;
        exception when duplicate_object or unique_violation then
            null;  -- created concurrently by a migration of another database on this server
        end $$;
        do $$ begin
            execute format('grant connect on database %I to {role}', current_database());
        end $$;
        grant usage on schema public to {role};
        """
    )
    if password:
        op.get_bind().exec_driver_sql(f"alter role {role} password %(p)s", {"p": password})
