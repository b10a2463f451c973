"""The event path, side by side with a bare Reflex app of the installed version (same machine, same run).

Builds the bare app (bench/bare_app: one counter state, one trivial handler) in a temporary folder and
SoulRoute against a fresh database, both with `reflex run --env prod` as the project starts itself. Then,
for each number of tabs N, N signed-in tabs per page (raw websockets speaking the page's protocol, see
bench/tabs.py) hydrate the page and send one event after another, thinking 0.2 s in between:
- bare app, `/`: the counter's increment;
- SoulRoute `/board` (counselors): a filter (urgency high <-> any; done when the new cards are in);
- SoulRoute `/tickets` (students): the status filter (open <-> all; done when the list is in).
The round trip of an event runs from sending it until the delta it causes is in. Reports events/s, p50,
p95 and SoulRoute/bare ratios; backend memory per connected tab (RSS of the backend process before and
after connecting N tabs, divided by N); and live fan-out: with 50 and 200 board tabs watching, new
tickets committed by another connection, time until each tab has the card.

Usage: python -m bench.events [--tabs 1,10,50,200] [--seconds S] [--fanout 50,200] [--rounds R] [--quick]
(also BENCH_EVENT_TABS, BENCH_EVENT_SECONDS, BENCH_FANOUT, BENCH_FANOUT_ROUNDS). Loopback only; every loop
is bounded by a count or a clock; both apps are stopped (whole process groups) whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.live import Db, fanout, fresh_database, percentile, session_cookie, start_app, stop_app, summary
from bench.tabs import Tab, View, close_all, open_all, value
from soulroute.config import REPO_ROOT
from soulroute.db import embedded

DB_NAME = "soulroute_bench_events"
RESULTS = Path(__file__).parent / "results" / "events.json"
BARE_TEMPLATE = Path(__file__).parent / "bare_app"
BARE_STATE = "reflex___state____state.bare___bare____counter_state"
THINK_S = 0.2
EVENT_TIMEOUT_S = 30.0
OPEN_BOARD_TICKETS = {"high": 4, "low": 40}  # a full first page; new medium tickets land on it


def seconds_for(tabs: int) -> float:
    return 10.0 if tabs <= 10 else 15.0


# --- what each page's tab sends, and when its event is done -------------------------------------------------


Step = tuple[dict[str, Any], Callable[[View], bool]]


@dataclass(frozen=True)
class Scenario:
    app: str  # "bare" or "soulroute"
    page: str
    event: str  # full handler name
    step: Callable[[int], Step]  # the k-th event of a tab: its payload, and when its result is in


def bare_scenario() -> Scenario:
    def step(k: int) -> Step:
        return {}, lambda v: value(v, BARE_STATE, "count") == k + 1

    return Scenario("bare", "/", f"{BARE_STATE}.increment", step)


def board_scenario() -> Scenario:
    from soulroute.state.board import BoardState

    state = BoardState.get_full_name()

    def step(k: int) -> Step:
        urgency = "high" if k % 2 == 0 else "any"
        # The new value comes with `loading` true first; the cards follow with `loading` false.
        return {
            "name": "urgency",
            "value": urgency,
        }, lambda v: value(v, state, "urgency") == urgency and value(v, state, "loading") is False

    return Scenario("soulroute", "/board", f"{state}.filter_by", step)


def tickets_scenario() -> Scenario:
    from soulroute.state.student_tickets import MyTicketsState

    state = MyTicketsState.get_full_name()

    def step(k: int) -> Step:
        status = "open" if k % 2 == 0 else ""
        return {"value": status}, lambda v: value(v, state, "status_filter") == status

    return Scenario("soulroute", "/tickets", f"{state}.filter_status", step)


# --- driving N tabs -------------------------------------------------------------------------------------------


async def drive(tab: Tab, scenario: Scenario, until: float, samples: list[float]) -> tuple[int, float]:
    """Events one after another until the clock says stop: (events that timed out, when the last one ended)."""
    await asyncio.sleep(random.uniform(0, THINK_S))  # tabs out of step, as people are
    k = timeouts = 0
    ended = time.monotonic()
    while time.monotonic() < until:
        payload, done = scenario.step(k)
        started = time.perf_counter()
        await tab.send(scenario.event, payload)
        try:
            await tab.wait(done, EVENT_TIMEOUT_S)
        except TimeoutError:
            timeouts += 1
            break  # this tab's state is unknown now: it stops, the others go on
        samples.append((time.perf_counter() - started) * 1000)
        ended = time.monotonic()
        k += 1
        await asyncio.sleep(THINK_S)
    if k % 2 and scenario.page == "/board":  # unfiltered again (untimed), so the fan-out's cards show
        payload, done = scenario.step(k)
        await tab.send(scenario.event, payload)
        await tab.wait(done, EVENT_TIMEOUT_S)
    return timeouts, ended


def rss_mib(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system) of the backend process, or of this driver process when `pid` is None."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def backend_pid(proc: subprocess.Popen, url: str) -> int:
    """The process listening on the app's port below `reflex run` (granian serving the app)."""
    port = int(url.rsplit(":", 1)[1])
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in child.net_connections("tcp")):
                return child.pid
        except psutil.Error:
            continue
    return proc.pid


