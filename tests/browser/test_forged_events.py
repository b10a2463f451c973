"""A raw websocket against the running server: an old tab token presented after sign-out hydrates to
defaults only, and oversized or rapid frames neither flood the server log nor stop the server serving
others. (Every handler forged with other people's ids, as sequences and without a cookie, is swept in
process by tests/state/test_forged_events.py.)"""

from __future__ import annotations

import re

import pytest
import reflex as rx
from playwright.sync_api import Page, expect

from soulroute.state.session import SessionState
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import Seed, quick_sign_in
from tests.browser.raw_socket import RawSocket, hydrate_event
from tests.state.harness import app_states

pytestmark = pytest.mark.browser


def test_an_old_tab_token_after_sign_out_hydrates_to_defaults(app_url: str, page: Page, seed: Seed) -> None:
    """The tab token travels in the websocket URL (proxy logs hold it): after sign-out it unlocks nothing."""
    student = seed.account("student", "Priya Tokenholder")
    title, description = "Panic before finals week", "I cannot breathe in the exam hall and I freeze up completely."
    tid = seed.ticket(student, title=title, description=description)
    quick_sign_in(page, seed, student, f"/tickets/{tid}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(description)).to_be_visible()
    token = page.evaluate("window.sessionStorage.getItem('token')")
    assert token
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=20_000)

    sock = RawSocket(app_url, token=token)  # the old token, no cookie
    try:
        sock.send(hydrate_event(), path=f"/tickets/{tid}")
        assert sock.wait_for("is_hydrated"), "hydrate never answered"
        sock.settle(quiet=2, limit=30)
    finally:
        sock.close()
    for secret in (title, description, student.name, student.email):
        assert secret not in sock.text, f"{secret!r} was served to an old token after sign-out"


# --- oversized and rapid frames from a socket with no cookie -------------------------------------------------

BIG = 990_000  # characters: what the review sent to each handler


def log_size() -> int:
    return (ARTIFACTS / "app-server.log").stat().st_size


def flood_targets() -> list[str]:
    wanted = {"set_is_hydrated", "mark_read", "go_to_page", "handle_frontend_exception"}
    app_states()  # imports the app, so its states are in the tree
    found, todo = [], [rx.State]
    while todo:
        state = todo.pop()
        todo.extend(state.get_substates())
        found += [f"{state.get_full_name()}.{n}" for n in state.event_handlers if n in wanted]
    return found


def one_frame(app_url: str, name: str, value: str) -> None:
    """A fresh anonymous socket per frame: the server may drop a socket that sends too much."""
    try:
        sock = RawSocket(app_url)
    except Exception:
        return  # refused outright is fine too
    try:
        payload = {"value": value, "notification_id": value, "page": value, "info": value, "component_stack": value}
        sock.send(name, payload)
    except Exception:
        pass  # the server closed the socket: that is the point
    finally:
        sock.close()


def server_answers(app_url: str) -> None:
    """Positive control: the server still handles an ordinary event (so the log has caught up)."""
    sock = RawSocket(app_url)
    try:
        sock.send(f"{SessionState.get_full_name()}.guard")
        assert sock.wait_for("/signin"), "the server stopped answering"
    finally:
        sock.close()


@pytest.mark.timeout(300)
def test_oversized_and_rapid_frames_neither_flood_the_log_nor_stop_the_server(
    app_url: str, page: Page, seed: Seed
) -> None:
    student = seed.account("student")
    tid = seed.ticket(student, title="Still served during the flood")
    server_answers(app_url)
    before = log_size()
    targets = flood_targets()
    assert len(targets) >= 4, targets
    for n in range(20):  # 20 frames of 990 kB each
        one_frame(app_url, targets[n % len(targets)], "x" * BIG)
    for n in range(20):  # under the size cap: values are refused or truncated before they are logged
        one_frame(app_url, targets[n % len(targets)], "y" * 100_000)
    rapid = RawSocket(app_url)
    try:
        for n in range(600):  # far beyond any person's pace, on one connection
            rapid.send(targets[n % len(targets)], {"value": "z" * 2000, "notification_id": "z" * 2000})
        # Meanwhile a signed-in student is served as usual.
        quick_sign_in(page, seed, student, f"/tickets/{tid}")
        expect(page.get_by_role("heading", name="Still served during the flood")).to_be_visible()
    finally:
        rapid.close()
    server_answers(app_url)
    grown = log_size() - before
    assert grown < 40_000, f"the server log grew by {grown} bytes during the flood"
