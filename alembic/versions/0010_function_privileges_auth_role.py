"""Function privileges and the accounts-and-mail role.

- EXECUTE is revoked from PUBLIC on every function of the schema (PostgreSQL grants it by default, so
  any role on the server could call them), also for functions created later (default privileges of
  the owner). Functions that belong to extensions (btree_gist, pg_trgm) are left as they are.
- Each role gets EXECUTE only on what it calls itself. Trigger functions need no grant: PostgreSQL
  does not check EXECUTE for a trigger's function. Functions used by row-level security policies are
  called with the querying role's privileges, so the runtime role keeps those.
- Credentials, sessions, sign-in throttling and the email outbox move behind a second role
  (AUTH_DB_ROLE, default soulroute_auth), used only by the accounts and mail code through its own pool.
  The runtime role that serves pages can no longer read a password hash, set one, open or end a
  session, link a single sign-on identity or read recipients' addresses. It keeps
  auth_resolve_session: it only answers for a token whose hash the caller already holds.
- Neither role may create temporary tables: a temporary table would shadow a real one for the next
  request that gets the same pooled connection.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op

from soulroute.db.migration_support import auth_role, ensure_login_role, runtime_role

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# What the runtime role calls itself (directly or inside a policy expression).
RUNTIME_FUNCTIONS = [
    "app_active_user_id()",  # policies
    "app_current_role()",  # policies
    "app_counselor_expertise()",  # policies
    "ticket_holder_name(uuid)",
    "read_session_notes_as_admin(uuid, text)",
    "open_ticket_description(uuid, text)",
    "admin_dashboard_figures(timestamptz, timestamptz, interval)",
    "app_escalate_crisis(interval)",
    "auth_resolve_session(bytea, boolean)",  # the per-event session check, by token hash only
]

# What the accounts and mail code calls (soulroute/auth, soulroute/notify/mailer.py, the outbox prune).
AUTH_FUNCTIONS = [
    "auth_credentials(text)",
    "auth_user_by_sso(text, text)",
    "auth_link_sso(uuid, text)",
    "auth_register_student(text, text, text, text)",
    "auth_update_password_hash(uuid, text)",
    "auth_start_session(uuid, bytea, interval, interval)",
    "auth_claim_handoff(bytea, bytea)",
    "auth_revoke_session(bytea)",
    "auth_revoke_user_sessions(uuid)",
    "auth_record_failure(text, integer, interval, interval)",
    "auth_throttle_state(text, interval)",
    "auth_clear_failures(text)",
    "app_outbox_claim(integer, interval)",
    "app_outbox_sent(bigint)",
    "app_outbox_failed(bigint, text, interval, integer)",
    "app_outbox_prune()",
]

# Before this revision: functions whose PUBLIC EXECUTE had already been revoked (0004, 0007-0009).
PREVIOUSLY_PRIVATE = [
    *(f for f in AUTH_FUNCTIONS if f.startswith("auth_")),
    "app_escalate_crisis(interval)",
    "app_outbox_claim(integer, interval)",
    "app_outbox_sent(bigint)",
    "app_outbox_failed(bigint, text, interval, integer)",
    "app_outbox_prune()",
    "app_notify_user(uuid, uuid, text, text, uuid)",
    "app_notify_new_crisis(uuid, uuid)",
    "open_ticket_description(uuid, text)",
    "admin_dashboard_figures(timestamptz, timestamptz, interval)",
    "auth_resolve_session(bytea, boolean)",
]

# Every function of the schema that no extension owns.
OWN_FUNCTIONS = """
    select p.oid::regprocedure as f from pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                      and d.deptype = 'e')
"""


def _each_function(statement: str) -> str:
    """A DO block running `statement` (with %s for the function) for every function of the schema."""
    return f"""
        do $$ declare f regprocedure;
        begin
            for f in {OWN_FUNCTIONS} loop
                execute format('{statement}', f);
            end loop;
        end $$;
    """


def upgrade() -> None:
    app, auth = runtime_role(op), auth_role(op)
    ensure_login_role(op, auth, op.get_context().config.attributes.get("auth_role_password"))
    op.execute(_each_function(f"revoke all on function %s from public, {app}, {auth}"))
    op.execute("alter default privileges revoke execute on functions from public")
    for fn in RUNTIME_FUNCTIONS:
        op.execute(f"grant execute on function {fn} to {app}")
    for fn in AUTH_FUNCTIONS:
        op.execute(f"grant execute on function {fn} to {auth}")
    op.execute(
        f"""
        do $$ begin
            execute format('revoke temporary on database %I from public, {app}, {auth}', current_database());
        end $$;
        """
    )


def downgrade() -> None:
    app, auth = runtime_role(op), auth_role(op)
    op.execute(
        """
        do $$ begin
            execute format('grant temporary on database %I to public', current_database());
        end $$;
        alter default privileges grant execute on functions to public;
        """
    )
    op.execute(_each_function(f"grant execute on function %s to public, {app}"))
    for fn in PREVIOUSLY_PRIVATE:
        op.execute(f"revoke execute on function {fn} from public")
    # The auth role is cluster-wide (other databases may use it): take back what it was given here only.
    op.execute(
        f"""
        revoke all on all functions in schema public from {auth};
        revoke usage on schema public from {auth};
        do $$ begin
            execute format('revoke connect on database %I from {auth}', current_database());
        end $$;
        """
    )
