"""The benchmark database: which server, create or reuse `soulroute_bench`, migrate, load, VACUUM ANALYZE.

The data set is reused when the database's marker (a JSON comment on the database) says it was built
with the same sizes, seed, loader version and schema head; otherwise (or with --fresh) the database
is dropped and built again."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench import loader_sql as q
from soulroute.config import get_settings
from soulroute.db import embedded
from soulroute.db.migrate import alembic_config, upgrade

DB_NAME = "soulroute_bench"
LOADER_VERSION = 1
ADMINS = 5
# Status mix of the generated tickets (the rest are closed after a held session).
OPEN_SHARE, CANCELLED_SHARE, COMPLETED_SHARE, MAX_ACTIVE_SHARE = 0.30, 0.08, 0.04, 0.05


@dataclass(frozen=True)
class Sizes:
    tickets: int
    counselors: int
    students: int
    admins: int = ADMINS


@dataclass(frozen=True)
class Target:
    """Where the benchmark runs: libpq connection strings for the owner and the runtime role."""

    source: str
    owner: str
    runtime: str
    sqlalchemy_url: str
    runtime_role: str


def _server_admin_url() -> tuple[str, str]:
    for var in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        value = os.environ.get(var)
        if value:
            return embedded.to_libpq(value), var
    return embedded.start(get_settings().embedded_pg_dir), "embedded"


def resolve_target() -> tuple[str, Target]:
    """The server's admin URL and the benchmark database on it (created later by prepare())."""
    admin, source = _server_admin_url()
    settings = get_settings()
    owner = make_conninfo(admin, dbname=DB_NAME)
    # The runtime role never inherits the owner's password.
    runtime_kw: dict[str, Any] = {k: v for k, v in conninfo_to_dict(owner).items() if k != "password"}
    runtime_kw["user"] = settings.app_db_role
    if settings.app_db_password:
        runtime_kw["password"] = settings.app_db_password
    runtime = make_conninfo("", **runtime_kw)
    return admin, Target(
        source=source,
        owner=owner,
        runtime=runtime,
        sqlalchemy_url=embedded.to_sqlalchemy_url(admin, DB_NAME),
        runtime_role=settings.app_db_role,
    )


def describe(conninfo: str) -> str:
    """host:port/db as user, without passwords or socket folders of this machine."""
    d = conninfo_to_dict(conninfo)
    host = d.get("host") or "local socket"
    if str(host).startswith("/"):
        host = "unix socket"
    return f"{d.get('user', '?')}@{host}:{d.get('port', 5432)}/{d.get('dbname', '?')}"


def _schema_head() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def _read_marker(admin: str) -> dict[str, Any] | None:
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = %s", (DB_NAME,)
        ).fetchone()
    if not row or not row[0]:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None


def _write_marker(owner: str, marker: dict[str, Any]) -> None:
    with psycopg.connect(owner, autocommit=True) as conn:
        literal = conn.execute("select quote_literal(%s)", (json.dumps(marker),)).fetchone()[0]
        conn.execute(f'comment on database "{DB_NAME}" is {literal}')


