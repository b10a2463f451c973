"""Who is signed in, derived on the server for every event from the HttpOnly session cookie.

The cookie reaches the backend in the websocket handshake (`self.router.headers.cookie`); page
JavaScript can neither read it nor set it. Public vars here are display copies for the shell; no
decision is ever taken from them, and none has a setter.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx

from soulroute.auth import session_cache, sessions
from soulroute.auth.navigation import home_for, safe_next
from soulroute.db.models import UserRole
from soulroute.domain.errors import DomainError, Unavailable
from soulroute.domain.rules import Actor
from soulroute.live import tabs, watchers

T = TypeVar("T")

# Which roles may open which pages (longest prefix wins). Anything else is public.
PAGE_ROLES: dict[str, frozenset[UserRole]] = {
    "/tickets/new": frozenset({UserRole.STUDENT}),
    "/tickets/": frozenset(UserRole),  # a ticket's page: whoever may see the ticket (RLS decides)
    "/tickets": frozenset({UserRole.STUDENT}),
    "/board": frozenset({UserRole.COUNSELOR}),
    "/caseload": frozenset({UserRole.COUNSELOR}),
    "/profile": frozenset({UserRole.COUNSELOR}),
    "/admin": frozenset({UserRole.ADMIN}),
    "/notifications": frozenset(UserRole),
}


def roles_for(path: str) -> frozenset[UserRole] | None:
    """The roles allowed on `path`, or None for a public page."""
    path = path.rstrip("/") or "/"
    best = None
    for prefix in PAGE_ROLES:
        exact = prefix.rstrip("/")
        if (path == exact or path.startswith(prefix if prefix.endswith("/") else prefix + "/")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return PAGE_ROLES[best] if best else None


# Reflex keeps a tab's state under a token in sessionStorage. When a session ends, the tab drops that
# token (and the student's ticket draft), so whoever signs in next in this tab starts from fresh state
# and is never sent the previous user's data on hydration.
FORGET_TAB_STATE = (
    "window.sessionStorage.removeItem('token');"
    " Object.keys(window.sessionStorage).filter(k => k.startsWith('soulroute.'))"
    ".forEach(k => window.sessionStorage.removeItem(k));"
)


def leave_for(url: str) -> rx.event.EventSpec:
    """Forget this tab's state, then load `url` afresh (used whenever a session has ended)."""
    return rx.call_script(f"{FORGET_TAB_STATE} window.location.assign({json.dumps(url)})")


