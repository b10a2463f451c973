"""Who acts in an event: resolved from the server-side session (cached in the process for a moment), and
refused at once when the session ends elsewhere, even though the cache still held it."""

from __future__ import annotations

import pytest

from soulroute.auth import session_cache
from soulroute.domain import admin_accounts
from soulroute.state.board import BoardState
from soulroute.state.session import SessionState
from tests.db.sql import owner
from tests.factories import make_admin, make_counselor, make_student, open_ticket
from tests.state.harness import Backend

pytestmark = pytest.mark.anyio


def status_of(ticket) -> str:
    return owner("select status::text as s from support_tickets where id = :t", {"t": ticket})[0]["s"]


async def test_a_deactivated_counselors_open_tab_can_claim_nothing_though_the_session_was_cached() -> None:
    counselor, student = make_counselor("Dr. Gone"), make_student()
    ticket = open_ticket(student)
    async with Backend() as backend:
        tab, reply = await backend.tab("/board", counselor)
        assert "Trouble sleeping before exams" in reply.sent_values(), "positive control: the board loaded"
        assert session_cache.lookup(tab.cookie.split("=", 1)[1]) is not None, "the session was cached"
        admin_accounts.set_account_status(
            make_admin(), {"user_id": counselor.id, "active": False, "reason": "Left the service"}
        )
        pushed = await tab.received(lambda r: r.redirect() == "/signin")
        assert pushed.redirect() == "/signin"  # the NOTIFY reached this process and its tabs
        answer = await tab.send(BoardState.claim, ticket_id=str(ticket))
    assert answer.redirect() is not None and answer.redirect().startswith("/signin")
    assert status_of(ticket) == "open"


async def test_pages_send_each_role_to_its_own_home_and_the_signed_out_to_sign_in() -> None:
    people = {"student": make_student(), "counselor": make_counselor(), "admin": make_admin(), "anonymous": None}
    homes = {"student": "/tickets", "counselor": "/board", "admin": "/admin", "anonymous": None}
    pages = ["/tickets", "/tickets/new", "/board", "/caseload", "/profile", "/admin", "/admin/accounts",
             "/admin/analytics", "/admin/audit"]  # fmt: skip
    allowed = {
        "student": {"/tickets", "/tickets/new"},
        "counselor": {"/board", "/caseload", "/profile"},
        "admin": {"/admin", "/admin/accounts", "/admin/analytics", "/admin/audit"},
        "anonymous": set(),
    }
    async with Backend() as backend:
        for role, person in people.items():
            for path in pages:
                tab, reply = await backend.tab(path, person)
                where = reply.redirect()
                if path in allowed[role]:
                    assert where is None, f"{role} was sent from {path} to {where}"
                elif person is None:
                    assert where == f"/signin?next={path}", f"anonymous on {path} went to {where}"
                else:
                    assert where == homes[role], f"{role} on {path} went to {where}"
                shown = await tab.state(SessionState)
                assert shown.signed_in is (person is not None)


@pytest.mark.parametrize(
    "ending",
    ["update auth_sessions set last_seen_at = now() - interval '2 hours' where user_id = :u",
     "update auth_sessions set expires_at = now() - interval '1 second' where user_id = :u"],
    ids=["idle", "expired"],
)  # fmt: skip
async def test_a_session_ended_by_time_is_refused_at_the_next_page_load_and_the_periodic_check(ending) -> None:
    """Nothing announces an end by time: a page load and the periodic check ask the database, not the cache.
    Regression: the check ran after the tab's state had been emptied and then did nothing, so the tab stayed
    on its page."""
    student = make_student()
    async with Backend() as backend:
        tab, reply = await backend.tab("/tickets", student)
        assert reply.redirect() is None, "positive control: signed in"
        owner(ending, {"u": student.id})
        check = await tab.send(SessionState.check_session)
        reload, reloaded = await backend.tab("/tickets", cookie=tab.cookie)
    assert check.redirect() == "/signin?next=/tickets"
    assert ("info", "Your session has ended. Please sign in again.") in check.toasts()
    assert reloaded.redirect() == "/signin?next=/tickets"
