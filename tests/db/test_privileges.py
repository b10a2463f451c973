"""What each database role may execute and read, the identity that cannot be switched, recorded
reads of descriptions, and refusals that name nothing the caller may not see (migrations 0010-0012)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from soulroute.config import get_settings
from soulroute.db.models import TicketCategory as C
from soulroute.db.session import as_auth, as_owner, as_user, pooled_engine, runtime_engine
from soulroute.db.urls import runtime_url
from soulroute.domain import tickets
from tests.db.sql import RLS_REFUSED, owner, run, sqlstate
from tests.factories import make_admin, make_counselor, make_student, open_ticket

APP = get_settings().app_db_role
AUTH = get_settings().auth_db_role

# Every function of the schema, and the roles that may execute it. Anything not listed: the owner only
# (trigger functions and the helpers they call need no grant).
ALLOWED: dict[str, set[str]] = {
    "app_set_identity(uuid,text)": {APP},
    "app_active_user_id()": {APP},
    "app_current_role()": {APP},
    "app_counselor_expertise()": {APP},
    "ticket_holder_name(uuid)": {APP},
    "app_tell_student(uuid,text)": {APP},
    "read_session_notes_as_admin(uuid,text)": {APP},
    "read_conversation_as_admin(uuid,text)": {APP},
    "app_hide_message(bigint,text)": {APP},
    "open_ticket_description(uuid,text)": {APP},
    "admin_dashboard_figures(timestamp with time zone,timestamp with time zone,interval)": {APP},
    "app_escalate_crisis(interval)": {APP},
    "auth_resolve_session(bytea,boolean)": {APP},
    **{
        f: {AUTH}
        for f in (
            "auth_credentials(text)",
            "auth_user_by_sso(text,text)",
            "auth_link_sso(uuid,text)",
            "auth_register_student(text,text,text,text)",
            "auth_update_password_hash(uuid,text)",
            "auth_start_session(uuid,bytea,interval,interval)",
            "auth_claim_handoff(bytea,bytea)",
            "auth_revoke_session(bytea)",
            "auth_revoke_user_sessions(uuid)",
            "auth_record_failure(text,integer,interval,interval)",
            "auth_throttle_state(text,interval)",
            "auth_clear_failures(text)",
            "app_outbox_claim(integer,interval)",
            "app_outbox_sent(bigint)",
            "app_outbox_failed(bigint,text,interval,integer)",
            "app_outbox_prune()",
        )
    },
}

# Calls the runtime role used to make and that now belong to the accounts-and-mail role only.
AUTH_CALLS = [
    "select * from auth_credentials('someone@uni.test')",
    "select * from auth_user_by_sso('sub', 'someone@uni.test')",
    "select auth_link_sso(:u, 'sub')",
    "select auth_register_student('new@uni.test', 'New', null, null)",
    "select auth_update_password_hash(:u, 'x')",
    "select auth_start_session(:u, '\\x01', interval '1 hour', interval '2 hours')",
    "select auth_claim_handoff('\\x01', '\\x02')",
    "select auth_revoke_session('\\x02')",
    "select auth_revoke_user_sessions(:u)",
    "select auth_record_failure('email:x', 5, interval '15 minutes', interval '15 minutes')",
    "select * from auth_throttle_state('email:x', interval '15 minutes')",
    "select auth_clear_failures('email:x')",
    "select * from app_outbox_claim(10, interval '1 minute')",
    "select app_outbox_sent(1)",
    "select app_outbox_failed(1, 'x', interval '1 minute', 3)",
    "select app_outbox_prune()",
]

FUNCTIONS_SQL = """
    select p.oid::regprocedure::text as f, p.proacl is null as default_acl,
           coalesce((select array_agg(a.grantee::regrole::text) from aclexplode(p.proacl) a
                     where a.privilege_type = 'EXECUTE' and a.grantee <> 0 and a.grantee <> p.proowner), '{}') as roles,
           coalesce((select bool_or(a.grantee = 0) from aclexplode(p.proacl) a), false) as public
    from pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                      and d.deptype = 'e')