def go_to(url: str) -> rx.event.EventSpec:
    """A full page load (not client-side routing): needed for the HTTP routes that set cookies, and
    so that the websocket reconnects with the new cookie."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


async def run_db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking database work off the event loop, so one slow query never stalls other tabs."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def current_session(token: str | None, *, touch: bool = True, fresh: bool = False) -> sessions.SignedIn | None:
    """The live session behind a cookie's token: from this process's cache when it was resolved a moment
    ago (auth/session_cache.py says when that is trusted), else, or when `fresh`, from the database."""
    cached = None if fresh else session_cache.lookup(token)
    if cached is not None:
        return cached
    try:
        current = await run_db(sessions.resolve, token, touch=touch)
    except Exception as exc:  # the database being down must not look like a signed-in user
        mapped = getattr(exc, "orig", None)
        raise Unavailable() from (mapped or exc)
    if current is not None and token:
        session_cache.store(token, current)
    elif token:
        session_cache.forget(token)  # ended by time (no NOTIFY announces that): not honoured from here on
    return current


class SessionState(rx.State):
    """Parent of every state that acts for a user."""

    # Display copies for the navigation. Never inputs to a decision.
    user_name: str = ""
    user_role: str = ""
    signed_in: bool = False
    _tab_recorded_until: float = 0.0  # wall clock (states move between workers with Redis)

    async def _signed_in(self, *, touch: bool = True) -> sessions.SignedIn | None:
        cookie = sessions.token_from_cookie_header(self.router.headers.cookie)
        current = await current_session(cookie, touch=touch)
        # So that ending this session deletes this tab's state (live/tabs.py): recorded once, then renewed
        # well inside the record's expiry, not on every click. A new session in this tab
        # empties the state first (state/boundary.py), so it is recorded again at once.
        if current is not None and time.time() >= self._tab_recorded_until:
            await tabs.remember(str(current.actor.id), self.router.session.client_token)
            self._tab_recorded_until = time.time() + tabs.renew_every()
        return current

    async def _actor(self, *roles: UserRole) -> Actor | None:
        """The signed-in user if they hold one of `roles` (any role when none given), else None."""
        current = await self._signed_in()
        self._show(current)
        if current is None or (roles and current.actor.role not in roles):
            return None
        return current.actor

    def _watch(self, actor: Actor, ticket_id: str | None = None, *, view: Hashable = None, seen: str = "") -> None:
        """Live updates: this tab shows this state's page (for `view`, as of snapshot `seen`); a change it
        concerns and does not show yet reaches it (state/listener.py)."""
        watcher = watchers.Watcher(actor.id, actor.role, type(self), ticket_id, view, seen)
        watchers.watch(self.router.session.client_token, watcher)

    def _show(self, current: sessions.SignedIn | None) -> None:
        self.signed_in = current is not None
        self.user_name = current.actor.display_name if current else ""
        self.user_role = current.actor.role.value if current else ""

    def _refused(self, exc: DomainError) -> rx.event.EventSpec:
        """What a handler answers when the domain refuses (or the database is out of reach): a toast. A page
        with a form of its own may say it next to the form instead."""
        return rx.toast.error(exc.message)

    def _to_sign_in(self) -> rx.event.EventSpec:
        path = self.router.url.path or "/"
        query = self.router.url.query
        here = path + (f"?{query}" if query else "")
        target = safe_next(here)
        return leave_for(f"/signin?next={quote(target)}" if target else "/signin")

    def _deny(self) -> rx.event.EventSpec:
        """After `_actor()` returned None: to sign-in when signed out (and back here afterwards),
        otherwise to the user's own home. Only picks the destination; nothing is granted here."""
        if not self.signed_in:
            return self._to_sign_in()
        return rx.redirect(home_for(UserRole(self.user_role)), replace=True)

    @rx.event
    async def guard(self):
        """on_load of every page: send away whoever may not be here."""
        allowed = roles_for(self.router.url.path or "/")
        try:
            current = await self._signed_in()
        except DomainError as exc:
            return rx.toast.error(exc.message)
        self._show(current)
        if allowed is None:
            return None
        if current is None:
            return self._to_sign_in()
        if current.actor.role not in allowed:
            return rx.redirect(home_for(current.actor.role), replace=True)
        return None

    @rx.event
    async def check_session(self):
        """Periodic check from the shell: a tab whose session ended elsewhere (sign-out in another tab,
        expiry, deactivation) goes to sign-in. Does not count as activity. The boundary (state/boundary.py) has
        just asked the database for this event (an end by time is announced by nothing else) and refreshed or
        dropped the cached session, so this reads what it found. (The tab's state may have been emptied first,
        so the page's path says whether a session is needed here.)"""
        try:
            current = await self._signed_in(touch=False)
        except DomainError:
            return None  # database briefly unreachable: try again at the next tick
        if current is None and roles_for(self.router.url.path or "/") is not None:
            return [rx.toast.info("Your session has ended. Please sign in again."), self._to_sign_in()]
        return None

    @rx.event
    def sign_out(self):
        """POST /auth/signout from the page: the route revokes the session and drops the cookie."""
        self._show(None)
        return rx.call_script(
            "fetch('/auth/signout', {method: 'POST', credentials: 'same-origin', redirect: 'manual'})"
            f".finally(() => {{ {FORGET_TAB_STATE} window.location.assign('/signin?signed_out=1'); }})"
        )