async def run_tabs(tabs: list[Tab], scenario: Scenario, seconds: float, pid: int) -> dict[str, Any]:
    """Open the tabs, measure memory, drive them for `seconds`; the tabs stay open for the caller."""
    before = rss_mib(pid)
    opened = time.monotonic()
    await open_all(tabs)
    open_s = time.monotonic() - opened
    await asyncio.sleep(1)  # let the last on_load deltas and socket buffers settle before reading RSS
    after = rss_mib(pid)
    samples: list[float] = []
    start, backend_cpu, driver_cpu = time.monotonic(), cpu_s(pid), cpu_s()
    ends = await asyncio.gather(*(drive(t, scenario, start + seconds, samples) for t in tabs))
    elapsed = max(end for _, end in ends) - start
    backend_cpu, driver_cpu = cpu_s(pid) - backend_cpu, cpu_s() - driver_cpu
    return {
        "tabs": len(tabs), "seconds": round(elapsed, 2), "events": len(samples), "timeouts": sum(t for t, _ in ends),
        "events_per_s": round(len(samples) / elapsed, 1),
        "p50_ms": round(statistics.median(samples), 1) if samples else None,
        "p95_ms": round(percentile(samples, 0.95), 1) if samples else None,
        "max_ms": round(max(samples), 1) if samples else None,
        "open_s": round(open_s, 1), "rss_before_mib": round(before, 1), "rss_after_mib": round(after, 1),
        "mib_per_tab": round((after - before) / len(tabs), 3),
        # Less load-dependent than latency on a shared machine (PostgreSQL's own CPU is not in it).
        "backend_cpu_ms_per_event": round(backend_cpu * 1000 / len(samples), 2) if samples else None,
        "driver_cpu_share": round(driver_cpu / elapsed, 2),
    }  # fmt: skip


def fanout_summary(per_round: list[list[float]], tabs: int) -> dict[str, Any]:
    """All arrivals, plus the median over rounds of the first and of the last tab to have the card."""
    done = [r for r in per_round if r]
    return summary([ms for r in per_round for ms in r]) | {
        "expected": tabs * len(per_round),
        "first_median_ms": round(statistics.median(r[0] for r in done), 1) if done else None,
        "last_median_ms": round(statistics.median(r[-1] for r in done), 1) if done else None,
    }


# --- the two apps ---------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One running app, and what its tabs need."""

    url: str
    pid: int  # the backend process (for RSS)
    cookies: dict[str, list[str]]  # page -> one signed-in Cookie header per tab ("" for the bare app)