def prepare(sizes: Sizes, seed: int, fresh: bool, log: Any = print) -> dict[str, Any]:
    """Make sure `soulroute_bench` holds the data set; return the load report (reused or new)."""
    admin, target = resolve_target()
    wanted = {"sizes": asdict(sizes), "seed": seed, "loader": LOADER_VERSION, "schema_head": _schema_head()}
    marker = _read_marker(admin)
    if not fresh and marker and all(marker.get(k) == v for k, v in wanted.items()):
        log(f"Reusing database {DB_NAME} (same sizes, seed and schema; --fresh rebuilds it).")
        upgrade(target.sqlalchemy_url)  # a no-op at head
        return {**marker["load"], "reused": True}

    log(f"Building database {DB_NAME} on {describe(target.owner)} ({target.source}).")
    embedded.drop_database(admin, DB_NAME)
    embedded.ensure_database(admin, DB_NAME)
    started = time.perf_counter()
    upgrade(target.sqlalchemy_url)
    migrate_s = time.perf_counter() - started
    with psycopg.connect(target.owner) as conn:
        report = load(conn, sizes, seed, log)
    report["migrate_seconds"] = round(migrate_s, 2)
    started = time.perf_counter()
    with psycopg.connect(target.owner, autocommit=True) as conn:
        conn.execute("vacuum (analyze) support_tickets, users, counselor_profiles, ticket_events")
        conn.execute("checkpoint")
        report["table_mb"] = {
            name: round(size / 2**20, 1)
            for name, size in conn.execute(
                "select relname, pg_total_relation_size(oid) from pg_class "
                "where relname in ('support_tickets', 'ticket_events', 'users') order by relname"
            ).fetchall()
        }
    report["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 2)
    report["total_seconds"] = round(migrate_s + report["load_seconds"] + report["vacuum_analyze_seconds"], 2)
    _write_marker(target.owner, {**wanted, "load": report})
    return {**report, "reused": False}


@contextmanager
def _step(name: str, steps: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    took = time.perf_counter() - started
    steps[name] = round(steps.get(name, 0.0) + took, 2)


def load(conn: psycopg.Connection, sizes: Sizes, seed: int, log: Any = print) -> dict[str, Any]:
    """Generate the data set as the owner, in one transaction, with set-based SQL."""
    n = sizes.tickets
    params: dict[str, Any] = {
        "admins": sizes.admins,
        "counselors": sizes.counselors,
        "students": sizes.students,
        "first": q.FIRST_NAMES,
        "last": q.LAST_NAMES,
        "titles": q.TITLES,
        "sentences": q.SENTENCES,
        "max_active": round(n * MAX_ACTIVE_SHARE),
    }
    steps: dict[str, float] = {}
    started = time.perf_counter()
    with conn.transaction():
        conn.execute("select set_config('soulroute.user_id', '', true)")  # no app identity: maintenance
        conn.execute("select setseed(%s)", ((seed % 1000) / 1000,))
        with _step("users and profiles", steps):
            for sql in q.USERS:
                conn.execute(sql, params)
        with _step("plan", steps):
            for sql in q.SLOTS:
                conn.execute(sql, params)
            n_active = conn.execute("select count(*) from bench_active").fetchone()[0]
            n_open, n_cancel, n_completed = (round(n * s) for s in (OPEN_SHARE, CANCELLED_SHARE, COMPLETED_SHARE))
            counts = {"n": n - n_active, "n_open": n_open, "n_cancel": n_cancel, "n_completed": n_completed}
            conn.execute(q.PLAN_TABLE)
            conn.execute(q.PLAN_ROWS, params | counts)
            conn.execute(q.ACTIVE_ROWS, params | counts)
            conn.execute("analyze bench_plan")
            for sql in q.PLAN_STEPS:
                conn.execute(sql)
            waves = conn.execute("select coalesce(max(wave) + 1, 0) from bench_plan").fetchone()[0]
        with _step("insert tickets (open)", steps):
            conn.execute(q.INSERT_TICKETS)
        log(f"  inserted {n:,} tickets; moving the closed and completed ones through {waves} claim waves")
        with _step("transitions", steps):
            for wave in range(waves):
                for sql in (q.CLAIM, q.SCHEDULE, q.COMPLETE):
                    conn.execute(sql.format(cond=q.HISTORIC), {"wave": wave})
            conn.execute(q.CLOSE.format(cond="p.grp in ('closed', 'cancelled')"), {})
            conn.execute(q.CLAIM.format(cond="p.grp = 'active'"), {})
            conn.execute(q.SCHEDULE.format(cond="p.grp = 'active' and p.scheduled"), {})
        over = conn.execute(q.OVER_CAPACITY).fetchone()[0]
        if over:
            raise RuntimeError(f"loader bug: {over} counselors over capacity")
        status_counts = dict(conn.execute(q.STATUS_COUNTS).fetchall())
        events = conn.execute("select count(*) from ticket_events").fetchone()[0]
    load_s = time.perf_counter() - started
    for name, took in steps.items():
        log(f"  {name:<24} {took:7.1f} s")
    return {
        "load_seconds": round(load_s, 2),
        "steps_seconds": steps,
        "claim_waves": waves,
        "status_counts": status_counts,
        "ticket_events": events,
    }
