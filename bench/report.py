"""The markdown table printed at the end of a run, and the JSON written to bench/results/."""

from __future__ import annotations

from typing import Any

VARIANTS = (("rls", "RLS as soulroute_app"), ("plain", "hand-written filter, no RLS"))


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def load_line(load: dict[str, Any], sizes: dict[str, Any]) -> str:
    counts = " · ".join(f"{k} {v:,}" for k, v in load.get("status_counts", {}).items())
    how = "reused from an earlier run, built" if load.get("reused") else "built"
    return (
        f"Data set: {sizes['tickets']:,} tickets, {sizes['counselors']} counselors, {sizes['students']:,} students "
        f"({how} in {load.get('total_seconds', '?')} s: migrate {load.get('migrate_seconds', '?')} s, "
        f"load {load.get('load_seconds', '?')} s in {load.get('claim_waves', '?')} claim waves, "
        f"VACUUM ANALYZE {load.get('vacuum_analyze_seconds', '?')} s). Status mix: {counts}."
    )


def query_table(queries: dict[str, Any]) -> list[str]:
    lines = [
        "| query | variant | plan+exec median | plan+exec p95 | exec median | cached plan median "
        "| cached plan p95 | round trip median | round trip p95 | rows |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for q in queries.values():
        first = True
        for key, label in VARIANTS:
            s = q[key]
            cells = [
                s["db"]["median_ms"],
                s["db"]["p95_ms"],
                s["execution"]["median_ms"],
                s["cached"]["median_ms"],
                s["cached"]["p95_ms"],
                s["query"]["median_ms"],
                s["query"]["p95_ms"],
            ]
            lines.append(
                f"| {q['title'] if first else ''} | {label} | {' | '.join(_ms(c) for c in cells)} "
                f"| {s['rows_median']:g} |"
            )
            first = False
        r = q["ratio"]
        lines.append(
            f"| | **RLS / no RLS** | **{r['db']:.2f}×** | {r['db_p95']:.2f}× | {r['execution']:.2f}× "
            f"| **{r['cached']:.2f}×** | | **{r['query']:.2f}×** | | |"
        )
    return lines


def _verdict(p: dict[str, Any]) -> str:
    return (
        f"{'OK' if p['ok'] else 'NOT OK'} (Limit on top={p['limit_on_top']}, ordered index scan="
        f"{p['ordered_index_scan']}, Sort={p['sort']}, index rows read={p['index_rows_read']:g}, "
        f"buffers={p['buffers']}, planning {p['planning_ms']} ms, execution {p['execution_ms']} ms)"
    )


def plan_lines(queries: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for q in queries.values():
        out.append(f"{q['title']}, EXPLAIN (ANALYZE, BUFFERS) as soulroute_app: {_verdict(q['plan_rls'])}")
        out += ["    " + line for line in q["plan_rls"]["tree"]]
        out.append(f"  cached plan (prepared statement) as soulroute_app: {_verdict(q['plan_rls_cached'])}")
        out.append(f"  hand-written query, no RLS: {_verdict(q['plan_plain'])}")
        out.append("")
    return out


def race_lines(races: dict[str, Any]) -> list[str]:
    c, k = races["claim"], races["capacity"]
    told = "; ".join(f"{n} × {how}" for how, n in c["losers_told"].items())
    return [
        "| race | result | ok |",
        "|---|---|---|",
        f"| {c['contenders']} counselors claim one open ticket | {c['winners']} winner; {told}; the app shows "
        f"“{c['loser_message']}”; claim latency median {c['claim_ms_median']} ms, max {c['claim_ms_max']} ms "
        f"| {'yes' if c['ok'] else 'NO'} |",
        f"| one counselor claims {k['claims']} open tickets | capacity {k['capacity']} ({k['active_before']} active "
        f"+ free slots): {k['succeeded']} succeeded, refused {k['refused']} (“{k['refusal_message']}”); "
        f"active after {k['active_after']}, max observed {k['max_active_observed']} over {k['polls']} polls "
        f"| {'yes' if k['ok'] else 'NO'} |",
    ]


def target_lines(targets: dict[str, Any]) -> list[str]:
    lines = ["| target | kind | measured | goal | met |", "|---|---|---|---|---|"]
    for name, t in targets.items():
        lines.append(f"| {name} | {t['kind']} | {t['value']} | {t['target']} | {'yes' if t['ok'] else 'NO'} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    pg = results["machine"]["postgres"]
    parts = [
        load_line(results["load"], results["sizes"]),
        f"PostgreSQL {pg['server_version']}, {results['machine']['cores']} cores "
        f"(load average {results['machine'].get('loadavg')} at the start); times in ms; "
        f"{results['sizes']['iterations']} iterations per variant after {results['sizes']['warmup']} warm-up, "
        f"{results['sizes']['users_per_role']} users per role. "
        "plan+exec = planning + execution time from EXPLAIN (ANALYZE) of the query; "
        "cached plan = EXPLAIN ANALYZE EXECUTE of a prepared statement (the plan the app settles on); "
        "round trip = the query alone, from the client (psycopg, auto-prepared as in the app).",
        "",
        *query_table(results["queries"]),
        "",
        *plan_lines(results["queries"]),
        *race_lines(results["races"]),
        "",
        *target_lines(results["targets"]),
    ]
    return "\n".join(parts)


def for_json(results: dict[str, Any]) -> dict[str, Any]:
    """The report as written to disk: only the RLS plan keeps its tree, to keep the file small."""
    out = dict(results)
    out["queries"] = {
        name: q | {k: {x: y for x, y in q[k].items() if x != "tree"} for k in ("plan_plain", "plan_rls_cached")}
        for name, q in results["queries"].items()
    }
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the tables of a saved report again: python -m bench.report [bench/results/latest.json]."""
    import json
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parent / "results" / "latest.json"
    print(markdown(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
