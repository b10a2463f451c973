"""Every form posts (never a GET that puts a password into a URL), and the HTTP security headers."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import reflex as rx
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from soulroute.auth import presign
from soulroute.auth.navigation import NO_SCRIPT_ACTION
from soulroute.auth.routes import auth_app
from soulroute.config import get_settings
from soulroute.pages import register_pages
from soulroute.security_headers import SecurityHeadersMiddleware

FORM_TAGS = re.compile(r'jsx\((RadixFormRoot|"form"),\{')


def _props(code: str, start: int) -> str:
    """The props object that opens just before `start` (balanced braces; strings hold none here)."""
    depth = 1
    for end in range(start, len(code)):
        depth += {"{": 1, "}": -1}.get(code[end], 0)
        if depth == 0:
            return code[start:end]
    raise AssertionError("unbalanced props")


class _Pages:
    """Stands in for rx.App: collects every page the app registers."""

    def __init__(self) -> None:
        self.pages: dict[str, rx.Component] = {}

    def add_page(self, component, route: str, **_: object) -> None:
        self.pages[route] = component() if callable(component) else component


def test_every_form_of_every_page_posts_to_the_route_that_drops_the_body():
    collected = _Pages()
    register_pages(collected)
    assert {"/signin", "/signup", "/tickets/new", "/admin/accounts"} <= set(collected.pages)
    forms = 0
    for route, component in collected.pages.items():
        code = str(component)
        for match in FORM_TAGS.finditer(code):
            props = _props(code, match.end())
            assert 'method:"post"' in props and f'action:"{NO_SCRIPT_ACTION}"' in props, (route, props)
            forms += 1
    assert forms >= 12  # sign-in, sign-up, new ticket, dialogs, filters, admin forms


def test_a_form_posted_before_the_script_runs_is_dropped_and_the_page_stays():
    client = TestClient(auth_app())
    response = client.post(NO_SCRIPT_ACTION, data={"email": "a@b.example", "password": "secret words here"})
    assert response.status_code == 204 and response.content == b""
    assert client.get(NO_SCRIPT_ACTION).status_code == 405


def _site(tmp_path: Path) -> TestClient:
    """The two middlewares around a tiny app, over a build folder holding one page with inline scripts."""
    (tmp_path / "page.html").write_text("<html><script>window.a = 1;</script><script src='/x.js'></script></html>")
    inner = Starlette(
        routes=[
            Route("/signin", lambda r: HTMLResponse("<html></html>")),
            Route("/assets/app.js", lambda r: PlainTextResponse("x", media_type="text/javascript")),
            Route("/assets/app-Dk7jysz-.js", lambda r: PlainTextResponse("x", media_type="text/javascript")),
            Route("/calendar/x.ics", lambda r: PlainTextResponse("x", headers={"Cache-Control": "max-age=60"})),
        ]
    )
    return TestClient(SecurityHeadersMiddleware(presign.PreSignInCookieMiddleware(inner), build_dir=tmp_path))


def test_security_headers_and_the_inline_scripts_allowed_by_hash(tmp_path):
    client = _site(tmp_path)
    page = client.get("/signin")
    csp = page.headers["content-security-policy"]
    digest = base64.b64encode(hashlib.sha256(b"window.a = 1;").digest()).decode()
    assert f"'sha256-{digest}'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer" and "camera=()" in page.headers["permissions-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in page.headers  # PUBLIC_URL is http here
    assert client.get("/calendar/x.ics").headers["cache-control"] == "no-store"
    asset = client.get("/assets/app.js")
    assert "cache-control" not in asset.headers and asset.headers["x-content-type-options"] == "nosniff"
    # A content-hashed build file never changes under its name: cached for a year, headers otherwise the same.
    hashed = client.get("/assets/app-Dk7jysz-.js")
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["content-security-policy"] == csp and hashed.headers["x-frame-options"] == "DENY"


def test_pages_set_the_pre_sign_in_cookie_and_keep_its_value(tmp_path):
    client = _site(tmp_path)
    first = client.get("/signin")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{presign.COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    nonce = first.cookies[presign.COOKIE_NAME]
    assert client.get("/signin").cookies[presign.COOKIE_NAME] == nonce  # refreshed, same value
    assert "set-cookie" not in client.get("/assets/app.js").headers


def test_https_adds_hsts_and_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://soulroute.university.example")
    get_settings.cache_clear()
    try:
        page = _site(tmp_path).get("/signin")
    finally:
        monkeypatch.delenv("PUBLIC_URL")
        get_settings.cache_clear()
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "; Secure" in page.headers["set-cookie"]
    assert "connect-src 'self' wss://soulroute.university.example" in page.headers["content-security-policy"]
