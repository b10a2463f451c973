"""Timing each role's main query with and without row-level security, and checking its plan shape.

Per iteration and variant: one transaction runs EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) for the
server's planning and execution time; a second, timed from the client, runs the query itself and
fetches the rows (for the RLS variant: app_set_identity() first, as the app's as_user does).
The two variants alternate in random order, each iteration as another user of the role."""

from __future__ import annotations

import json
import random
import re
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql as psql

SET_IDENTITY = "select app_set_identity(%s, null)"


@dataclass
class Workload:
    name: str
    title: str
    rls_sql: str
    plain_sql: str
    users: list[uuid.UUID]
    rls_params: Callable[[uuid.UUID], dict[str, Any]]
    plain_params: Callable[[uuid.UUID], dict[str, Any]]
    index: str
    forbid_sort: bool = True
    prepared_rls: Prepared | None = None
    prepared_plain: Prepared | None = None


@dataclass
class Samples:
    planning: list[float] = field(default_factory=list)
    execution: list[float] = field(default_factory=list)
    cached: list[float] = field(default_factory=list)
    query: list[float] = field(default_factory=list)
    txn: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (pct in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


METRICS = ("db", "planning", "execution", "cached", "query", "txn")


def summarize(samples: Samples) -> dict[str, Any]:
    db = [p + e for p, e in zip(samples.planning, samples.execution, strict=True)]
    out: dict[str, Any] = {"n": len(db), "rows_median": statistics.median(samples.rows) if samples.rows else 0}
    values = {"db": db} | {k: getattr(samples, k) for k in METRICS[1:]}
    for key in METRICS:
        v = values[key]
        out[key] = {"median_ms": round(statistics.median(v), 4), "p95_ms": round(percentile(v, 95), 4)}
    return out


def _explain_json(conn: psycopg.Connection, sql: str, params: dict[str, Any] | None, options: str) -> dict[str, Any]:
    raw = conn.execute(f"explain ({options}, format json) {sql}", params, prepare=False).fetchone()[0]
    doc = json.loads(raw) if isinstance(raw, str) else raw
    return doc[0]


class Prepared:
    """A server-side prepared statement, to time the cached plan the app reaches once psycopg
    prepares its statements (after 5 executions) and PostgreSQL settles on a plan for them."""

    def __init__(self, conn: psycopg.Connection, name: str, text: str) -> None:
        self.name, self.order = name, []

        def number(m: re.Match[str]) -> str:
            if m.group(1) not in self.order:
                self.order.append(m.group(1))
            return f"${self.order.index(m.group(1)) + 1}"

        body = _PLACEHOLDER.sub(number, text).replace("%%", "%")
        conn.execute(f"prepare {name} as {body}", prepare=False)
        conn.commit()

    def execute_sql(self, conn: psycopg.Connection, params: dict[str, Any]) -> str:
        args = psql.SQL(", ").join(psql.Literal(params[k]) for k in self.order)
        return psql.SQL("execute {}({})").format(psql.Identifier(self.name), args).as_string(conn)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _run_variant(
    conn: psycopg.Connection,
    sql: str,
    prepared: Prepared | None,
    params: dict[str, Any],
    identity: uuid.UUID | None,
    into: Samples | None,
) -> list[tuple[Any, ...]]:
    if into is not None and prepared is not None:
        with conn.transaction():
            if identity is not None:
                conn.execute(SET_IDENTITY, (str(identity),))
            plan = _explain_json(conn, sql, params, "analyze, timing off, summary on")
            cached = _explain_json(conn, prepared.execute_sql(conn, params), None, "analyze, timing off, summary on")
        into.planning.append(plan["Planning Time"])
        into.execution.append(plan["Execution Time"])
        into.cached.append(cached.get("Planning Time", 0.0) + cached["Execution Time"])
    started = time.perf_counter()
    with conn.transaction():
        if identity is not None:
            conn.execute(SET_IDENTITY, (str(identity),))
        q_started = time.perf_counter()
        rows = conn.execute(sql, params).fetchall()
        q_took = time.perf_counter() - q_started
    if into is not None:
        into.query.append(q_took * 1000)
        into.txn.append((time.perf_counter() - started) * 1000)
        into.rows.append(len(rows))
    return rows


def check_same_results(rt: psycopg.Connection, owner: psycopg.Connection, w: Workload) -> int:
    """Both variants must return the same rows for every user (else the comparison is unfair)."""
    total = 0
    for user in w.users:
        a = _run_variant(rt, w.rls_sql, None, w.rls_params(user), user, None)
        b = _run_variant(owner, w.plain_sql, None, w.plain_params(user), None, None)
        if a != b:
            raise AssertionError(f"{w.name}: RLS and hand-written queries differ for user {user}")
        total += len(a)
    return total


def time_workload(
    rt: psycopg.Connection, owner: psycopg.Connection, w: Workload, iterations: int, warmup: int, rng: random.Random
) -> dict[str, Any]:
    """Alternate both variants (random order) for warmup + iterations rounds, each round another user."""
    rls, plain = Samples(), Samples()
    w.prepared_rls = Prepared(rt, f"bench_{w.name}_rls", w.rls_sql)
    w.prepared_plain = Prepared(owner, f"bench_{w.name}_plain", w.plain_sql)
    for i in range(warmup + iterations):
        user = w.users[i % len(w.users)]
        rls_into, plain_into = (rls, plain) if i >= warmup else (Samples(), Samples())
        variants = [
            lambda u=user, s=rls_into: _run_variant(rt, w.rls_sql, w.prepared_rls, w.rls_params(u), u, s),
            lambda u=user, s=plain_into: _run_variant(owner, w.plain_sql, w.prepared_plain, w.plain_params(u), None, s),
        ]
        rng.shuffle(variants)
        for run in variants:
            run()
    a, b = summarize(rls), summarize(plain)
    ratio = {k: round(a[k]["median_ms"] / b[k]["median_ms"], 2) for k in METRICS}
    ratio["db_p95"] = round(a["db"]["p95_ms"] / b["db"]["p95_ms"], 2)
    return {"rls": a, "plain": b, "ratio": ratio}


# --- plan shape ----------------------------------------------------------------------------------


def _main_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's nodes outside InitPlans and SubPlans (those belong to the policies' lookups)."""
    if node.get("Parent Relationship") in ("InitPlan", "SubPlan"):
        return []
    out = [node]
    for child in node.get("Plans", []):
        out += _main_nodes(child)
    return out


def _describe(node: dict[str, Any]) -> str:
    kind = node["Node Type"]
    if node.get("Index Name"):
        kind += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        kind += f" on {node['Relation Name']} {node.get('Alias', '')}".rstrip()
    if node.get("Parent Relationship") == "SubPlan":
        kind = f"[SubPlan] {kind}"
    bits = [f"rows={node.get('Actual Rows', '?')}", f"loops={node.get('Actual Loops', '?')}"]
    if node.get("Rows Removed by Filter"):
        bits.append(f"removed by filter={node['Rows Removed by Filter']}")
    if node.get("Shared Hit Blocks") or node.get("Shared Read Blocks"):
        bits.append(f"buffers={node.get('Shared Hit Blocks', 0) + node.get('Shared Read Blocks', 0)}")
    return f"{kind} ({', '.join(bits)})"


def _tree(plan: dict[str, Any]) -> list[str]:
    """The executed part of the plan; InitPlans (the policies' identity lookups) are only counted."""
    lines: list[str] = []
    initplans = [0, 0]

    def visit(node: dict[str, Any], depth: int) -> None:
        if node.get("Parent Relationship") == "InitPlan" and node["Node Type"] == "Result":
            initplans[0] += 1
            initplans[1] += node.get("Actual Loops", 0) > 0
            return
        if node.get("Actual Loops", 1) == 0:
            return
        lines.append("  " * depth + ("-> " if depth else "") + _describe(node))
        for child in node.get("Plans", []):
            visit(child, depth + 1)

    visit(plan, 0)
    lines.append(f"({initplans[0]} identity InitPlans in the plan, {initplans[1]} executed)")
    return lines


def plan_shape(conn: psycopg.Connection, w: Workload, as_runtime: bool, cached: bool = False) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of one user's query (or of its cached plan, via the prepared
    statement); ok = a Limit on top of an index scan on w.index, without Sort (if w.forbid_sort)."""
    user = w.users[0]
    sql, params = (w.rls_sql, w.rls_params(user)) if as_runtime else (w.plain_sql, w.plain_params(user))
    prepared = w.prepared_rls if as_runtime else w.prepared_plain
    with conn.transaction():
        if as_runtime:
            conn.execute(SET_IDENTITY, (str(user),))
        if cached and prepared is not None:
            doc = _explain_json(conn, prepared.execute_sql(conn, params), None, "analyze, buffers")
        else:
            doc = _explain_json(conn, sql, params, "analyze, buffers")
    nodes = _main_nodes(doc["Plan"])
    on_index = [n for n in nodes if n.get("Index Name") == w.index]
    sorts = [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort") and n.get("Actual Loops", 1)]
    top = doc["Plan"]["Node Type"]
    ordered = any(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in on_index)
    return {
        "index": w.index,
        "ok": top == "Limit" and (not sorts and ordered if w.forbid_sort else bool(on_index)),
        "limit_on_top": top == "Limit",
        "index_scan": bool(on_index),
        "ordered_index_scan": ordered,
        "sort": bool(sorts),
        "index_rows_read": sum(n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0) for n in on_index),
        "buffers": doc["Plan"].get("Shared Hit Blocks", 0) + doc["Plan"].get("Shared Read Blocks", 0),
        "planning_ms": round(doc.get("Planning Time", 0.0), 3),
        "execution_ms": round(doc.get("Execution Time", 0.0), 3),
        "tree": _tree(doc["Plan"]),
    }