def seed(db: Db, url: str, tabs: int) -> tuple[dict[str, list[str]], str]:
    """`tabs` counselors (for /board) and `tabs` students with three tickets each (for /tickets), signed in;
    open tickets for the board. Returns the cookies per page and the student whose tickets feed the board."""
    poster = db.student(0, "events")
    for urgency, count in OPEN_BOARD_TICKETS.items():
        db.old_tickets(poster, count, urgency)
    counselors = [session_cookie(url, db, db.counselor(n, "events")) for n in range(tabs)]
    students = []
    for n in range(tabs):
        student = db.student(n + 1, "events")
        db.old_tickets(student, 3, "low", category="anxiety")  # not on these counselors' boards
        students.append(session_cookie(url, db, student))
    return {"/board": counselors, "/tickets": students}, poster


def start_both(db_url: str, bare_dir: Path) -> tuple[tuple[subprocess.Popen, str], tuple[subprocess.Popen, str]]:
    """Build and start both apps at once (each build is mostly waiting on npm and vite)."""
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(start_app, {}, bare_dir, "events-bare.log"),
                   pool.submit(start_app, {"DATABASE_URL": db_url}, REPO_ROOT, "events-app.log")]  # fmt: skip
        wait(futures)
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:
        for future in futures:  # never leave the other one running
            if future.exception() is None:
                stop_app(future.result()[0])
        raise failures[0]
    return futures[0].result(), futures[1].result()


async def measure(sides: dict[str, Side], args: argparse.Namespace, db: Db, poster: str) -> list[dict[str, Any]]:
    rows = []
    scenarios = [bare_scenario(), board_scenario(), tickets_scenario()]
    for n in args.tabs:
        seconds = args.seconds or seconds_for(n)
        for scenario in scenarios:  # interleaved, so both apps meet the same background load
            side = sides[scenario.app]
            cookies = side.cookies.get(scenario.page) or [""] * n
            tabs = [Tab(side.url, scenario.page, cookie=c or None) for c in cookies[:n]]
            try:
                row = {"app": scenario.app, "page": scenario.page, "load1": round(os.getloadavg()[0], 2)}
                row |= await run_tabs(tabs, scenario, seconds, side.pid)
                if scenario.page == "/board" and n in args.fanout:
                    row["fanout"] = fanout_summary(await fanout(tabs, db, poster, args.rounds, timeout=20), n)
            finally:
                await close_all(tabs)
            print(json.dumps(row), flush=True)
            rows.append(row)
            await asyncio.sleep(2)  # disconnect clean-up is not measured
    return rows


# --- report ---------------------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def _name(page: str) -> str:
    return "bare `/`" if page == "/" else f"SoulRoute `{page}`"


