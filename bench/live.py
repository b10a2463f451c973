"""Live-update latency: from a committed change in PostgreSQL to another user's screen showing it.

Starts the production app on a free port against a fresh database, signs in watching counselors on
the board, then commits new tickets (as another process would) and times until each watcher has it:
- 1 real Chromium tab (a MutationObserver stamps the moment the card is in the page);
- 50 watching tabs as raw websockets speaking the app's own protocol (the delta carrying the card).
Prints median and p95 and writes bench/results/live.json. Loopback only; bounded rounds.
"""

from __future__ import annotations

import argparse
import asyncio
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

from bench.tabs import Tab, close_all, open_all
from soulroute.auth import presign, sessions
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


def start_app(
    env: dict[str, str], cwd: Path = REPO_ROOT, log_name: str = "live-app.log"
) -> tuple[subprocess.Popen, str]:
    """`reflex run --env prod` in `cwd` on a free port (as the project starts itself); wait until it answers."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(__file__).parent / "results" / log_name
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603
            reflex_command(port, "127.0.0.1"), cwd=cwd, env=reflex_env(port) | {"PUBLIC_URL": url} | env,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 900
    while not (_answers(f"{url}/ping") and _answers(f"{url}/")):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_app(proc)
            raise SystemExit(f"the app did not start: see bench/results/{log_name}")
        time.sleep(0.5)
    return proc, url


def stop_app(proc: subprocess.Popen) -> None:
    """The whole process group (reflex, granian and anything they started)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def fresh_database(name: str) -> tuple[str, str]:
    """(server admin URL, SQLAlchemy URL of a new, migrated database `name`) on BENCH_DATABASE_URL's server
    or the embedded one."""
    admin = os.environ.get("BENCH_DATABASE_URL") or embedded.start(get_settings().embedded_pg_dir)
    embedded.drop_database(admin, name)
    embedded.ensure_database(admin, name)
    db_url = embedded.to_sqlalchemy_url(admin, name)
    upgrade(db_url)
    return admin, db_url


class Db:
    """Owner access to the benchmark database."""

    def __init__(self, url: str) -> None:
        self.url = embedded.to_libpq(url)

    def one(self, sql: str, params: tuple = ()):
        with psycopg.connect(self.url, autocommit=True) as c:
            cur = c.execute(sql, params)
            return cur.fetchone() if cur.description else None

    def counselor(self, n: int, tag: str = "live") -> str:
        uid = self.one(
            "insert into users (email, display_name, role) values (%s, %s, 'counselor') returning id",
            (f"{tag}-{n}-{secrets.token_hex(3)}@university.example", f"Dr. Watcher {n}"),
        )[0]
        self.one("insert into counselor_profiles (user_id, expertise) values (%s, '{stress}')", (uid,))
        return str(uid)

    def student(self, n: int, tag: str = "live") -> str:
        return str(self.one(
            "insert into users (email, display_name, role) values (%s, %s, 'student') returning id",
            (f"{tag}-student-{n}-{secrets.token_hex(3)}@university.example", f"Student {n}"),
        )[0])  # fmt: skip

    def handoff(self, user_id: str) -> tuple[str, dict[str, str]]:
        """A sign-in code and the pre-sign-in cookie it is bound to (soulroute/auth/presign.py)."""
        code, nonce = secrets.token_urlsafe(32), presign.new_nonce()
        self.one(
            "select auth_start_session(%s, %s, interval '30 minutes', interval '12 hours')",
            (user_id, sessions.handoff_hash(code, nonce)),
        )
        return code, {presign.COOKIE_NAME: nonce}

    def old_tickets(self, student: str, count: int, urgency: str, category: str = "stress") -> None:
        """`count` open tickets a day old (so new ones of higher urgency sort above them on the board)."""
        self.one(
            "insert into support_tickets (student_id, title, description, category, urgency, session_mode, created_at)"
            " select %s, 'Older ticket ' || i, 'A realistic description of what is going on lately.', %s, %s,"
            " 'chat', now() - interval '1 day' + make_interval(secs => i) from generate_series(1, %s) i",
            (student, category, urgency, count),
        )

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

    def claimed_ticket(self, student: str, counselor: str) -> str:
        """An open ticket claimed by `counselor` (the history and rules triggers check it as in the app)."""
        tid = self.one(
            "insert into support_tickets (student_id, title, description, category, urgency, session_mode)"
            " values (%s, 'Talking it through', 'A realistic description of what is going on lately.', 'stress',"
            " 'medium', 'chat') returning id",
            (student,),
        )[0]
        with psycopg.connect(self.url) as c:
            c.execute("select set_config('soulroute.actor_id', %s, true)", (counselor,))
            c.execute(
                "update support_tickets set status = 'claimed', counselor_id = %s where id = %s", (counselor, tid)
            )
            c.commit()
        return str(tid)

    def commit_message(self, ticket: str, author: str, body: str) -> float:
        """Post a message (its trigger sends the change notice) and return the wall-clock time after COMMIT."""
        with psycopg.connect(self.url) as c:
            c.execute(
                "insert into ticket_messages (ticket_id, author_id, body) values (%s, %s, %s)", (ticket, author, body)
            )
            c.commit()
            return time.time()


