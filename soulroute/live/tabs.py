"""The tab states Reflex keeps for a user, and how they are emptied when that user's session ends.

Reflex stores each browser tab's state under the tab's token (in this process's memory, or in Redis
shared by every worker) until it expires. The token sits in sessionStorage and in the websocket URL, so
it must not unlock anything once the session behind it is over: the whole state tree of a token is
reset to defaults whenever its cookie changes (soulroute/state/boundary.py), and deleted outright for
every tab of a user whose session ended (the session-ended NOTIFY, soulroute/state/listener.py).

Which tokens belong to which user is kept next to the states: a Redis set per user (so the worker that
handles the NOTIFY finds tabs served by any worker), or a dict in this process's memory.
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx
from reflex.istate.manager.token import BaseStateToken

log = logging.getLogger(__name__)
_KEY = "soulroute:tabs:{}"
_local: dict[str, set[str]] = {}
_running: list[rx.App] = []  # set once per process by the listener's lifespan task (Reflex hands it the app)


def bind_app(app: rx.App) -> None:
    """Called at start-up with the running app, so nothing here imports the app module (no cycle)."""
    _running[:] = [app]


def running_app() -> rx.App:
    if not _running:
        raise RuntimeError("the live registry has no app yet: the listener's lifespan task binds it at start-up")
    return _running[0]


def _redis(app: rx.App) -> Any | None:
    """The Redis client of the state manager, or None when states live in this process's memory."""
    return getattr(app.state_manager, "redis", None)


def _expiry(app: rx.App) -> int:
    return int(getattr(app.state_manager, "token_expiration", 3600))


def renew_every() -> float:
    """How often a tab renews its record: every minute, or a third of the record's life if that is shorter."""
    return min(60.0, _expiry(running_app()) / 3)


async def remember(user_id: str, token: str) -> None:
    """Record that `token` (a tab) shows pages for `user_id`; kept as long as a tab state lives."""
    if not token:
        return
    app = running_app()
    redis = _redis(app)
    if redis is None:  # forget tabs whose state has expired meanwhile (memory keys states by token)
        alive = getattr(app.state_manager, "states", {})
        _local[user_id] = {t for t in _local.get(user_id, ()) if t in alive} | {token}
        return
    key = _KEY.format(user_id)
    pipe = redis.pipeline(transaction=False)
    pipe.sadd(key, token)
    pipe.expire(key, _expiry(app))
    await pipe.execute()


async def _take(app: rx.App, user_id: str) -> set[str]:
    """The user's tokens, removed from the map atomically (one worker empties them, the others find none)."""
    redis = _redis(app)
    if redis is None:
        return _local.pop(user_id, set())
    key = _KEY.format(user_id)
    pipe = redis.pipeline(transaction=True)
    pipe.smembers(key)
    pipe.delete(key)
    members, _ = await pipe.execute()
    return {m.decode() if isinstance(m, bytes) else str(m) for m in members}


def _all_state_classes() -> list[type[rx.State]]:
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


async def wipe_tree(root: rx.State) -> None:
    """Reset every state of this tab to its defaults (under the tab's lock, which the caller holds).

    With Redis only part of the tree is loaded for an event: load every branch first, so that no
    substate keeps a previous user's data in Redis."""
    for cls in rx.State.get_substates():
        await root.get_state(cls)
    root.reset()


async def forget_tab(app: rx.App, token: str) -> None:
    """Empty one tab's state, then delete what the state manager stores for it."""
    state_token = BaseStateToken(ident=token, cls=rx.State)
    manager = app.state_manager
    async with manager.modify_state(state_token) as root:
        await wipe_tree(root)
    redis = _redis(app)
    if redis is not None:
        await redis.delete(*(state_token._state_key(cls) for cls in _all_state_classes()))
    elif hasattr(manager, "_purge_token"):  # memory: drop the (now empty) entry and its lock
        manager._purge_token(state_token)


async def forget_user(user_id: str) -> int:
    """Delete the stored state of every tab `user_id` had (on this process or, with Redis, any worker)."""
    app = running_app()
    tokens = await _take(app, user_id)
    for token in tokens:
        try:
            await forget_tab(app, token)
        except Exception:  # one tab's failure must not keep the others' data
            log.exception("could not delete one tab's state")
    return len(tokens)
