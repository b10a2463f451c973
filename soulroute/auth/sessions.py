"""Server-side sessions. The browser holds only an opaque random token in an HttpOnly cookie; the
database keeps its SHA-256 hash, the idle and absolute expiry, and the revocation."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie

from sqlalchemy import text

from soulroute.config import get_settings
from soulroute.db.models import UserRole
from soulroute.db.session import as_auth, as_user
from soulroute.domain.rules import Actor

COOKIE_NAME = "soulroute_session"


@dataclass(frozen=True)
class SignedIn:
    session_id: uuid.UUID
    actor: Actor
    email: str


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def handoff_hash(code: str, nonce: str) -> bytes:
    """The stored form of a hand-off code: bound to the pre-sign-in nonce of the browser that signed in."""
    return _hash(f"{code}.{nonce}")


def begin_session(user_id: uuid.UUID, nonce: str) -> str:
    """Open a session for a user whose credentials were just checked; returns the one-time code the
    browser exchanges (at /auth/session, with the same pre-sign-in `nonce` cookie) for its cookie."""
    if not nonce:
        raise ValueError("a hand-off code must be bound to a browser's pre-sign-in nonce")
    settings = get_settings()
    code = secrets.token_urlsafe(32)
    with as_auth() as s:
        s.execute(
            text("select auth_start_session(:u, :h, :idle, :abs)"),
            {
                "u": user_id,
                "h": handoff_hash(code, nonce),
                "idle": timedelta(minutes=settings.session_idle_minutes),
                "abs": timedelta(hours=settings.session_absolute_hours),
            },
        )
    return code


def claim_handoff(code: str, nonce: str | None) -> str | None:
    """Exchange a one-time code for a fresh session token (None if unknown, used, expired, or presented
    by another browser than the one that signed in, i.e. without the same pre-sign-in nonce)."""
    if not code or len(code) > 100 or not nonce:
        return None
    token = secrets.token_urlsafe(32)
    with as_auth() as s:
        user = s.execute(
            text("select auth_claim_handoff(:c, :t)"), {"c": handoff_hash(code, nonce), "t": _hash(token)}
        ).scalar()
    return token if user else None


def resolve(token: str | None, *, touch: bool = True) -> SignedIn | None:
    """The live session behind a token, or None (unknown, revoked, idle too long, expired, user inactive).

    `touch=False` checks without counting as activity (a tab's periodic check)."""
    if not token or len(token) > 100:
        return None
    # The runtime role may resolve a token it holds, and nothing more (it cannot read auth_sessions).
    with as_user(None) as s:
        row = s.execute(
            text("select * from auth_resolve_session(:h, :touch)"), {"h": _hash(token), "touch": touch}
        ).first()
    if row is None:
        return None
    return SignedIn(row.session_id, Actor(row.user_id, UserRole(row.role), row.display_name), row.email)


def revoke(token: str | None) -> None:
    if token:
        with as_auth() as s:
            s.execute(text("select auth_revoke_session(:h)"), {"h": _hash(token)})


def token_from_cookie_header(header: str | None) -> str | None:
    """The session token in a raw Cookie header (as captured from the websocket handshake)."""
    return cookie_value(header, COOKIE_NAME)


def cookie_value(header: str | None, name: str) -> str | None:
    """One cookie's value in a raw Cookie header, or None (absent, or a header that does not parse)."""
    if not header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None
