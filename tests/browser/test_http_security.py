"""HTTP-level hardening in the running production app: security headers on every route, no CSP
violation on any role's pages, hand-off codes bound to the browser that signed in (login CSRF),
no password in a URL even before the page's script runs, fixed single sign-on messages."""

from __future__ import annotations

import json
import re
import secrets
import time
import uuid

import httpx
import pytest
import socketio
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from soulroute.auth import presign
from soulroute.auth.accounts import SSO_MESSAGES
from soulroute.auth.navigation import NO_SCRIPT_ACTION
from soulroute.pages import register_pages
from soulroute.state.auth import HANDOFF_FAILED, NO_PRESIGN_COOKIE, SignInState
from tests.browser.helpers import PASSWORD, Seed, home_url_re, quick_sign_in, sign_in_through_form

pytestmark = pytest.mark.browser

REQUIRED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
CSP_MUST = (
    "default-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)


class _Routes:
    def __init__(self) -> None:
        self.routes: list[str] = []

    def add_page(self, component, route: str, **_: object) -> None:
        self.routes.append(route)


def page_routes(ticket_id: uuid.UUID) -> list[str]:
    """Every page path the app registers, with a real ticket id in the dynamic ones."""
    collected = _Routes()
    register_pages(collected)
    return [re.sub(r"\[[a-z_]+\]", str(ticket_id), route) for route in collected.routes]


def _assert_headers(response: httpx.Response, *, personal: bool = True) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    csp = response.headers.get("content-security-policy", "")
    assert all(part in csp for part in CSP_MUST), (where, csp)
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, (where, name)
    assert "camera=()" in response.headers.get("permissions-policy", ""), where
    assert "strict-transport-security" not in response.headers, where  # PUBLIC_URL is http in tests
    if personal:
        assert response.headers.get("cache-control") == "no-store", where


def test_security_headers_on_every_route(app_url: str, seed: Seed) -> None:
    student = seed.account("student")
    ticket = seed.ticket(student)
    with httpx.Client(base_url=app_url, follow_redirects=False) as client:
        home = client.get("/")
        for path in [*page_routes(ticket), "/no-such-page", "/signin?next=/tickets"]:
            _assert_headers(client.get(path))
        for method, path in [
            ("GET", "/auth/session?code=nothing"),
            ("POST", "/auth/signout"),
            ("GET", "/auth/sso/login"),
            ("GET", "/auth/sso/callback?code=x&state=y"),
            ("POST", NO_SCRIPT_ACTION),
            ("GET", f"/calendar/{ticket}.ics"),
            ("GET", "/ping"),
        ]:
            _assert_headers(client.request(method, path))
        asset = re.search(r'href="(/assets/[^"]+\.js)"', home.text).group(1)
        _assert_headers(client.get(asset), personal=False)


MAIN_PAGES = {
    None: ["/", "/signin", "/signup"],
    "student": ["/tickets", "/tickets/new", "/tickets/{tid}", "/notifications"],
    "counselor": ["/board", "/caseload", "/profile", "/tickets/{tid}", "/notifications"],
    "admin": ["/admin", "/admin/analytics", "/admin/accounts", "/admin/audit", "/admin/tickets/{tid}"],
}


@pytest.mark.parametrize("role", list(MAIN_PAGES), ids=lambda r: r or "signed-out")
def test_no_content_security_policy_violation_on_each_roles_pages(
    browser: Browser, base_url: str, seed: Seed, role: str | None
) -> None:
    student, counselor = seed.account("student"), seed.account("counselor")
    tid = seed.ticket(student)
    seed.claim(tid, counselor)
    account = {"student": student, "counselor": counselor, "admin": seed.account("admin")}.get(role)
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    reported: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            reported.append(message.text)

    page.on("console", on_console)
    if account:
        quick_sign_in(page, seed, account)
    for path in MAIN_PAGES[role]:
        page.goto(path.format(tid=tid))
        expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=20_000)
        if account:
            expect(page.get_by_text("Signed in as")).to_be_visible(timeout=20_000)
        expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    assert reported == []
    context.close()


