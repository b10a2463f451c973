"""Live-update latency: from a committed change in PostgreSQL to another user's screen showing it.

Starts the production app on a free port against a fresh database, signs in watching counselors on
the board, then commits new tickets (as another process would) and times until each watcher has it:
- 1 real Chromium tab (a MutationObserver stamps the moment the card is in the page);
- 50 watching tabs as raw websockets speaking the app's own protocol (the delta carrying the card).
Prints median and p95 and writes bench/results/live.json. Loopback only; bounded rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import psycopg
import socketio

from soulroute.config import REPO_ROOT, get_settings
from soulroute.db import embedded
from soulroute.db.migrate import upgrade
from soulroute.launcher import reflex_command, reflex_env

DB_NAME = "soulroute_bench_live"
RESULTS = Path(__file__).parent / "results" / "live.json"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback
            return r.status == 200
    except OSError:
        return False


def start_app(db_url: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = reflex_env(port) | {"PUBLIC_URL": url, "DATABASE_URL": db_url}
    log = (Path(__file__).parent / "results" / "live-app.log").open("w")
    proc = subprocess.Popen(  # noqa: S603
        reflex_command(port, "127.0.0.1"), cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 900
    while not (_answers(f"{url}/ping") and _answers(f"{url}/")):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the app did not start: see bench/results/live-app.log")
        time.sleep(0.5)
    return proc, url


def stop_app(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


class Db:
    """Owner access to the benchmark database."""

    def __init__(self, url: str) -> None:
        self.url = embedded.to_libpq(url)

    def one(self, sql: str, params: tuple = ()):
        with psycopg.connect(self.url, autocommit=True) as c:
            cur = c.execute(sql, params)
            return cur.fetchone() if cur.description else None

    def counselor(self, n: int) -> str:
        uid = self.one(
            "insert into users (email, display_name, role) values (%s, %s, 'counselor') returning id",
            (f"live-{n}-{secrets.token_hex(3)}@university.example", f"Dr. Watcher {n}"),
        )[0]
        self.one("insert into counselor_profiles (user_id, expertise) values (%s, '{stress}')", (uid,))
        return str(uid)

    def handoff(self, user_id: str) -> str:
        code = secrets.token_urlsafe(32)
        self.one(
            "select auth_start_session(%s, %s, interval '30 minutes', interval '12 hours')",
            (user_id, hashlib.sha256(code.encode()).digest()),
        )
        return code

    def commit_ticket(self, student: str, title: str) -> float:
        """Insert a ticket and return the wall-clock time right after COMMIT."""
        with psycopg.connect(self.url) as c:
            c.execute(
                "insert into support_tickets (student_id, title, description, category, urgency, session_mode)"
                " values (%s, %s, 'A realistic description of what is going on lately.', 'stress', 'medium', 'chat')",
                (student, title),
            )
            c.commit()
            return time.time()


def raw_watcher(url: str, cookie: str, tag: str, seen: dict[str, float]) -> socketio.Client:
    """A signed-in board tab without a browser: hydrate, load the board, stamp each new card's arrival."""
    from soulroute.state.board import BoardState
    from soulroute.state.session import SessionState

    client = socketio.Client(reconnection=False)

    def on_event(data) -> None:
        text = json.dumps(data)
        now = time.time()
        for title in list(seen.get("_expect", [])):
            if title in text and title not in seen:
                seen[title] = now

    client.on("event", on_event, namespace="/_event")
    client.connect(f"{url}?token={secrets.token_hex(16)}", socketio_path="_event", transports=["websocket"],
                   namespaces=["/_event"], headers={"Cookie": f"soulroute_session={cookie}"})  # fmt: skip
    route = {"pathname": "/board", "query": {"q": tag}, "asPath": f"/board?q={tag}"}
    for handler in (f"{SessionState.get_full_name()}.guard", f"{BoardState.get_full_name()}.load"):
        client.emit("event", {"name": handler, "payload": {}, "router_data": route}, namespace="/_event")
    return client


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_raw(url: str, db: Db, student: str, watchers: int, rounds: int) -> list[float]:
    tag = secrets.token_hex(4)
    tabs = []
    for n in range(watchers):
        cookie = httpx.get(f"{url}/auth/session", params={"code": db.handoff(db.counselor(n))}).cookies[
            "soulroute_session"
        ]
        seen: dict = {"_expect": []}
        tabs.append((raw_watcher(url, cookie, tag, seen), seen))
    time.sleep(3)  # every tab has loaded its board
    samples = []
    for r in range(rounds):
        title = f"Live {tag} round {r}"
        for _, seen in tabs:
            seen["_expect"] = [title]
        t0 = db.commit_ticket(student, title)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(title in seen for _, seen in tabs):
            time.sleep(0.005)
        samples += [(seen[title] - t0) * 1000 for _, seen in tabs if title in seen]
        time.sleep(0.3)
    for client, _ in tabs:
        client.disconnect()
    return samples


def measure_browser(url: str, db: Db, student: str, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    tag = secrets.token_hex(4)
    code = db.handoff(db.counselor(999))
    samples = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=url)
        page.goto(f"/auth/session?code={code}&next=/board?q={tag}")
        page.get_by_text("Signed in as").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        for r in range(rounds):
            title = f"Seen {tag} round {r}"
            page.evaluate(
                """t => { window.__seen = null; const o = new MutationObserver(() => {
                    if (!window.__seen && document.body.innerText.includes(t)) {
                        window.__seen = Date.now(); o.disconnect();
                    }
                }); o.observe(document.body, {childList: true, subtree: true, characterData: true}); }""",
                title,
            )
            t0 = db.commit_ticket(student, title)
            page.wait_for_function("() => window.__seen !== null", timeout=10_000)
            samples.append(page.evaluate("() => window.__seen") - t0 * 1000)
            page.wait_for_timeout(300)
        browser.close()
    return samples


def summary(samples: list[float]) -> dict:
    return {"samples": len(samples), "median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 0.95), 1), "max_ms": round(max(samples), 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--watchers", type=int, default=50)
    args = parser.parse_args(argv)
    admin = os.environ.get("BENCH_DATABASE_URL") or embedded.start(get_settings().embedded_pg_dir)
    embedded.drop_database(admin, DB_NAME)
    embedded.ensure_database(admin, DB_NAME)
    db_url = embedded.to_sqlalchemy_url(admin, DB_NAME)
    upgrade(db_url)
    db = Db(db_url)
    student = str(db.one("insert into users (email, display_name, role) values "
                         "('live-student@university.example', 'Live Student', 'student') returning id")[0])  # fmt: skip
    proc, url = start_app(db_url)
    try:
        results = {
            "1 browser tab (Chromium)": summary(measure_browser(url, db, student, args.rounds)),
            "1 watching tab (websocket)": summary(measure_raw(url, db, student, 1, args.rounds)),
            f"{args.watchers} watching tabs (websockets)": summary(
                measure_raw(url, db, student, args.watchers, args.rounds)
            ),
        }
    finally:
        stop_app(proc)
        embedded.drop_database(admin, DB_NAME)
    print("\n| watchers | samples | median | p95 | max |\n|---|---|---|---|---|")
    for name, s in results.items():
        print(f"| {name} | {s['samples']} | {s['median_ms']} ms | {s['p95_ms']} ms | {s['max_ms']} ms |")
    RESULTS.write_text(json.dumps({"load": os.getloadavg(), "results": results}, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
