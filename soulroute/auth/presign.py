"""The pre-sign-in cookie: binds a sign-in's one-time hand-off code to the browser that signed in.

Every page load gets a random nonce in an HttpOnly, SameSite=Lax cookie (page scripts cannot read
it). The websocket's handshake carries it to the sign-in event, which stores the hand-off code
hashed together with it; /auth/session redeems the code only with the same cookie. A link carrying
someone else's code (login CSRF) therefore signs nobody in: the victim's browser has another nonce.
"""

from __future__ import annotations

import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soulroute.auth.sessions import cookie_value
from soulroute.config import get_settings

COOKIE_NAME = "soulroute_presign"
MAX_AGE_S = 2 * 3600  # refreshed on every page load; only an idle sign-in page outlives it
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def valid_nonce(value: str | None) -> str | None:
    return value if value and _NONCE_RE.fullmatch(value) else None


def nonce_from_cookie_header(header: str | None) -> str | None:
    """The nonce in a raw Cookie header (as captured from the websocket handshake), if well formed."""
    return valid_nonce(cookie_value(header, COOKIE_NAME))


def cookie_header_value(nonce: str) -> str:
    secure = "; Secure" if get_settings().public_url.startswith("https://") else ""
    return f"{COOKIE_NAME}={nonce}; Max-Age={MAX_AGE_S}; Path=/; HttpOnly; SameSite=Lax{secure}"


class PreSignInCookieMiddleware:
    """Sets (or refreshes, keeping its value) the nonce cookie on every HTML page a browser loads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"cookie"), None)
        nonce = nonce_from_cookie_header(header) or new_nonce()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("Set-Cookie", cookie_header_value(nonce))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