def speed_table(rows: list[dict[str, Any]]) -> list[str]:
    """Per N, the bare app and then each SoulRoute page with its ratios to the bare app."""
    by = {(r["tabs"], r["page"]): r for r in rows}
    out = ["| tabs | page | events/s | vs bare | p50 | vs bare | p95 | vs bare | backend CPU per event | timeouts "
           "| load (1 min) |", "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for n in sorted({r["tabs"] for r in rows}):
        bare = by.get((n, "/"), {})
        for page in ("/", "/board", "/tickets"):
            if (r := by.get((n, page))) is None:
                continue
            ratios = [_ratio(r[k], bare.get(k)) for k in ("events_per_s", "p50_ms", "p95_ms")]
            out.append(f"| {n} | {_name(page)} | {r['events_per_s']} | {ratios[0]} | {r['p50_ms']} ms | {ratios[1]} "
                       f"| {r['p95_ms']} ms | {ratios[2]} | {r.get('backend_cpu_ms_per_event', '–')} ms "
                       f"| {r['timeouts']} | {r['load1']} |")  # fmt: skip
    return out


def memory_table(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "| tabs | page | backend RSS before → after | MiB per tab | connect + hydrate all |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(f"| {r['tabs']} | {_name(r['page'])} | {r['rss_before_mib']} → {r['rss_after_mib']} MiB "
                   f"| {r['mib_per_tab']} | {r['open_s']} s |")  # fmt: skip
    return out


def fanout_table(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| watching board tabs | arrivals | first tab (median of rounds) | last tab (median of rounds) | p50 | p95 "
           "| max |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        if f := r.get("fanout"):
            out.append(f"| {r['tabs']} | {f['samples']} of {f['expected']} | {f['first_median_ms']} ms "
                       f"| {f['last_median_ms']} ms | {f.get('median_ms')} ms | {f.get('p95_ms')} ms "
                       f"| {f.get('max_ms')} ms |")  # fmt: skip
    return out


def tables(rows: list[dict[str, Any]]) -> list[str]:
    return speed_table(rows) + [""] + memory_table(rows) + [""] + fanout_table(rows)


# --- command line ---------------------------------------------------------------------------------------------


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.replace(" ", "").split(",") if x]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__.split("\n\n")[0])
    env = os.environ.get
    p.add_argument("--tabs", type=_ints, default=_ints(env("BENCH_EVENT_TABS", "1,10,50,200")))
    p.add_argument("--seconds", type=float, default=float(env("BENCH_EVENT_SECONDS", "0")),
                   help="per N and page (default 10 s up to 10 tabs, 15 s above)")  # fmt: skip
    p.add_argument("--fanout", type=_ints, default=_ints(env("BENCH_FANOUT", "50,200")),
                   help="board tab counts (among --tabs) that also measure live fan-out")  # fmt: skip
    p.add_argument("--rounds", type=int, default=int(env("BENCH_FANOUT_ROUNDS", "10")))
    p.add_argument("--quick", action="store_true", help="1 and 10 tabs, 4 s each, fan-out to 10 tabs, 3 rounds")
    p.add_argument("--output", type=Path, default=RESULTS)
    p.add_argument("--report", action="store_true", help="only print the tables of --output again")
    args = p.parse_args(argv)
    if args.quick:
        args.tabs, args.seconds, args.fanout, args.rounds = [1, 10], 4.0, [10], 3
    if not args.tabs or min(args.tabs) < 1 or args.rounds < 1 or args.seconds < 0:
        p.error("tab counts and rounds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        print("\n".join(tables(json.loads(args.output.read_text())["results"])))
        return 0
    admin, db_url = fresh_database(DB_NAME)
    bare_dir = Path(tempfile.mkdtemp(prefix="soulroute-bench-bare-"))
    shutil.copytree(BARE_TEMPLATE, bare_dir, dirs_exist_ok=True)
    procs: list[subprocess.Popen] = []
    started = datetime.now(UTC)
    try:
        (bare_proc, bare_url), (app_proc, app_url) = start_both(db_url, bare_dir)
        procs += [bare_proc, app_proc]
        db = Db(db_url)
        cookies, poster = seed(db, app_url, max(args.tabs))
        sides = {"bare": Side(bare_url, backend_pid(bare_proc, bare_url), {}),
                 "soulroute": Side(app_url, backend_pid(app_proc, app_url), cookies)}  # fmt: skip
        rows = asyncio.run(measure(sides, args, db, poster))
    finally:
        for proc in procs:
            stop_app(proc)
        embedded.drop_database(admin, DB_NAME)
        shutil.rmtree(bare_dir, ignore_errors=True)
    lines = tables(rows)
    print("\n" + "\n".join(lines))
    report = {
        "started": started.isoformat(timespec="seconds"), "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_at_end": [round(x, 2) for x in os.getloadavg()]},
        "think_s": THINK_S, "args": {"tabs": args.tabs, "seconds": args.seconds, "fanout": args.fanout,
                                     "rounds": args.rounds},
        "results": rows,
    }  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {args.output}")
    return 0 if all(r["timeouts"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
