"""One LISTEN connection per backend process (a Reflex lifespan task). A ticket change refreshes the
pages of this process's tabs that it concerns; an ended session signs that user's tabs out at once.
The listener reconnects by itself after the database restarts, then refreshes every tab it serves,
since changes made meanwhile were not announced to it."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import psycopg
import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate
from reflex_base.event import Event

from soulroute.auth import session_cache, sessions
from soulroute.db.embedded import to_libpq
from soulroute.db.models import UserRole
from soulroute.db.urls import runtime_url
from soulroute.domain.kernel import with_snapshot
from soulroute.domain.rules import Actor
from soulroute.live import tabs, watchers
from soulroute.state.kernel import PartRead
from soulroute.state.notifications import NotificationsState
from soulroute.state.session import current_session, leave_for, run_db

log = logging.getLogger(__name__)
TICKETS, SESSIONS = "soulroute_tickets", "soulroute_sessions"
NOTIFICATIONS = "soulroute_notifications"  # a new notification: bell count and toast (on_notification)
_listening = [False]  # this process holds its LISTEN connection now


_app = tabs.running_app


@dataclass(frozen=True)
class Group:
    """Tabs that show the same thing: one page, one user, one view."""

    state_cls: type
    user_id: uuid.UUID
    role: UserRole
    view: Hashable


def _connected_here(app: rx.App) -> set[str]:
    namespace = app.event_namespace
    return set(namespace.token_to_sid) if namespace is not None else set()


async def _run_refresh(app: rx.App, token: str, state_cls: type) -> None:
    """Run the page state's own `refresh` handler for that tab, under the tab's state lock; the
    resulting delta goes to the tab (through Redis when another worker holds its socket)."""
    async with app.modify_state(BaseStateToken(ident=token, cls=state_cls)) as root:
        state = await root.get_state(state_cls)
        result = state_cls.event_handlers["refresh"].fn(state)
        events: list[Any] = []
        if inspect.isasyncgen(result):
            events = [e async for e in result if e is not None]
        elif inspect.iscoroutine(result):
            events = [await result]
    follow_up = [e for e in events if e is not None]
    if follow_up:  # e.g. the session ended meanwhile: the handler asked for a redirect
        await app.event_namespace.emit_update(StateUpdate(events=Event.from_event_type(follow_up)), token)


async def _show(app: rx.App, token: str, group: Group, read: tuple[Any, str], change: dict[str, Any] | None) -> None:
    """Show what was read for the group in one of its tabs, under the tab's lock: unless the tab shows the
    change already or something newer (its own action reloaded it meanwhile), and only if it is still
    signed in as the group's user (else its own `refresh` runs, and sends it away)."""
    data, seen = read
    async with app.modify_state(BaseStateToken(ident=token, cls=group.state_cls)) as root:
        state = await root.get_state(group.state_cls)
        shown = watchers.current_of(token)
        if (
            shown is not None
            and shown.seen
            and ((change and watchers.shows(shown.seen, change.get("txid"))) or not watchers.newer(seen, shown.seen))
        ):
            return
        cookie = sessions.token_from_cookie_header(state.router.headers.cookie)
        current = await current_session(cookie, touch=False)
        if current is not None and current.actor.id == group.user_id:
            state._live_show(current.actor, data)
            kept = shown.seen if isinstance(data, PartRead) and shown is not None else seen
            state._watch(current.actor, state._live_ticket(group.view), view=group.view, seen=kept)
            return
    await _run_refresh(app, token, group.state_cls)


async def _deliver(app: rx.App, group: Group, tokens: list[str], change: dict[str, Any] | None) -> None:
    """One read for the group (its user and view, under row-level security), shown in all its tabs at once.
    Pages that do not read this way re-run their own `refresh` in each tab."""
    if not hasattr(group.state_cls, "_live_read"):
        await asyncio.gather(*(_guarded_tab(_run_refresh(app, t, group.state_cls)) for t in tokens))
        return
    reader = Actor(group.user_id, group.role, "")
    read = await run_db(with_snapshot, group.state_cls._live_read_for, reader, group.view, change)
    await asyncio.gather(*(_guarded_tab(_show(app, t, group, read, change)) for t in tokens))


async def _guarded_tab(work: Any) -> None:
    try:
        await work
    except Exception:  # one tab's failure must not stop the others
        log.exception("live refresh failed for one tab")


async def _refresh(tokens: dict[str, watchers.Watcher], change: dict[str, Any] | None = None) -> None:
    """Bring these tabs up to date: the concerned users decided once, one read per user and view,
    everything at once. A tab whose data already includes the change (read after it committed) is skipped."""
    app = _app()
    here = _connected_here(app)
    for gone in set(tokens) - here:
        watchers.forget(gone)
    groups: dict[Group, list[str]] = defaultdict(list)
    for token, w in tokens.items():
        if token in here and not (change and watchers.shows(w.seen, change.get("txid"))):
            groups[Group(w.state_cls, w.user_id, w.role, w.view)].append(token)
    work = (_deliver(app, g, t, change) for g, t in groups.items())
    results = await asyncio.gather(*work, return_exceptions=True)
    for failure in (r for r in results if isinstance(r, BaseException)):
        log.error("live refresh failed for one page: %s", type(failure).__name__)


