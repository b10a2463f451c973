"""A student opens a raw websocket to the app and calls every event handler of every state the app has,
with arguments aimed at other people's tickets and at other roles' powers (claim, schedule, close, admin
actions, any setter): signed in, and with no cookie at all; with ticket ids in the arguments and in the
page's path; as sequences (a dialog opened for the student's own ticket, then submitted for another).
Every one must be refused: the database is unchanged outside the student's own rows, and nothing of
anyone else's reaches the socket. An old tab token presented after sign-out hydrates to defaults only,
and oversized or rapid frames neither flood the server log nor stop the server serving others."""

from __future__ import annotations

import hashlib
import inspect
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import reflex as rx
from playwright.sync_api import Page, expect

from soulroute.state.session import SessionState
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import Seed, quick_sign_in
from tests.browser.raw_socket import RawSocket, hydrate_event

pytestmark = pytest.mark.browser
SECRET_NOTE = "Clinical note: discussed panic symptoms"  # must never reach the attacker


def app_states() -> list[type[rx.State]]:
    import soulroute.soulroute  # noqa: F401 - registers every state of the app

    found, todo = [], [rx.State]
    while todo:
        state = todo.pop()
        todo.extend(state.get_substates())
        if state.__module__.startswith("soulroute"):
            found.append(state)
    return found


def forged_arguments(handler, victim_ticket: str, victim: str, attacker: str) -> list[dict]:
    """Argument sets for one handler: each parameter gets a forged value by its name."""
    params = [p for p in inspect.signature(handler.fn).parameters if p != "self"]
    form = {
        "ticket_id": victim_ticket, "id": victim_ticket, "student_id": victim, "counselor_id": attacker,
        "user_id": victim, "role": "admin", "title": "Forged title by attacker", "description": "d" * 40,
        "category": "other", "urgency": "low", "session_mode": "video", "status": "closed",
        "reason": "forged reason", "start": "2031-01-01T10:00", "timezone": "UTC", "session_minutes": "50",
        "meeting_link": "https://evil.example/x", "location": "Nowhere", "session_notes": "forged notes",
        "notes": "forged", "email": "victim@university.example", "password": "forged password 123",
        "capacity": "200", "expertise": ["anxiety"], "accepting_new": True, "on_call_crisis": True,
    }  # fmt: skip
    values = {"form_data": form, "data": form, "name": "status", "value": victim_ticket}
    return [{p: values.get(p, victim_ticket) for p in params}, {p: form for p in params}]


def fingerprint(seed: Seed, attacker) -> str:
    """Everything outside the attacker's own rows, hashed."""
    parts = [
        "select md5(string_agg(t::text, '|' order by id)) from support_tickets t where student_id <> :a",
        "select md5(string_agg(e::text, '|' order by id)) from ticket_events e "
        "where ticket_id in (select id from support_tickets where student_id <> :a)",
        "select md5(string_agg(n::text, '|' order by id)) from session_notes n",
        "select md5(string_agg(p::text, '|' order by user_id)) from counselor_profiles p",
        "select md5(string_agg(u::text, '|' order by id)) from users u where created_at < now() - interval '1 second'",
        "select md5(string_agg(r::text, '|' order by id)) from record_access_log r",
        "select md5(string_agg(n::text, '|' order by id)) from notifications n where user_id <> :a",
        "select count(*)::text from auth_sessions where revoked_at is not null and user_id <> :a",
    ]
    return "/".join(str(next(iter(seed.sql(q, {"a": attacker.id})[0].values()))) for q in parts)


@pytest.fixture
def world(seed: Seed) -> Iterator[dict]:
    attacker, victim = seed.account("student", "Mallory"), seed.account("student", "Victoria")
    counselor, admin = seed.account("counselor", "Dr. Forge", expertise=("anxiety", "other")), seed.account("admin")
    own = seed.ticket(attacker, title="Mallory's own ticket", category="anxiety")
    open_ticket = seed.ticket(victim, title="Victoria's private ticket", category="anxiety")
    held = seed.ticket(victim, title="Victoria's claimed ticket", category="anxiety")
    seed.claim(held, counselor)
    seed.sql("insert into session_notes (ticket_id, author_id, body) values (:t, :c, :b)",
             {"t": held, "c": counselor.id, "b": SECRET_NOTE})  # fmt: skip
    time.sleep(1.1)  # accounts made before this instant count as pre-existing in the fingerprint
    yield {"attacker": attacker, "victim": victim, "counselor": counselor, "admin": admin,
           "tickets": [str(open_ticket), str(held)], "own": str(own)}  # fmt: skip


def session_cookie(app_url: str, seed: Seed, account) -> str:
    code, cookies = seed.handoff(account)
    response = httpx.get(f"{app_url}/auth/session", params={"code": code}, cookies=cookies)
    return response.cookies["soulroute_session"]


