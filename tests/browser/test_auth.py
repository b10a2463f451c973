"""Accounts and sign-in in the browser: sign-up, sign-in per role, return to the page asked for,
sign-out (in every tab), expired and revoked sessions, single sign-on, lock-out, HttpOnly cookie."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import (
    PASSWORD,
    blocking_violations,
    home_url_re,
    no_sideways_scroll,
    quick_sign_in,
    sign_in_through_form,
)

pytestmark = pytest.mark.browser
COOKIE = "soulroute_session"


def test_student_signs_up_signs_out_and_signs_in(page: Page, artifacts_dir) -> None:
    page.goto("/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a student account")
    assert blocking_violations(page) == []
    page.get_by_label("University email").fill("Nia.Okoro@university.example")
    page.get_by_label("Display name").fill("Nia")
    page.get_by_label("Password").fill("orchid lantern river")
    page.screenshot(path=artifacts_dir / "signup-1280.png", full_page=True)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(home_url_re("student"), timeout=20_000)
    expect(page.get_by_text("Signed in as")).to_contain_text("Nia")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=20_000)
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/tickets")
    expect(page).to_have_url(re.compile(r"/signin/?\?next="), timeout=20_000)

    sign_in_through_form(page, "nia.okoro@university.example", "orchid lantern river")
    expect(page).to_have_url(home_url_re("student"), timeout=20_000)


def test_sign_up_errors_show_by_their_field_and_keep_what_was_typed(page: Page) -> None:
    page.goto("/signup")
    page.get_by_label("University email").fill("kai@university.example")
    page.get_by_label("Display name").fill("Kai")
    page.get_by_label("Password").fill("password2024")
    page.get_by_role("button", name="Create account").click()
    error = page.locator("#field-password-error")
    expect(error).to_contain_text("too common")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("University email")).to_have_value("kai@university.example")
    expect(page.get_by_label("Display name")).to_have_value("Kai")


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_staff_sign_in_lands_on_their_home(page: Page, seed, role: str) -> None:
    account = seed.account(role)
    sign_in_through_form(page, account.email, PASSWORD)
    expect(page).to_have_url(home_url_re(role), timeout=20_000)
    expect(page.get_by_text("Signed in as")).to_contain_text(account.name)


def test_signed_out_visitor_returns_to_the_page_asked_for(page: Page, seed) -> None:
    student = seed.account("student")
    page.goto("/tickets?status=open")
    expect(page).to_have_url(re.compile(r"/signin/?\?next=/tickets"), timeout=20_000)
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tickets/?\?status=open$"), timeout=20_000)


def test_a_role_opening_another_roles_page_is_sent_home(page: Page, seed) -> None:
    quick_sign_in(page, seed, seed.account("student"))
    page.goto("/board")
    expect(page).to_have_url(home_url_re("student"), timeout=20_000)
    page.goto("/admin")
    expect(page).to_have_url(home_url_re("student"), timeout=20_000)


@pytest.mark.parametrize(
    "ending",
    [
        "update auth_sessions set revoked_at = now() where user_id = :u",
        "update auth_sessions set last_seen_at = now() - interval '2 hours' where user_id = :u",
        "update auth_sessions set expires_at = now() - interval '1 second' where user_id = :u",
        "update users set is_active = false where id = :u",
    ],
    ids=["revoked", "idle", "expired", "deactivated"],
)
def test_ended_session_is_sent_back_to_sign_in(page: Page, seed, ending: str) -> None:
    student = seed.account("student")
    quick_sign_in(page, seed, student)
    seed.sql(ending, {"u": student.id})
    page.reload()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=20_000)


def test_sign_out_in_one_tab_signs_out_every_tab(browser: Browser, seed, base_url: str) -> None:
    context = browser.new_context(base_url=base_url)
    first, second = context.new_page(), context.new_page()
    quick_sign_in(first, seed, seed.account("counselor"))
    second.goto("/board")
    expect(second.get_by_text("Signed in as")).to_be_visible(timeout=20_000)
    first.get_by_role("button", name="Sign out").click()
    expect(first).to_have_url(re.compile(r"/signin"), timeout=20_000)
    # The other tab notices on its own (periodic check), without anyone touching it.
    expect(second).to_have_url(re.compile(r"/signin"), timeout=30_000)
    context.close()


def test_session_cookie_is_httponly_and_useless_after_sign_out(browser: Browser, seed, base_url: str) -> None:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    quick_sign_in(page, seed, seed.account("student"))
    assert COOKIE not in page.evaluate("document.cookie")
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    stolen = cookie["value"]  # what an attacker would need; page scripts cannot read it

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=20_000)
    assert not [c for c in context.cookies() if c["name"] == COOKIE]

    replay = browser.new_context(base_url=base_url)
    replay.add_cookies([{**cookie, "value": stolen}])
    replay_page = replay.new_page()
    replay_page.goto("/tickets")
    expect(replay_page).to_have_url(re.compile(r"/signin"), timeout=20_000)
    context.close()
    replay.close()


def test_single_sign_on_through_the_university_provider(page: Page) -> None:
    page.goto("/signin")
    page.get_by_role("button", name="Sign in with Test University").click()
    page.get_by_role("button", name="sso-river").click()  # the provider's consent page
    expect(page).to_have_url(home_url_re("student"), timeout=20_000)
    expect(page.get_by_text("Signed in as")).to_contain_text("River Stone")


def test_repeated_failures_lock_the_account_without_revealing_it(page: Page, seed) -> None:
    student = seed.account("student")
    for _ in range(4):
        sign_in_through_form(page, student.email, "not my password")
        expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect", timeout=20_000)
    sign_in_through_form(page, student.email, "not my password")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins", timeout=20_000)
    # Locked: even the right password is refused for now, and the email typed stays in the form.
    sign_in_through_form(page, student.email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins", timeout=20_000)
    expect(page.get_by_label("Email")).to_have_value(student.email)


@pytest.mark.parametrize("width", [1280, 390])
def test_sign_in_page_is_accessible_at_both_widths(page: Page, artifacts_dir, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/signin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"signin-{width}.png", full_page=True)
    assert blocking_violations(page) == []


def test_old_booking_address_moves_on_to_tickets(page: Page) -> None:
    page.goto("/booking")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support has moved to tickets")
    expect(page).to_have_url(re.compile(r"/(tickets|signin)"), timeout=20_000)


def test_next_user_in_the_same_tab_never_receives_the_previous_users_data(page: Page, seed) -> None:
    """Regression: Reflex keeps a tab's state under a token that outlived sign-out, so the next person
    signing in in that tab was sent the previous student's ticket list on hydration."""
    first, second = seed.account("student", "First Person"), seed.account("student", "Second Person")
    seed.ticket(first, title="First person's private worry")
    quick_sign_in(page, seed, first)
    expect(page.get_by_role("heading", name="First person's private worry")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=20_000)

    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    sign_in_through_form(page, second.email, PASSWORD)
    expect(page).to_have_url(home_url_re("student"), timeout=20_000)
    expect(page.get_by_text("Signed in as")).to_contain_text("Second Person")
    page.wait_for_timeout(1500)
    assert frames, "no websocket traffic was observed"
    assert not [f for f in frames if "private worry" in f or "First Person" in f]
