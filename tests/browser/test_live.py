"""Live updates without reload: a change reaches every page that shows the ticket within a second,
through PostgreSQL LISTEN/NOTIFY; across two backend workers sharing state through Redis; and again
after PostgreSQL restarts."""

from __future__ import annotations

import os
import pickle
import random
import re
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from soulroute.config import get_settings
from tests.browser.conftest import _stop, copy_of_the_app, launch_app
from tests.browser.helpers import Seed, quick_sign_in

pytestmark = pytest.mark.browser
# Generous on a loaded 2-core machine: how fast a change arrives is measured by `make bench`, not asserted here.
WITHIN = 10_000  # ms


def _tag() -> str:
    return secrets.token_hex(3)


def _page(browser: Browser, url: str) -> Page:
    return browser.new_context(base_url=url).new_page()


def _card(page: Page, title: str):
    return page.locator(".ticket-grid > li").filter(has_text=title)


def _watch_everything(browser: Browser, seed: Seed, student_url: str, counselor_url: str, tag: str):
    """A student on their ticket's page, two counselors on their boards, an admin on the dashboard."""
    student = seed.account("student", f"Stu {tag}")
    alpha = seed.account("counselor", f"Dr. Alpha {tag}", expertise=("academic",))
    beta = seed.account("counselor", f"Dr. Beta {tag}", expertise=("academic",))
    admin = seed.account("admin", f"Ada {tag}")
    tid = seed.ticket(student, title=f"Falling behind {tag}", category="academic", urgency="high")
    pages = {
        "student": _page(browser, student_url),
        "alpha": _page(browser, counselor_url),
        "beta": _page(browser, student_url),
        "admin": _page(browser, counselor_url),
    }
    quick_sign_in(pages["student"], seed, student, f"/tickets/{tid}")
    quick_sign_in(pages["alpha"], seed, alpha, f"/board?q={tag}")
    quick_sign_in(pages["beta"], seed, beta, f"/board?q={tag}")
    quick_sign_in(pages["admin"], seed, admin, "/admin")
    expect(pages["student"].get_by_role("heading", name=f"Falling behind {tag}")).to_be_visible()
    expect(_card(pages["alpha"], f"Falling behind {tag}")).to_have_count(1)
    expect(_card(pages["beta"], f"Falling behind {tag}")).to_have_count(1)
    expect(_queue_row(pages["admin"], tid)).to_have_count(1)
    return pages, tid, alpha


def _queue_row(page: Page, ticket_id) -> Locator:
    """The ticket's row in the admin's crisis queue (crisis and high urgency, not yet scheduled)."""
    return page.locator(f'#crisis-queue tr[data-ticket="{ticket_id}"]')


