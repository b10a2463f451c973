"""A client calls every event handler of every state the app has, with arguments aimed at other people's
tickets and at other roles' powers (claim, schedule, close, admin actions, any setter): as a signed-in
student, as a rogue counselor, and with no cookie at all; with ticket ids in the arguments and in the
page's path; as sequences (a dialog opened for one's own ticket, then submitted for another). Every one
must be refused: the database is unchanged outside the attacker's own rows, and nothing of anyone else's
is sent to the attacker's tab.

These run through Reflex's own event processor in this process (tests/state/harness.py), every event's
whole chain awaited, so nothing is paced or left to settle."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from soulroute.db.models import TicketCategory as C
from soulroute.domain import tickets
from soulroute.domain.rules import Actor
from soulroute.state.session import SessionState
from tests.db.sql import owner
from tests.factories import make_admin, make_counselor, make_student, open_ticket
from tests.state.harness import Backend, Reply, Tab, app_states, session_cookie

pytestmark = pytest.mark.anyio
SECRET_NOTE = "Clinical note: discussed panic symptoms"  # must never reach the attacker
OPENERS = ("open_", "ask_", "load", "start_")  # handlers that open a dialog or load a page's ticket


def forged_arguments(handler: Any, victim_ticket: str, victim: str, attacker: str) -> list[dict]:
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


Forged = tuple[str, dict, str]  # (event name, payload, the page's path)


def sweep(world: dict, ticket: str, path: str = "/tickets") -> list[Forged]:
    """Every handler of every state, its arguments forged for `ticket`."""
    attacker, victim = str(world["attacker"].id), str(world["victim"].id)
    return [
        (f"{state.get_full_name()}.{name}", payload, path)
        for state in app_states()
        for name, handler in state.event_handlers.items()
        for payload in forged_arguments(handler, ticket, victim, attacker)
    ]


def from_the_path(tickets_: list[str]) -> list[Forged]:
    """Handlers without arguments (page loads, refreshes, dialogs of the page's ticket) on pages whose
    path names someone else's ticket: the id comes from the URL, not from an argument."""
    return [
        (f"{state.get_full_name()}.{name}", {}, f"{prefix}{ticket}")
        for ticket in tickets_
        for prefix in ("/tickets/", "/admin/tickets/")
        for state in app_states()
        for name, handler in state.event_handlers.items()
        if len(inspect.signature(handler.fn).parameters) == 1
    ]


def opened_then_submitted(world: dict, mine: str, theirs: str) -> list[Forged]:
    """Per state: every opener with the attacker's own ticket (from its page), then every handler of that
    state forged for someone else's ticket (what the open dialog would submit, and everything else)."""
    own = [(n, p, f"/tickets/{mine}") for n, p, _ in sweep(world, mine) if n.rsplit(".", 1)[1].startswith(OPENERS)]
    others = sweep(world, theirs)
    events = []
    for state in app_states():
        name = state.get_full_name()
        events += [e for e in own if e[0].rsplit(".", 1)[0] == name]
        events += [e for e in others if e[0].rsplit(".", 1)[0] == name]
    return events


def email_of(actor: Actor) -> str:
    return owner("select email from users where id = :id", {"id": actor.id})[0]["email"]


@pytest.fixture
def world() -> dict:
    attacker, victim = make_student("Mallory"), make_student("Victoria")
    counselor, admin = make_counselor("Dr. Forge", expertise=(C.ANXIETY, C.OTHER)), make_admin()
    own = open_ticket(attacker, title="Mallory's own ticket")
    waiting = open_ticket(victim, title="Victoria's private ticket")
    held = open_ticket(victim, title="Victoria's claimed ticket")
    tickets.claim_ticket(counselor, held)
    owner("insert into session_notes (ticket_id, author_id, body) values (:t, :c, :b)",
          {"t": held, "c": counselor.id, "b": SECRET_NOTE})  # fmt: skip
    users = [r["id"] for r in owner("select id from users")]
    return {"attacker": attacker, "victim": victim, "counselor": counselor, "admin": admin, "users": users,
            "tickets": [str(waiting), str(held)], "own": str(own), "held": str(held)}  # fmt: skip


def fingerprint(world: dict) -> str:
    """Everything outside the attacker's own rows, hashed."""
    parts = [
        "select md5(string_agg(t::text, '|' order by id)) from support_tickets t where student_id <> :a",
        "select md5(string_agg(e::text, '|' order by id)) from ticket_events e "
        "where ticket_id in (select id from support_tickets where student_id <> :a)",
        "select md5(string_agg(n::text, '|' order by id)) from session_notes n",
        "select md5(string_agg(p::text, '|' order by user_id)) from counselor_profiles p",
        "select md5(string_agg(u::text, '|' order by id)) from users u where id = any(:users)",
        "select md5(string_agg(r::text, '|' order by id)) from record_access_log r",
        "select md5(string_agg(n::text, '|' order by id)) from notifications n where user_id <> :a",
        "select count(*)::text from auth_sessions where revoked_at is not null and user_id <> :a",
    ]
    params = {"a": world["attacker"].id, "users": world["users"]}
    return "/".join(str(next(iter(owner(q, params)[0].values()))) for q in parts)


async def send_all(tab: Tab, events: list[Forged]) -> Reply:
    """Each event from the page it names, in order; everything the tab was sent, together."""
    sent = Reply()
    for name, payload, path in events:
        tab.path = path
        reply = await tab.send(name, **payload)
        sent.updates += reply.updates
        sent.errors += reply.errors
    return sent


def assert_nothing_leaked(sent: Reply, world: dict, before: str, count: int) -> None:
    assert count > 100, f"only {count} forged events: were the app's states found?"
    assert fingerprint(world) == before, "something outside the attacker's own rows changed"
    text = sent.sent_values()
    victim = world["victim"]
    for secret in (SECRET_NOTE, "Victoria's private ticket", "Victoria's claimed ticket", email_of(victim),
                   victim.display_name):  # fmt: skip
        assert secret not in text, f"{secret!r} reached the attacker's tab"


@pytest.mark.timeout(300)
async def test_every_handler_forged_by_a_signed_in_student_is_refused(world: dict) -> None:
    before = fingerprint(world)
    async with Backend() as backend:
        tab, reply = await backend.tab("/tickets", world["attacker"])
        assert "Mallory" in reply.sent_values(), "positive control: the tab is signed in as the attacker"
        events = [e for t in world["tickets"] for e in sweep(world, t)] + from_the_path(world["tickets"])
        sent = await send_all(tab, events)
    assert_nothing_leaked(sent, world, before, len(events))


@pytest.mark.timeout(300)
async def test_dialog_opened_for_own_ticket_then_submitted_for_another(world: dict) -> None:
    before = fingerprint(world)
    async with Backend() as backend:
        sent, count = Reply(), 0
        for theirs in world["tickets"]:  # one tab per victim ticket
            tab, _ = await backend.tab(f"/tickets/{world['own']}", world["attacker"])
            events = opened_then_submitted(world, world["own"], theirs)
            sent.updates += (await send_all(tab, events)).updates
            count += len(events)
    assert_nothing_leaked(sent, world, before, count)


@pytest.mark.timeout(300)
async def test_counselor_opens_a_dialog_for_their_ticket_and_submits_for_a_colleagues(world: dict) -> None:
    """A counselor may schedule, complete and release the tickets they hold: a dialog opened for one of
    those must not act on a ticket a colleague holds (ids in the arguments or in the page's path)."""
    rogue = make_counselor("Dr. Mallory")
    mine = open_ticket(make_student("Sam Other"), title="Held by Dr. Mallory")
    tickets.claim_ticket(rogue, mine)
    theirs = world["held"]  # held by Dr. Forge, with a session note
    query = (
        "select md5(t::text) as t, (select md5(string_agg(e::text, '|' order by id)) from ticket_events e"
        " where e.ticket_id = t.id) as e, (select md5(string_agg(n::text, '|' order by id)) from session_notes n"
        " where n.ticket_id = t.id) as n from support_tickets t where t.id = :t"
    )
    before = owner(query, {"t": theirs})
    async with Backend() as backend:
        tab, reply = await backend.tab("/caseload", rogue)
        assert "Held by Dr. Mallory" in reply.sent_values(), "positive control: the rogue's caseload loaded"
        events = opened_then_submitted(world, str(mine), theirs)
        events += [(n, p, f"/tickets/{theirs}") for n, p, _ in events]
        sent = await send_all(tab, events)
    assert len(events) > 100
    assert owner(query, {"t": theirs}) == before, "a colleague's ticket changed"
    for secret in (SECRET_NOTE, email_of(world["victim"])):
        assert secret not in sent.sent_values(), f"{secret!r} reached the rogue counselor's tab"


@pytest.mark.timeout(300)
async def test_forged_events_with_no_cookie_at_all(world: dict) -> None:
    before = fingerprint(world)
    held = world["held"]  # the claimed one: the most there is to see
    async with Backend() as backend:
        tab, reply = await backend.tab("/tickets")
        assert reply.redirect() == "/signin?next=/tickets", "positive control: sent to sign-in"
        events = sweep(world, held) + from_the_path([held])
        sent = await send_all(tab, events)
    assert_nothing_leaked(sent, world, before, len(events))
    assert "Mallory" not in sent.sent_values()


async def test_a_tab_token_presented_with_another_users_cookie_yields_nothing_of_the_first(world: dict) -> None:
    """The tab token travels in the websocket URL: whoever presents it with their own cookie gets a tab
    emptied before anything is sent, not the state the token's first user filled."""
    async with Backend() as backend:
        tab, reply = await backend.tab(f"/tickets/{world['held']}", world["victim"])
        assert "Victoria's claimed ticket" in reply.sent_values(), "positive control: the victim's page loaded"
        await tab.close()
        thief = Tab(backend, session_cookie(world["attacker"]), tab.path)
        thief.token = tab.token
        stolen = await thief.connect()
        shown = await thief.state(SessionState)
    assert "Victoria's claimed ticket" not in stolen.sent_values()
    assert shown.user_name == "Mallory"


async def test_every_admin_handler_forged_by_a_counselor_is_refused(world: dict) -> None:
    rogue = make_counselor("Dr. Mallory")
    before = fingerprint(world)
    async with Backend() as backend:
        tab, reply = await backend.tab("/board", rogue)
        assert "Dr. Mallory" in reply.sent_values(), "positive control: signed in as the rogue counselor"
        events = [
            e for t in world["tickets"] for e in sweep(world | {"attacker": rogue}, t, "/admin")
            if "soulroute___state___admin" in e[0].rsplit(".", 1)[0].rsplit(".", 1)[-1]
        ]  # fmt: skip
        sent = await send_all(tab, events)
    assert len(events) > 40
    assert fingerprint(world) == before
    for secret in ("Victoria's private ticket", email_of(world["victim"]), "I lie awake for hours", SECRET_NOTE):
        assert secret not in sent.sent_values()