def test_hand_off_code_opened_in_another_browser_signs_nobody_in(browser: Browser, base_url: str, seed: Seed) -> None:
    account = seed.account("student")
    a = browser.new_context(base_url=base_url).new_page()
    # Browser A signs in for real; its hand-off link is kept instead of followed (an attacker's link).
    a.route("**/auth/session?**", lambda route: route.abort())
    with a.expect_request(lambda r: "/auth/session?code=" in r.url, timeout=20_000) as handoff:
        sign_in_through_form(a, account.email, PASSWORD)
    captured = [handoff.value.url]

    b_context = browser.new_context(base_url=base_url)
    b = b_context.new_page()
    b.goto(captured[0])
    expect(b).to_have_url(re.compile(r"/signin/?\?error=expired"), timeout=20_000)
    expect(b.get_by_text(HANDOFF_FAILED)).to_be_visible(timeout=20_000)
    expect(b.get_by_text("Signed in as")).to_have_count(0)
    assert not [c for c in b_context.cookies() if c["name"] == "soulroute_session"]

    a.unroute("**/auth/session?**")
    a.goto(captured[0])  # the browser that signed in still can
    expect(a).to_have_url(home_url_re("student"), timeout=20_000)
    expect(a.get_by_text("Signed in as")).to_contain_text(account.name)


def _sign_in_over_raw_socket(app_url: str, email: str, cookie_header: str | None) -> list[str]:
    """Send SignInState.sign_in over a raw websocket (as any client can); the updates it received."""
    received: list[str] = []
    client = socketio.Client(reconnection=False)
    client.on("event", lambda data: received.append(json.dumps(data, default=str)), namespace="/_event")
    client.connect(
        f"{app_url}?token={secrets.token_hex(16)}",
        socketio_path="_event",
        transports=["websocket"],
        namespaces=["/_event"],
        headers={"Cookie": cookie_header} if cookie_header else {},
    )
    route = {"pathname": "/signin", "query": {}, "asPath": "/signin"}
    form = {"email": email, "password": PASSWORD}
    name = f"{SignInState.get_full_name()}.sign_in"
    try:
        client.emit("event", {"name": name, "payload": {"form_data": form}, "router_data": route}, namespace="/_event")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("auth/session" in r or "out of date" in r for r in received):
            time.sleep(0.1)
    finally:
        client.disconnect()
    return received


def test_sign_in_without_the_pre_sign_in_cookie_mints_no_code(app_url: str, seed: Seed) -> None:
    """A client that never loaded a page (no nonce) gets no hand-off code it could plant elsewhere."""
    account = seed.account("student")
    refused = "\n".join(_sign_in_over_raw_socket(app_url, account.email, None))
    assert NO_PRESIGN_COOKIE in refused and "auth/session" not in refused
    assert seed.sql("select count(*) as n from auth_sessions where user_id = :u", {"u": account.id}) == [{"n": 0}]
    # Positive control: the same request with a nonce cookie does get its (bound) code.
    with_nonce = "\n".join(
        _sign_in_over_raw_socket(app_url, account.email, f"{presign.COOKIE_NAME}={presign.new_nonce()}")
    )
    assert "/auth/session?code=" in with_nonce


def test_sso_error_shows_only_fixed_messages(page: Page) -> None:
    spoof = "Your account is suspended. Call +1 555 0199 and give your password"
    page.goto(f"/signin?sso_error={spoof}")
    expect(page.get_by_text(SSO_MESSAGES["failed"])).to_be_visible(timeout=20_000)
    expect(page.get_by_text(spoof)).to_have_count(0)
    assert "555 0199" not in page.content()
    page.goto("/signin?sso_error=staff")
    expect(page.get_by_text(SSO_MESSAGES["staff"])).to_be_visible(timeout=20_000)


@pytest.mark.parametrize("path", ["/signin", "/signup"])
def test_no_password_in_any_url_when_submitted_before_javascript(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(path)
    secret, email = "violet harbor copper 77", "no.script@university.example"
    page.locator("input[name=email]").fill(email)
    if path == "/signup":
        page.locator("input[name=display_name]").fill("No Script")
    page.locator("input[name=password]").fill(secret)
    with page.expect_request(lambda r: r.is_navigation_request()) as submitted:
        page.locator("button[type=submit]").click()
    assert not [u for u in urls if "violet" in u or "password" in u or "no.script" in u]
    assert (submitted.value.method, submitted.value.url) == ("POST", base_url + NO_SCRIPT_ACTION)
    expect(page).to_have_url(re.compile(re.escape(path) + r"/?$"))  # the browser stayed on the form
    expect(page.locator("input[name=password]")).to_have_value(secret)  # nothing typed was lost
    context.close()