# Events per second, under the server's per-connection limits (30/s signed in, 5/s without a session),
# so that every forged event is really handled rather than dropped unseen.
SIGNED_IN_RATE, ANONYMOUS_RATE = 20, 4


def paced(sock: RawSocket, events: list[tuple[str, dict, str]], rate: float = SIGNED_IN_RATE) -> int:
    started = time.monotonic()
    for n, (name, payload, path) in enumerate(events):
        sock.send(name, payload, path)
        ahead = (n + 1) / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)  # pacing the sender, not waiting for the app
    return len(events)


class SocketGroup:
    """Several raw sockets of one attacker (same cookie, or none): each connection has its own event budget,
    so a sweep spread over them takes a fraction of the time of one paced socket, and proves the same."""

    def __init__(self, app_url: str, *, cookie: str | None = None, size: int = 6) -> None:
        self.socks = [RawSocket(app_url, cookie=cookie) for _ in range(size)]

    def paced(self, events: list[tuple[str, dict, str]], rate: float) -> int:
        """One sweep split over the sockets (contiguous chunks, all sent at once)."""
        step = -(-len(events) // len(self.socks))
        return self.paced_each([events[i : i + step] for i in range(0, len(events), step)], rate)

    def paced_each(self, sequences: list[list[tuple[str, dict, str]]], rate: float) -> int:
        """Sequence i on socket i, all at once: the order within a sequence (a tab's own) is kept."""
        with ThreadPoolExecutor(len(sequences)) as pool:
            return sum(pool.map(lambda pair: paced(pair[0], pair[1], rate), zip(self.socks, sequences, strict=False)))

    def settle(self, quiet: float = 3, limit: float = 180) -> None:
        """Until no socket of the group has received anything for `quiet` seconds (all at once)."""
        deadline, seen, quiet_since = time.monotonic() + limit, -1, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < quiet:
            if (count := len(self.received)) != seen:
                seen, quiet_since = count, time.monotonic()
            time.sleep(0.2)

    @property
    def received(self) -> list[str]:
        return [frame for sock in self.socks for frame in sock.received]

    @property
    def text(self) -> str:
        return "\n".join(self.received)

    def close(self) -> None:
        for sock in self.socks:
            sock.close()


def sweep(world: dict, ticket: str) -> list[tuple[str, dict, str]]:
    """Every handler of every state, its arguments forged for `ticket`, from the tickets list page."""
    attacker, victim = str(world["attacker"].id), str(world["victim"].id)
    return [
        (f"{state.get_full_name()}.{name}", payload, "/tickets")
        for state in app_states()
        for name, handler in state.event_handlers.items()
        for payload in forged_arguments(handler, ticket, victim, attacker)
    ]


def from_the_path(tickets: list[str]) -> list[tuple[str, dict, str]]:
    """Handlers without arguments (page loads, refreshes, dialogs of the page's ticket) on pages whose
    path names someone else's ticket: the id comes from the URL, not from an argument."""
    return [
        (f"{state.get_full_name()}.{name}", {}, f"{prefix}{ticket}")
        for ticket in tickets
        for prefix in ("/tickets/", "/admin/tickets/")
        for state in app_states()
        for name, handler in state.event_handlers.items()
        if len(inspect.signature(handler.fn).parameters) == 1
    ]


def assert_nothing_leaked(sock: RawSocket | SocketGroup, seed: Seed, world: dict, before: str, sent: int) -> None:
    assert sent > 100, f"only {sent} forged events: were the app's states found?"
    assert fingerprint(seed, world["attacker"]) == before
    leaked = sock.text
    for secret in (SECRET_NOTE, "Victoria's private ticket", "Victoria's claimed ticket", world["victim"].email,
                   world["victim"].name):  # fmt: skip
        assert secret not in leaked, f"{secret!r} reached the attacker's socket"
    digest = hashlib.sha256(leaked.encode()).hexdigest()[:12]
    print(f"{sent} forged events sent, {len(sock.received)} updates received ({digest}); database unchanged")


@pytest.mark.timeout(300)  # hundreds of events, paced under the per-connection limit
def test_forged_events_from_a_raw_websocket_are_refused(app_url: str, seed: Seed, world: dict) -> None:
    group = SocketGroup(app_url, cookie=session_cookie(app_url, seed, world["attacker"]))
    before = fingerprint(seed, world["attacker"])
    try:
        # Positive control: the sockets really reach the app, as this user (or the test proves nothing).
        for sock in group.socks:
            sock.send(f"{SessionState.get_full_name()}.guard")
            assert sock.wait_for('"Mallory"'), "the raw socket never got an answer"
        events = [e for ticket in world["tickets"] for e in sweep(world, ticket)] + from_the_path(world["tickets"])
        sent = group.paced(events, SIGNED_IN_RATE)
        group.settle()
    finally:
        group.close()
    assert_nothing_leaked(group, seed, world, before, sent)


OPENERS = ("open_", "ask_", "load", "start_")  # handlers that open a dialog or load a page's ticket


def opened_then_submitted(world: dict, mine: str, theirs: str) -> list[tuple[str, dict, str]]:
    """Per state: every opener with the attacker's own ticket (from its page), then every handler of that
    state forged for someone else's ticket (what the open dialog would submit, and everything else)."""
    own = [e for e in sweep(world, mine) if e[0].rsplit(".", 1)[1].startswith(OPENERS)]
    others = sweep(world, theirs)
    events = []
    for state in app_states():
        name = state.get_full_name()
        events += [(n, p, f"/tickets/{mine}") for n, p, _ in own if n.rsplit(".", 1)[0] == name]
        events += [e for e in others if e[0].rsplit(".", 1)[0] == name]
    return events


@pytest.mark.timeout(300)  # hundreds of events, paced under the per-connection limit
def test_dialog_opened_for_own_ticket_then_submitted_for_another(app_url: str, seed: Seed, world: dict) -> None:
    group = SocketGroup(app_url, cookie=session_cookie(app_url, seed, world["attacker"]), size=len(world["tickets"]))
    before = fingerprint(seed, world["attacker"])
    try:
        for sock in group.socks:
            sock.send(f"{SessionState.get_full_name()}.guard")
            assert sock.wait_for('"Mallory"'), "the raw socket never got an answer"
        # One tab per victim ticket: in each, the dialogs are opened for the attacker's own, then submitted.
        sent = group.paced_each(
            [opened_then_submitted(world, world["own"], t) for t in world["tickets"]], SIGNED_IN_RATE
        )
        group.settle()
    finally:
        group.close()
    assert_nothing_leaked(group, seed, world, before, sent)


@pytest.mark.timeout(300)  # hundreds of events, paced under the per-connection limit
def test_counselor_opens_a_dialog_for_their_ticket_and_submits_for_a_colleagues(
    app_url: str, seed: Seed, world: dict
) -> None:
    """A counselor may schedule, complete and release the tickets they hold: a dialog opened for one of
    those must not act on a ticket a colleague holds (ids in the arguments or in the page's path)."""
    rogue = seed.account("counselor", "Dr. Mallory", expertise=("anxiety",))
    mine = seed.ticket(seed.account("student", "Sam Other"), title="Held by Dr. Mallory", category="anxiety")
    seed.claim(mine, rogue)
    theirs = world["tickets"][1]  # held by Dr. Forge, with a session note

    def colleagues() -> list[dict]:
        return seed.sql(
            "select md5(t::text) as t, (select md5(string_agg(e::text, '|' order by id)) from ticket_events e"
            " where e.ticket_id = t.id) as e, (select md5(string_agg(n::text, '|' order by id)) from session_notes n"
            " where n.ticket_id = t.id) as n from support_tickets t where t.id = :t",
            {"t": theirs},
        )

    before = colleagues()
    sock = RawSocket(app_url, cookie=session_cookie(app_url, seed, rogue))
    try:
        sock.send(f"{SessionState.get_full_name()}.guard", path="/caseload")
        assert sock.wait_for('"Dr. Mallory"'), "the raw socket never got an answer"
        sent = paced(sock, opened_then_submitted(world, str(mine), theirs))
        sent += paced(
            sock, [(n, p, f"/tickets/{theirs}") for n, p, _ in opened_then_submitted(world, str(mine), theirs)]
        )
        sock.settle()
    finally:
        sock.close()
    assert sent > 100
    assert colleagues() == before, "a colleague's ticket changed"
    for secret in (SECRET_NOTE, world["victim"].email):
        assert secret not in sock.text, f"{secret!r} reached the rogue counselor's socket"


@pytest.mark.timeout(300)  # hundreds of events, paced under the per-connection limit
def test_forged_events_with_no_cookie_at_all(app_url: str, seed: Seed, world: dict) -> None:
    group = SocketGroup(app_url)
    before = fingerprint(seed, world["attacker"])
    try:
        for sock in group.socks:
            sock.send(f"{SessionState.get_full_name()}.guard")  # positive control: sent to sign-in
            assert sock.wait_for("/signin"), "the raw socket never got an answer"
        held = world["tickets"][1]  # the claimed one: the most there is to see
        sent = group.paced(sweep(world, held) + from_the_path([held]), rate=ANONYMOUS_RATE)
        group.settle()
    finally:
        group.close()
    assert_nothing_leaked(group, seed, world, before, sent)
    assert "Signed in as" not in group.text and '"Mallory"' not in group.text


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
