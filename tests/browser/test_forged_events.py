"""A signed-in student opens a raw websocket to the app and calls every event handler of every state
the app has, with arguments aimed at other people's tickets and at other roles' powers (claim,
schedule, close, admin actions, any setter). Every one must be refused: the database is unchanged
outside the student's own rows, and nothing of anyone else's reaches the socket."""

from __future__ import annotations

import hashlib
import inspect
import json
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest
import reflex as rx
import socketio

from soulroute.state.session import SessionState
from tests.browser.helpers import Seed

pytestmark = pytest.mark.browser
NAMESPACE = "/_event"
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
    open_ticket = seed.ticket(victim, title="Victoria's private ticket", category="anxiety")
    held = seed.ticket(victim, title="Victoria's claimed ticket", category="anxiety")
    seed.claim(held, counselor)
    seed.sql("insert into session_notes (ticket_id, author_id, body) values (:t, :c, :b)",
             {"t": held, "c": counselor.id, "b": SECRET_NOTE})  # fmt: skip
    time.sleep(1.1)  # accounts made before this instant count as pre-existing in the fingerprint
    yield {"attacker": attacker, "victim": victim, "counselor": counselor, "admin": admin,
           "tickets": [str(open_ticket), str(held)]}  # fmt: skip


def session_cookie(app_url: str, seed: Seed, account) -> str:
    code, cookies = seed.handoff(account)
    response = httpx.get(f"{app_url}/auth/session", params={"code": code}, cookies=cookies)
    return response.cookies["soulroute_session"]


def test_forged_events_from_a_raw_websocket_are_refused(app_url: str, seed: Seed, world: dict) -> None:
    attacker = world["attacker"]
    cookie = session_cookie(app_url, seed, attacker)
    received: list[str] = []
    client = socketio.Client(reconnection=False)
    client.on("event", lambda data: received.append(json.dumps(data, default=str)), namespace=NAMESPACE)
    client.connect(
        f"{app_url}?token={secrets.token_hex(16)}",
        socketio_path="_event",
        transports=["websocket"],
        namespaces=[NAMESPACE],
        # websocket-client sends Origin itself (the app URL, an allowed origin).
        headers={"Cookie": f"soulroute_session={cookie}"},
    )
    before = fingerprint(seed, attacker)
    sent = 0
    route = {"pathname": "/tickets", "query": {}, "asPath": "/tickets"}

    def send(name: str, payload: dict) -> None:
        client.emit("event", {"name": name, "payload": payload, "router_data": route}, namespace=NAMESPACE)

    try:
        # Positive control: the socket really reaches the app, as this user (or the test proves nothing).
        send(f"{SessionState.get_full_name()}.guard", {})
        deadline = time.monotonic() + 15
        while not any('"Mallory"' in r for r in received) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any('"Mallory"' in r for r in received), "the raw socket never got an answer"
        for state in app_states():
            for name, handler in state.event_handlers.items():
                for ticket in world["tickets"]:
                    for payload in forged_arguments(handler, ticket, str(world["victim"].id), str(attacker.id)):
                        send(f"{state.get_full_name()}.{name}", payload)
                        sent += 1
        # Handlers run one at a time per tab: wait until the socket has been quiet for 3 s.
        deadline, seen, quiet_since = time.monotonic() + 180, -1, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < 3:
            if len(received) != seen:
                seen, quiet_since = len(received), time.monotonic()
            time.sleep(0.2)
    finally:
        client.disconnect()
    assert sent > 100, f"only {sent} forged events: were the app's states found?"
    assert fingerprint(seed, attacker) == before
    leaked = "\n".join(received)
    for secret in (SECRET_NOTE, "Victoria's private ticket", "Victoria's claimed ticket", world["victim"].email):
        assert secret not in leaked, f"{secret!r} reached the attacker's socket"
    digest = hashlib.sha256(leaked.encode()).hexdigest()[:12]
    print(f"{sent} forged events sent, {len(received)} updates received ({digest}); database unchanged")