"""


def _sqlstate_as_auth(sql: str, params: dict | None = None) -> str | None:
    try:
        with as_auth() as s:
            s.execute(text(sql), params or {})
    except DBAPIError as exc:
        return exc.orig.sqlstate
    return None


# --- 6: EXECUTE -------------------------------------------------------------------------------------


def test_no_function_is_executable_by_public_or_by_a_role_not_on_the_allow_list():
    rows = owner(FUNCTIONS_SQL)
    assert len(rows) > 30
    public = [r["f"] for r in rows if r["default_acl"] or r["public"]]
    assert public == [], f"PUBLIC may execute {public}"
    wrong = {r["f"]: set(r["roles"]) for r in rows if set(r["roles"]) != ALLOWED.get(r["f"].replace(", ", ","), set())}
    assert wrong == {}, f"grants differ from the allow-list: {wrong}"
    for role in (APP, AUTH, "public"):  # also through role membership or PUBLIC
        may = owner(
            "select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace = 'public'::regnamespace "
            "and has_function_privilege(:r, p.oid, 'execute') and not exists (select 1 from pg_depend d "
            "where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')",
            {"r": role},
        )
        assert {r["f"].replace(", ", ",") for r in may} == {f for f, roles in ALLOWED.items() if role in roles}


def test_functions_created_later_are_not_executable_by_public():
    with as_owner() as s:
        s.execute(text("create function zz_probe() returns integer language sql as 'select 1'"))
        assert not s.execute(text("select has_function_privilege('public', 'zz_probe()', 'execute')")).scalar()
        s.execute(text("drop function zz_probe()"))


def test_other_roles_on_the_server_cannot_read_notes_or_descriptions_through_functions():
    for fn in ("read_session_notes_as_admin(uuid,text)", "open_ticket_description(uuid,text)",
               "ticket_holder_name(uuid)", "app_check_counselor_capacity(uuid,uuid)", "app_current_role()"):  # fmt: skip
        assert owner(
            "select has_function_privilege('public', cast(:f as regprocedure), 'execute') as ok", {"f": fn}
        ) == [{"ok": False}], fn


# --- 7: the accounts-and-mail role ------------------------------------------------------------------


@pytest.mark.parametrize("sql", AUTH_CALLS)
def test_runtime_role_cannot_call_account_or_outbox_functions(sql):
    admin = make_admin()
    for who in (None, admin):
        assert sqlstate(who, sql, {"u": admin.id}) == RLS_REFUSED, (who, sql)


def test_runtime_role_cannot_read_credentials_sessions_or_the_outbox():
    admin = make_admin()
    for sql in (
        "select password_hash from users",
        "select sso_subject from users",
        "select * from auth_sessions",
        "select * from auth_throttle",
        "select * from email_outbox",
        "select secret from app_identity_secret",
    ):
        assert sqlstate(admin, sql) == RLS_REFUSED, sql


@pytest.mark.parametrize("sql", AUTH_CALLS)
def test_auth_role_may_call_them(sql):
    student = make_student()
    assert _sqlstate_as_auth(sql, {"u": student.id}) is None, sql


def test_auth_role_reads_no_table():
    for table in ("support_tickets", "session_notes", "users", "notifications", "record_access_log", "auth_sessions"):
        assert _sqlstate_as_auth(f"select count(*) from {table}") == RLS_REFUSED, table
    assert _sqlstate_as_auth("select app_set_identity(null, null)") == RLS_REFUSED
    assert _sqlstate_as_auth("select read_session_notes_as_admin(gen_random_uuid(), 'looking around')") == RLS_REFUSED


def test_runtime_role_resolves_only_a_token_hash_it_holds():
    assert run(None, "select * from auth_resolve_session(sha256('guess'::bytea), true)") == []


# --- 8: descriptions ----------------------------------------------------------------------------------


def test_admin_reads_a_description_only_through_the_recorded_path():
    student, admin = make_student(), make_admin()
    tid = open_ticket(student)
    assert sqlstate(admin, "select description from support_tickets") == RLS_REFUSED
    assert sqlstate(admin, "select * from support_tickets") == RLS_REFUSED
    assert run(admin, "select description from ticket_descriptions") == []
    # The view's own condition runs first: a failing cast never sees a hidden description.
    assert run(admin, "select id from ticket_descriptions where cast(description as integer) = 1") == []
    assert owner("select count(*) as n from record_access_log") == [{"n": 0}]

    body = run(admin, "select open_ticket_description(:t, 'Quality review') as d", {"t": tid})[0]["d"]
    assert body.startswith("I lie awake")
    log = owner("select ticket_id, accessor_id, what, reason from record_access_log")
    assert log == [{"ticket_id": tid, "accessor_id": admin.id, "what": "description", "reason": "Quality review"}]
    assert tickets.get_ticket(admin, tid).description == ""


def test_student_and_counselors_who_see_the_ticket_read_its_description():
    student, lee, kim = make_student(), make_counselor(expertise=[C.ANXIETY]), make_counselor(expertise=[C.STRESS])
    tid = open_ticket(student)
    assert tickets.get_ticket(student, tid).description.startswith("I lie awake")
    assert run(lee, "select id from ticket_descriptions") == [{"id": tid}]  # on Lee's board
    assert run(kim, "select id from ticket_descriptions") == []  # not in Kim's expertise
    tickets.claim_ticket(lee, tid)
    assert tickets.get_ticket(lee, tid).description.startswith("I lie awake")
    assert run(make_student(), "select id from ticket_descriptions") == []
    assert run(None, "select id from ticket_descriptions") == []


# --- 9: identity -----------------------------------------------------------------------------------------


def test_a_raw_set_config_of_the_identity_gives_no_access():
    admin = make_admin()
    open_ticket(make_student())
    for local in (True, False):
        with as_user(None) as s:
            s.execute(text("select set_config('soulroute.user_id', :a, :l)"), {"a": str(admin.id), "l": local})
            assert s.execute(text("select app_current_role()")).scalar() is None
            assert s.execute(text("select count(*) from support_tickets")).scalar() == 0


def test_the_identity_cannot_be_switched_mid_transaction():
    student, admin = make_student(), make_admin()
    open_ticket(student)
    with pytest.raises(DBAPIError) as err, as_user(student.id) as s:
        s.execute(text("select app_set_identity(:a, null)"), {"a": admin.id})
    assert err.value.orig.sqlstate == "SR002"
    with pytest.raises(DBAPIError) as err, as_user(None) as s:
        s.execute(text("select app_set_identity(:a, null)"), {"a": admin.id})
    assert err.value.orig.sqlstate == "SR002"
    with as_user(student.id, reason="A reason") as s:
        assert s.execute(text("select app_current_role()::text")).scalar() == "student"
        s.execute(text("select set_config('soulroute.user_id', :a, true)"), {"a": str(admin.id)})
        assert s.execute(text("select app_current_role()")).scalar() is None  # fail closed, not admin
        assert s.execute(text("select count(*) from support_tickets")).scalar() == 0
    with as_user(student.id, reason="A reason") as s:
        s.execute(text("select set_config('soulroute.reason', 'Another reason', true)"))
        assert s.execute(text("select app_current_role()")).scalar() is None


def test_a_session_level_identity_does_not_reach_the_next_transaction():
    admin = make_admin()
    open_ticket(make_student())
    with runtime_engine().connect() as conn:
        conn.execute(text("select app_set_identity(:a, null)"), {"a": admin.id})
        assert conn.execute(text("select count(*) from support_tickets")).scalar() == 1
        conn.execute(
            text(
                "select set_config(name, current_setting(name), false) from unnest(array['soulroute.user_id', "
                "'soulroute.reason', 'soulroute.identity']) name"
            )
        )
        conn.commit()
        assert conn.execute(text("select current_setting('soulroute.user_id')")).scalar() == str(admin.id)
        assert conn.execute(text("select app_current_role()")).scalar() is None
        assert conn.execute(text("select count(*) from support_tickets")).scalar() == 0
        conn.rollback()


def test_a_pooled_connection_carries_nothing_into_the_next_checkout():
    admin = make_admin()
    engine = pooled_engine(runtime_url(), 1, 0)  # one connection: the second checkout gets the same one
    try:
        with as_user(admin.id, reason="Quality review", engine=engine) as s:
            pid = s.execute(text("select pg_backend_pid()")).scalar()
            s.execute(
                text(
                    "select set_config('soulroute.user_id', :a, false), set_config('soulroute.reason', 'r', false), "
                    "set_config('search_path', 'pg_catalog', false)"
                ),
                {"a": str(admin.id)},
            )
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "select pg_backend_pid() as pid, current_setting('soulroute.user_id', true) as uid, "
                    "current_setting('soulroute.reason', true) as reason, current_setting('search_path') as path"
                )
            ).one()
            assert row.pid == pid
            assert (row.uid or "", row.reason or "") == ("", "")
            assert row.path == '"$user", public'
    finally:
        engine.dispose()


# --- 13: small leaks ------------------------------------------------------------------------------------


def _full_counselor():
    full = make_counselor("Dr. Full", expertise=[C.ANXIETY], capacity=1)
    student = make_student()
    tickets.claim_ticket(full, open_ticket(student))
    return full, open_ticket(student)


def test_capacity_numbers_only_for_the_counselor_and_admins():
    full, waiting = _full_counselor()
    claim = "update support_tickets set status = 'claimed', counselor_id = :c where id = :t"
    with pytest.raises(DBAPIError) as err, as_user(full.id) as s:
        s.execute(text(claim), {"c": full.id, "t": waiting})
    assert "1 of 1" in str(err.value.orig.diag.message_primary)
    with pytest.raises(DBAPIError) as err, as_owner() as s:  # nobody's identity: maintenance
        s.execute(text(claim), {"c": full.id, "t": waiting})
    assert err.value.orig.sqlstate == "SR003"
    assert err.value.orig.diag.message_primary == "This counselor cannot take more tickets right now."
    assert err.value.orig.diag.message_detail is None
    # Nobody calls the check directly any more (it used to answer anyone with the numbers).
    for who in (make_student(), make_counselor(), None):
        assert sqlstate(who, "select app_check_counselor_capacity(:c, :t)", {"c": full.id, "t": waiting}) == (
            RLS_REFUSED
        )


def test_holder_name_only_for_a_ticket_the_caller_can_see():
    lee, kim = make_counselor("Dr. Lee", expertise=[C.ANXIETY]), make_counselor("Dr. Kim", expertise=[C.ANXIETY])
    student = make_student()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    holder = "select ticket_holder_name(:t) as n"
    assert run(kim, holder, {"t": tid}) == [{"n": None}]  # no longer on Kim's board
    assert run(lee, holder, {"t": tid}) == [{"n": "Dr. Lee"}]
    assert run(make_admin(), holder, {"t": tid}) == [{"n": "Dr. Lee"}]
    assert run(student, holder, {"t": tid}) == [{"n": None}]
