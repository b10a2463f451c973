"""Live delivery of new notifications to the recipient's open tabs on this backend process.

The database announces each new notification on the channel 'soulroute_notifications' with ids only
({"user_id", "notification_id"}, at commit); the process's listener (soulroute/live/listener.py) hands
it here. For every tab of that user connected to this process, the tab's NotificationsState re-reads
the count (and list) through RLS as whoever the tab's cookie says is signed in, and the tab gets a toast
with the text read the same way. Nothing from the payload is shown as such.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate
from reflex_base.event import Event

from soulroute.live import watchers

log = logging.getLogger(__name__)

# Tabs whose shell showed the bell (every signed-in page), token → user id. A routing cache like
# live/watchers.py: pages without a live watcher (e.g. /notifications) still get pushes.
_tabs: dict[str, uuid.UUID] = {}


def register_tab(token: str, user_id: uuid.UUID) -> None:
    if token:
        _tabs[token] = user_id


def forget_tab(token: str) -> None:
    _tabs.pop(token, None)


def tabs_of(user_id: str) -> set[str]:
    tokens = {t for t, u in _tabs.items() if str(u) == user_id}
    return tokens | {t for t, w in watchers.current().items() if str(w.user_id) == user_id}


def _parse(payload: dict[str, Any]) -> tuple[str, int] | None:
    try:
        return str(uuid.UUID(str(payload["user_id"]))), int(payload["notification_id"])
    except (KeyError, TypeError, ValueError):
        return None


async def on_notification(app: rx.App, payload: dict[str, Any]) -> None:
    from soulroute.state.notifications import NotificationsState  # late: that module imports this one

    parsed = _parse(payload)
    if parsed is None or app.event_namespace is None:
        return
    user_id, notification_id = parsed
    connected = set(app.event_namespace.token_to_sid)
    for gone in set(_tabs) - connected:  # closed tabs: keep the map to this process's live sockets
        forget_tab(gone)
    for token in tabs_of(user_id) & connected:
        try:
            async with app.modify_state(BaseStateToken(ident=token, cls=NotificationsState)) as root:
                state = await root.get_state(NotificationsState)
                toast = await state._on_push(notification_id)
            if toast is not None:
                await app.event_namespace.emit_update(StateUpdate(events=Event.from_event_type([toast])), token)
        except Exception:  # one tab's failure must not stop the others
            log.exception("notification push failed for one tab")