async def on_ticket_change(change: dict[str, Any]) -> None:
    concerned = {t: w for t, w in watchers.current().items() if watchers.concerned(w, change)}
    await _refresh(concerned, change)


async def on_session_ended(user_id: str) -> None:
    """Every tab of that user goes to sign-in now, and every state stored for that user's tabs is deleted
    (the revocation itself is already in the database). Every worker gets the NOTIFY: each redirects the
    tabs whose sockets it holds; the stored states are deleted by whichever worker takes the user's
    tokens first (live/tabs.py)."""
    session_cache.drop_user(user_id)
    app = _app()
    here = _connected_here(app)
    for token, watcher in watchers.current().items():
        if str(watcher.user_id) != user_id or token not in here:
            continue
        watchers.forget(token)
        try:
            redirect = leave_for("/signin")
            await app.event_namespace.emit_update(StateUpdate(events=Event.from_event_type([redirect])), token)
        except Exception:
            log.exception("could not sign out one tab")
    await tabs.forget_user(user_id)


def _notification_ids(payload: dict[str, Any]) -> tuple[str, int] | None:
    try:
        return str(uuid.UUID(str(payload["user_id"]))), int(payload["notification_id"])
    except (KeyError, TypeError, ValueError):
        return None


async def on_notification(app: rx.App, payload: dict[str, Any]) -> None:
    """A new notification (ids only, at commit): every tab of that user on this process re-reads its bell
    through RLS as whoever the tab's cookie says is signed in, and gets a toast with the text read the same
    way. Nothing from the payload is shown as such."""
    parsed = _notification_ids(payload)
    if parsed is None or app.event_namespace is None:
        return
    user_id, notification_id = parsed

    async def one(token: str) -> None:
        async with app.modify_state(BaseStateToken(ident=token, cls=NotificationsState)) as root:
            state = await root.get_state(NotificationsState)
            toast = await state._on_push(notification_id)
        if toast is not None:
            await app.event_namespace.emit_update(StateUpdate(events=Event.from_event_type([toast])), token)

    tabs_of_user = watchers.bell_tabs_of(user_id, _connected_here(app))
    await asyncio.gather(*(_guarded_tab(one(t)) for t in tabs_of_user))


async def _resync_bells(app: rx.App) -> None:
    """After a reconnect: notifications made meanwhile were not announced here, so every bell re-reads."""

    async def one(token: str) -> None:
        async with app.modify_state(BaseStateToken(ident=token, cls=NotificationsState)) as root:
            await (await root.get_state(NotificationsState))._resync()

    await asyncio.gather(*(_guarded_tab(one(t)) for t in watchers.bell_tabs(_connected_here(app))))


async def _dispatch(channel: str, payload: str) -> None:
    data = json.loads(payload)
    if channel == TICKETS:
        await on_ticket_change(data)
    elif channel == SESSIONS:
        await on_session_ended(str(data.get("user_id")))
    elif channel == NOTIFICATIONS:
        await on_notification(_app(), data)


def is_listening() -> bool:
    return _listening[0]


_running: set[asyncio.Task] = set()


async def _guarded(channel: str, payload: str) -> None:
    try:
        await _dispatch(channel, payload)
    except Exception:
        log.exception("live update dispatch failed")


def _handle(channel: str, payload: str) -> None:
    """Each notification is handled in its own task, so a slow refresh never holds up the next one. An
    ended session is taken out of the session cache here, before anything else can run."""
    if channel == SESSIONS:
        try:
            session_cache.drop_user(str(json.loads(payload).get("user_id")))
        except (ValueError, AttributeError):
            session_cache.forget_all()  # cannot tell whose: forget everyone's
    task = asyncio.create_task(_guarded(channel, payload))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def listen_forever(app: rx.App) -> None:
    """The lifespan task: LISTEN, dispatch, and reconnect with backoff whenever the connection drops.
    Reflex passes the running app to a lifespan task with a parameter named `app`."""
    tabs.bind_app(app)
    delay = 0.5
    first = True
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                to_libpq(runtime_url()), autocommit=True, keepalives=1, keepalives_idle=10
            ) as conn:
                await conn.execute(f"listen {TICKETS}")
                await conn.execute(f"listen {SESSIONS}")
                await conn.execute(f"listen {NOTIFICATIONS}")
                _listening[0] = True
                session_cache.set_trusted(True)
                delay = 0.5
                if not first:
                    log.info("live updates: listening again; refreshing every tab")
                    await asyncio.gather(_refresh(watchers.current()), _resync_bells(app))
                first = False
                async for notice in conn.notifies():
                    _handle(notice.channel, notice.payload)
        except asyncio.CancelledError:
            session_cache.set_trusted(False)
            _listening[0] = False
            raise
        except Exception as exc:  # database down or restarting: try again shortly
            session_cache.set_trusted(False)
            _listening[0] = False
            log.warning("live updates: listener lost its connection (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