def session_cookie(url: str, db: Db, user_id: str) -> str:
    """Sign `user_id` in through the one-time-code hand-off, as the sign-in form does; the Cookie header value."""
    code, cookies = db.handoff(user_id)
    response = httpx.get(f"{url}/auth/session", params={"code": code}, cookies=cookies)
    return f"soulroute_session={response.cookies['soulroute_session']}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def fanout(
    tabs: list[Tab], db: Db, student: str, rounds: int, tag: str = "", timeout: float = 10
) -> list[list[float]]:
    """Commit `rounds` new tickets (titles carry `tag`) one after another; per round, ms from the COMMIT until
    each tab had the card (tabs that never got it within `timeout` are missing from their round)."""
    tag, per_round = tag or secrets.token_hex(4), []
    for r in range(rounds):
        title = f"Live {tag} round {r}"
        for tab in tabs:
            tab.expect(title)
        t0 = db.commit_ticket(student, title)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(title in t.seen for t in tabs):
            await asyncio.sleep(0.005)
        per_round.append(sorted((t.seen[title] - t0) * 1000 for t in tabs if title in t.seen))
        await asyncio.sleep(0.3)
    return per_round


async def measure_raw(url: str, db: Db, student: str, watchers: int, rounds: int) -> list[float]:
    """`watchers` signed-in counselors on a board filtered to this run's cards."""
    tag = secrets.token_hex(4)
    tabs = [Tab(url, "/board", {"q": tag}, session_cookie(url, db, db.counselor(n))) for n in range(watchers)]
    try:
        await open_all(tabs)
        return [ms for one in await fanout(tabs, db, student, rounds, tag) for ms in one]
    finally:
        await close_all(tabs)


async def measure_messages(url: str, db: Db, conversations: int, rounds: int) -> list[float]:
    """`conversations` counselors each on their own case's page; per round every student writes once; ms from
    each message's COMMIT until its counselor's tab had it."""
    pairs = []
    for n in range(conversations):
        student, counselor = db.student(1000 + n, "chat"), db.counselor(1000 + n, "chat")
        pairs.append((student, db.claimed_ticket(student, counselor), session_cookie(url, db, counselor)))
    tabs = [Tab(url, f"/tickets/{ticket}", None, cookie) for _, ticket, cookie in pairs]
    samples: list[float] = []
    try:
        await open_all(tabs)
        for r in range(rounds):
            sent = {}
            for i, ((student, ticket, _), tab) in enumerate(zip(pairs, tabs, strict=True)):
                body = f"Message {r}.{i} {secrets.token_hex(3)}"
                tab.expect(body)
                sent[body] = (tab, db.commit_message(ticket, student, body))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not all(b in t.seen for b, (t, _) in sent.items()):
                await asyncio.sleep(0.005)
            samples += [(t.seen[b] - t0) * 1000 for b, (t, t0) in sent.items() if b in t.seen]
            await asyncio.sleep(0.3)
    finally:
        await close_all(tabs)
    return samples


def measure_browser(url: str, db: Db, student: str, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    tag = secrets.token_hex(4)
    code, cookies = db.handoff(db.counselor(999))
    samples = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=url)
        page.context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
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
    if not samples:
        return {"samples": 0}
    return {"samples": len(samples), "median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 0.95), 1), "max_ms": round(max(samples), 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--watchers", type=int, default=50)
    args = parser.parse_args(argv)
    admin, db_url = fresh_database(DB_NAME)
    db = Db(db_url)
    student = db.student(0)
    proc, url = start_app({"DATABASE_URL": db_url})
    try:
        results = {
            "1 browser tab (Chromium)": summary(measure_browser(url, db, student, args.rounds)),
            "1 watching tab (websocket)": summary(asyncio.run(measure_raw(url, db, student, 1, args.rounds))),
            f"{args.watchers} watching tabs (websockets)": summary(
                asyncio.run(measure_raw(url, db, student, args.watchers, args.rounds))
            ),
            f"messages: {args.watchers} conversations, each on its page (websockets)": summary(
                asyncio.run(measure_messages(url, db, args.watchers, args.rounds))
            ),
        }
    finally:
        stop_app(proc)
        embedded.drop_database(admin, DB_NAME)
    print("\n| watchers | samples | median | p95 | max |\n|---|---|---|---|---|")
    for name, s in results.items():
        print(f"| {name} | {s['samples']} | {s.get('median_ms')} ms | {s.get('p95_ms')} ms | {s.get('max_ms')} ms |")
    RESULTS.write_text(json.dumps({"load": os.getloadavg(), "results": results}, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
