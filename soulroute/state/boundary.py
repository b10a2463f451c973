"""A tab's state belongs to the session that filled it, never to whoever presents its token later.

Reflex serves any state stored under a tab token to any socket that presents that token (it travels in
the websocket URL, so proxy logs hold it). This middleware runs before every event, under the tab's
state lock: it remembers a digest of the session cookie the state was filled under, and when the cookie
differs (none at all, another user's, a new sign-in) the whole state tree is reset to defaults before
the event runs. Hydration and the session checks also ask whether the session still lives (the database,
or this process's cache that an ended session's NOTIFY empties), so a state filled under a
session that has since ended (sign-out, expiry, deactivation, revocation) is emptied too: hydrating
without a live session yields only default state.
"""

from __future__ import annotations

import hashlib
import logging

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.event import Event

from soulroute.auth import sessions
from soulroute.live.tabs import wipe_tree
from soulroute.state.session import SessionState, current_session

log = logging.getLogger(__name__)


class TabOwner(rx.State):
    """Backend-only: the digest of the session cookie this tab's state was filled under."""

    _cookie_digest: str = ""


def _digest(cookie: str | None) -> str:
    return hashlib.sha256((cookie or "").encode()).hexdigest()


def _checked_events() -> frozenset[str]:
    """Events that re-check the session in the database before anything is sent (rare: per page load)."""
    root, session = rx.State.get_full_name(), SessionState.get_full_name()
    return frozenset({f"{root}.hydrate", f"{root}.hydrate_and_load", f"{session}.guard", f"{session}.check_session"})


class TabBoundary(Middleware):
    async def preprocess(self, app: rx.App, state: rx.State, event: Event) -> StateUpdate | None:
        cookie = sessions.token_from_cookie_header(state.router.headers.cookie)
        digest = _digest(cookie)
        owner = await state.get_state(TabOwner)
        ended = False
        if cookie and event.name in _checked_events():
            try:
                ended = await current_session(cookie, touch=False, fresh=True) is None
            except Exception:  # database unreachable: answer nothing rather than guess
                log.warning("session check failed; event %s refused", event.name.rsplit(".", 1)[-1][:80])
                return StateUpdate(events=Event.from_event_type([rx.toast.error("Service temporarily unavailable.")]))
        if ended or owner._cookie_digest != digest:
            # Also for a tab that looks fresh: with Redis, parts of a tree can outlive this marker.
            await wipe_tree(state._get_root_state())
            owner._cookie_digest = digest
        return None
