"""Migrations go up from empty and down again, and leave the runtime role without privileges."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from soulroute.db import embedded
from soulroute.db.migrate import downgrade, upgrade


@pytest.fixture
def scratch_url(server_admin_url):
    name = "soulroute_test_migrations"
    embedded.drop_database(server_admin_url, name)
    embedded.ensure_database(server_admin_url, name)
    yield embedded.to_sqlalchemy_url(server_admin_url, name)
    embedded.drop_database(server_admin_url, name)


def _objects(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    with engine.connect() as c:
        q = {
            "tables": "select tablename from pg_tables where schemaname = 'public'",
            "types": "select typname from pg_type t join pg_namespace n on n.oid = t.typnamespace "
            "where n.nspname = 'public' and t.typtype = 'e'",
            "functions": "select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname = 'public' and proname like any (array['app\\_%', 'ticket\\_%', 'read\\_%'])",
            "policies": "select policyname from pg_policies where schemaname = 'public'",
        }
        out = {k: {r[0] for r in c.execute(text(v))} for k, v in q.items()}
    engine.dispose()
    return out


def test_up_from_empty_down_and_up_again(scratch_url):
    upgrade(scratch_url)
    up = _objects(scratch_url)
    assert {
        "users",
        "counselor_profiles",
        "support_tickets",
        "ticket_events",
        "session_notes",
        "notifications",
        "record_access_log",
    } <= up["tables"]
    assert {"ticket_category", "ticket_urgency", "ticket_status", "session_mode", "user_role"} <= up["types"]
    assert len(up["policies"]) >= 15

    downgrade(scratch_url)
    down = _objects(scratch_url)
    assert down["tables"] == {"alembic_version"}
    assert not down["types"] and not down["functions"] and not down["policies"]

    upgrade(scratch_url)
    assert _objects(scratch_url) == up


def test_enums_are_exactly_the_products(database_url):
    engine = create_engine(database_url)
    with engine.connect() as c:

        def labels(t):
            return c.execute(text(f"select unnest(enum_range(null::{t}))::text")).scalars().all()

        assert labels("ticket_category") == [
            "anxiety",
            "depression",
            "stress",
            "relationships",
            "academic",
            "other",
        ]
        assert labels("ticket_urgency") == ["low", "medium", "high", "crisis"]
        assert labels("ticket_status") == ["open", "claimed", "scheduled", "completed", "closed"]
        assert labels("session_mode") == ["video", "audio", "chat", "in-person"]
    engine.dispose()


def test_runtime_role_is_neither_superuser_nor_owner_nor_bypassing(database_url):
    engine = create_engine(database_url)
    with engine.connect() as c:
        role = c.execute(
            text(
                "select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = 'soulroute_app'"
            )
        ).one()
        assert tuple(role) == (False, False, False, False)
        owners = (
            c.execute(text("select distinct tableowner from pg_tables where schemaname = 'public'")).scalars().all()
        )
        assert "soulroute_app" not in owners
        rls = c.execute(
            text(
                "select relname, relrowsecurity, relforcerowsecurity from pg_class "
                "where relnamespace = 'public'::regnamespace and relkind = 'r' and relname <> 'alembic_version'"
            )
        ).all()
        assert rls and all(r.relrowsecurity and r.relforcerowsecurity for r in rls), rls
    engine.dispose()
    assert make_url(database_url).username != "soulroute_app"