def _claim_and_schedule(pages: dict[str, Page], tid, tag: str, alpha_name: str) -> None:
    alpha = pages["alpha"]
    _card(alpha, f"Falling behind {tag}").get_by_role("button", name=re.compile("^Claim")).click()
    expect(alpha.get_by_text("You claimed")).to_be_visible()
    # The claim is committed: everyone else sees it within a second, without reloading.
    expect(_card(pages["beta"], f"Falling behind {tag}")).to_have_count(0, timeout=WITHIN)
    progress = pages["student"].get_by_role("list", name="Progress").locator("[aria-current=step]")
    expect(progress).to_contain_text("Claimed", timeout=WITHIN)
    expect(pages["student"].get_by_text(alpha_name).first).to_be_visible(timeout=WITHIN)
    expect(_queue_row(pages["admin"], tid)).to_contain_text(alpha_name, timeout=WITHIN)

    alpha.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    _card(alpha, f"Falling behind {tag}").get_by_role("button", name="Schedule").click()
    dialog = alpha.get_by_role("dialog")
    start = (datetime.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    dialog.get_by_label("Date and time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_role("button", name="Schedule").click()
    expect(alpha.get_by_text("Session scheduled.")).to_be_visible()
    expect(progress).to_contain_text("Scheduled", timeout=WITHIN)
    expect(_queue_row(pages["admin"], tid)).to_have_count(0, timeout=WITHIN)  # scheduled: off the queue


def test_claim_and_schedule_reach_everyone_within_a_second(browser: Browser, seed: Seed, base_url: str) -> None:
    tag = _tag()
    pages, tid, _ = _watch_everything(browser, seed, base_url, base_url, tag)
    _claim_and_schedule(pages, tid, tag, f"Dr. Alpha {tag}")


def test_a_change_made_outside_the_app_reaches_the_board(browser: Browser, seed: Seed, base_url: str) -> None:
    """The database announces the change itself: no app code path is needed for the update."""
    tag = _tag()
    student = seed.account("student")
    counselor = seed.account("counselor", expertise=("relationships",))
    page = _page(browser, base_url)
    quick_sign_in(page, seed, counselor, f"/board?q={tag}")
    expect(page.get_by_role("heading", name="No open tickets here")).to_be_visible()
    seed.ticket(student, title=f"Roommate conflict {tag}", category="relationships")
    expect(_card(page, f"Roommate conflict {tag}")).to_have_count(1, timeout=WITHIN)


# --- two backend workers sharing state through Redis --------------------------------------------------

STATE_EXPIRY = 600  # seconds: the tab-state expiry the two-worker app runs with


def _redis_base() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
    host, port = re.match(r"redis://([^:/]+):?(\d+)?", url).groups()
    try:
        socket.create_connection((host, int(port or 6379)), timeout=1).close()
    except OSError:
        return None
    return f"redis://{host}:{port or 6379}"


def _empty_redis_db(base: str) -> str:
    """A Redis database number of its own for this run (other runs on the machine use others)."""
    import redis

    for db in random.sample(range(1, 16), 15):
        client = redis.Redis.from_url(f"{base}/{db}")
        if client.dbsize() == 0 and client.set("soulroute:test-run", "1", nx=True, ex=3600):
            return f"{base}/{db}"
    pytest.skip("no empty Redis database number left for this run")


@dataclass
class TwoWorkers:
    url: str
    redis: Any  # redis.Redis on the run's own database

    def worker_of(self, page: Page) -> str:
        """Which backend process holds this tab's websocket (Reflex's token manager records it in Redis)."""
        token = page.evaluate("window.sessionStorage.getItem('token')")
        deadline = time.monotonic() + 10
        while (record := self.redis.get(f"token_manager_socket_record_{token}")) is None:
            assert time.monotonic() < deadline, "the tab's socket is not recorded in Redis"
            time.sleep(0.1)
        return pickle.loads(record).instance_id  # noqa: S301 - Reflex's own record, in the run's own Redis

    def state_keys(self, token: str) -> list[bytes]:
        return list(self.redis.scan_iter(match=f"{token}_*", count=1000))


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory, app_database_url: str, artifacts_dir: Path) -> Iterator[TwoWorkers]:
    """One copy of the app, built once, served by two backend worker processes sharing Redis."""
    import redis

    base = _redis_base()
    if base is None:
        pytest.skip("Redis is not reachable (CI starts it at 127.0.0.1:6379; set TEST_REDIS_URL otherwise)")
    redis_url = _empty_redis_db(base)
    client = redis.Redis.from_url(redis_url)
    env = {
        "DATABASE_URL": app_database_url,
        "REDIS_URL": redis_url,
        "GRANIAN_WORKERS": "2",
        "STATE_EXPIRY_SECONDS": str(STATE_EXPIRY),
        "SECRET_KEY": secrets.token_urlsafe(32),
    }
    root = copy_of_the_app(tmp_path_factory.mktemp("workers") / "app")
    proc, url = launch_app(root, env, artifacts_dir / "two-workers.log")
    try:
        yield TwoWorkers(url, client)
    finally:
        _stop(proc)
        client.flushdb()
        client.close()


def _spread(two: TwoWorkers, acting: Page, observer: Page, ready: Locator) -> None:
    """Reload the observer until its socket is held by the other worker than the acting tab's."""
    for _ in range(40):
        if two.worker_of(observer) != two.worker_of(acting):
            return
        observer.reload()
        expect(ready).to_be_visible()
    pytest.fail("every connection landed on the same worker: is GRANIAN_WORKERS=2 honoured?")


@pytest.mark.timeout(600)  # the first one also copies and builds the two-worker app
def test_live_updates_across_two_workers_with_redis(browser: Browser, seed: Seed, two_workers: TwoWorkers) -> None:
    """The acting counselor's tab and the student's tab are held by different backend processes."""
    tag = _tag()
    url = two_workers.url
    pages, tid, _ = _watch_everything(browser, seed, url, url, tag)
    _spread(
        two_workers,
        pages["alpha"],
        pages["student"],
        pages["student"].get_by_role("heading", name=f"Falling behind {tag}"),
    )
    _claim_and_schedule(pages, tid, tag, f"Dr. Alpha {tag}")


@pytest.mark.timeout(600)  # the first one also copies and builds the two-worker app
def test_tab_states_live_in_redis_expire_and_are_deleted_at_sign_out(
    browser: Browser, seed: Seed, two_workers: TwoWorkers
) -> None:
    """No state on disk or in one process's memory: Redis holds every tab's state, with an expiry, and
    signing out deletes them there; the old tab token then hydrates to defaults on any worker."""
    from tests.browser.raw_socket import RawSocket, hydrate_event

    tag = _tag()
    student = seed.account("student", f"Noor {tag}")
    title, description = f"Grief after a loss {tag}", f"My grandmother died last month and I cannot study {tag}."
    tid = seed.ticket(student, title=title, description=description)
    page = _page(browser, two_workers.url)
    quick_sign_in(page, seed, student, f"/tickets/{tid}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    token = page.evaluate("window.sessionStorage.getItem('token')")
    keys = two_workers.state_keys(token)
    assert len(keys) >= 3, f"the tab's state is not in Redis: {keys}"
    assert any(description.encode() in (two_workers.redis.get(k) or b"") for k in keys), "ticket state not in Redis"
    # -2: the key went away between listing and asking (a lock released meanwhile); it outlives nothing.
    ttls = [t for t in (two_workers.redis.ttl(k) for k in keys) if t != -2]
    assert ttls and all(0 < t <= STATE_EXPIRY for t in ttls), f"tab states must expire within {STATE_EXPIRY}s: {ttls}"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=20_000)
    deadline = time.monotonic() + 10
    while (left := two_workers.state_keys(token)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"signing out left {len(left)} states of the tab in Redis"

    for _ in range(4):  # new sockets land on either worker
        sock = RawSocket(two_workers.url, token=token)
        try:
            sock.send(hydrate_event(), path=f"/tickets/{tid}")
            assert sock.wait_for("is_hydrated"), "hydrate never answered"
            sock.settle(quiet=1, limit=20)
        finally:
            sock.close()
        for secret in (title, description, student.name):
            assert secret not in sock.text, f"{secret!r} was served to an old token after sign-out"


# --- PostgreSQL restarts ----------------------------------------------------------------------------------


def _restart_embedded_postgres() -> None:
    from pgserver import pg_ctl

    data_dir = get_settings().embedded_pg_dir
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "-l", str(data_dir / "log"), "restart"], pgdata=data_dir, user=user, timeout=60)


def test_live_updates_resume_after_postgres_restarts(browser: Browser, seed: Seed, base_url: str) -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("restarts only the embedded server the test run owns")
    tag = _tag()
    student = seed.account("student")
    counselor = seed.account("counselor", expertise=("depression",))
    page = _page(browser, base_url)
    quick_sign_in(page, seed, counselor, f"/board?q={tag}")
    seed.ticket(student, title=f"Before restart {tag}", category="depression")
    expect(_card(page, f"Before restart {tag}")).to_have_count(1, timeout=WITHIN)

    _restart_embedded_postgres()
    seed.engine.dispose()  # the test's own pooled connections died with the server
    deadline = time.monotonic() + 30
    while True:  # the server accepts connections again
        try:
            seed.sql("select 1")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    # The listener reconnects by itself (backoff ≤ 5 s); changes after that arrive live again.
    seed.ticket(student, title=f"After restart {tag}", category="depression")
    expect(_card(page, f"After restart {tag}")).to_have_count(1, timeout=15_000)
    seed.ticket(student, title=f"Once more {tag}", category="depression")
    expect(_card(page, f"Once more {tag}")).to_have_count(1, timeout=WITHIN * 3)
