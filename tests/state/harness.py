"""The app's real event path in this process, without a browser or a socket.

`Backend` runs Reflex's own event processor with the app's middleware (TabBoundary), the app's state
classes and state manager, the live listener, and the real database. In place of the websocket it has
a `Wire`: Reflex's own EventNamespace (so connecting, the router data and event decoding are Reflex's
code) whose outgoing side records what would have been sent to each tab.

A `Tab` is what one browser tab looks like to the backend: a token, the cookies of its handshake, the
page it is on. It can send any event with any payload, in any order, as a forged client could."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from reflex.app import EventNamespace
from reflex.state import StateUpdate
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from soulroute.auth import sessions
from soulroute.domain.rules import Actor
from soulroute.live import tabs
from soulroute.soulroute import app
from soulroute.state import listener

WAIT = 30.0  # seconds an event chain may take before the test fails with where it stood
_sids = itertools.count(1)
TOAST = re.compile(r"""__toast'\]\?\.\["(\w+)"\]\(("(?:[^"\\]|\\.)*")""")
ASSIGN = re.compile(r"window\.location\.assign\((\"(?:[^\"\\]|\\.)*\")\)")


def app_states() -> list[type[rx.State]]:
    """Every state class of the app (the tree below Reflex's root that this project defines)."""
    found, todo = [], [rx.State]
    while todo:
        state = todo.pop()
        todo.extend(state.get_substates())
        if state.__module__.startswith("soulroute"):
            found.append(state)
    return found


def session_cookie(actor: Actor) -> str:
    """A Cookie header carrying a live session for `actor` (signed in as the sign-in routes do)."""
    nonce = secrets.token_urlsafe(16)
    token = sessions.claim_handoff(sessions.begin_session(actor.id, nonce), nonce)
    assert token, "could not open a session"
    return f"{sessions.COOKIE_NAME}={token}"


class Wire(EventNamespace):
    """Reflex's event namespace with the socket taken out: what it sends is recorded per tab token."""

    def __init__(self) -> None:
        super().__init__("/_event", app)
        self.sent: dict[str, list[StateUpdate]] = defaultdict(list)
        self.arrived = asyncio.Condition()

    async def emit_update(self, update: StateUpdate, token: str) -> None:  # type: ignore[override]
        async with self.arrived:
            self.sent[token].append(update)
            self.arrived.notify_all()

    async def emit(self, *args: Any, **kwargs: Any) -> None:  # e.g. a state-schema mismatch notice
        return None


class Processor(BaseStateEventProcessor):
    """Reflex's processor, keeping each enqueued event's future so a tab can wait for its whole chain."""

    def __init__(self) -> None:
        super().__init__(middleware=app, backend_exception_handler=app.backend_exception_handler)
        self.futures: dict[str, list[Any]] = defaultdict(list)

    async def enqueue(self, token: str, event: Event, ev_ctx: Any = None) -> Any:  # type: ignore[override]
        future = await super().enqueue(token, event, ev_ctx)
        self.futures[token].append(future)
        return future


@dataclass
class Reply:
    """What the backend sent a tab in answer to one event (and the events it chained)."""

    updates: list[StateUpdate] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)  # handlers that raised (the client got a toast)

    @property
    def delta(self) -> dict[str, dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = defaultdict(dict)
        for update in self.updates:
            for state, values in (update.delta or {}).items():
                merged[state].update(values)
        return dict(merged)

    @property
    def events(self) -> list[Event]:
        return [e for u in self.updates for e in (u.events or [])]

    def toasts(self) -> list[tuple[str, str]]:
        """(kind, text) of every toast shown: ("error", "That ticket is not on your board.")."""
        found = []
        for e in self.events:
            match = TOAST.search(str(e.payload.get("function", ""))) if e.name == "_call_function" else None
            if match:
                found.append((match[1], json.loads(match[2])))
        return found

    def redirect(self) -> str | None:
        """Where the tab was sent (a router redirect, or a full page load by script), if anywhere."""
        for e in self.events:
            if e.name == "_redirect":
                return str(e.payload["path"])
            match = ASSIGN.search(str(e.payload.get("javascript_code", ""))) if e.name == "_call_script" else None
            if match:
                return json.loads(match[1])
        return None

    def scripts(self) -> str:
        return "\n".join(str(e.payload.get("javascript_code", "")) for e in self.events if e.name == "_call_script")

    def sent_values(self) -> str:
        """Everything sent, as text: for asserting that something never reached the tab."""
        return repr(self.delta) + repr([e.payload for e in self.events])


class Tab:
    def __init__(self, backend: Backend, cookie: str | None, path: str) -> None:
        self.backend, self.cookie, self.path = backend, cookie, path
        self.token = str(uuid.uuid4())
        self.sid = f"sid-{next(_sids)}"

    async def connect(self) -> Reply:
        """The socket handshake (with this tab's cookie), then the page's hydrate and on_load events."""
        headers = [(b"cookie", self.cookie.encode())] if self.cookie else []
        environ = {
            "QUERY_STRING": f"token={self.token}",
            "asgi.scope": {"headers": headers, "client": ("10.0.0.9", 40000)},
        }
        await self.backend.wire.on_connect(self.sid, environ)
        return await self.send(f"{rx.State.get_full_name()}.hydrate_and_load")

    async def close(self) -> None:
        """The tab's socket goes away (the state stays stored under its token, as Reflex keeps it)."""
        task = self.backend.wire.on_disconnect(self.sid)
        if task is not None:
            await task

    async def send(self, handler: Any, /, **payload: Any) -> Reply:
        """Send one event as the browser would (any name, any payload) and wait for its whole chain."""
        name = handler if isinstance(handler, str) else f"{handler.state.get_full_name()}.{handler.fn.__name__}"
        path, _, query = self.path.partition("?")
        router = {
            "pathname": path,
            "asPath": self.path,
            "query": dict(q.split("=", 1) for q in query.split("&") if "=" in q),
        }
        wire, processor = self.backend.wire, self.backend.processor
        before = len(wire.sent[self.token])
        start = len(processor.futures[self.token])
        await wire.on_event(self.sid, {"name": name, "payload": payload, "router_data": router})
        errors = await asyncio.wait_for(self._settle(start), WAIT)
        return Reply(list(wire.sent[self.token][before:]), errors)

    async def _settle(self, start: int) -> list[BaseException]:
        futures, errors = self.backend.processor.futures[self.token], []
        done = start
        while done < len(futures):  # chained events append more futures while we wait
            try:
                await futures[done].wait_all()
            except Exception as exc:  # the app's backend exception handler has answered the tab already
                errors.append(exc)
            done += 1
        return errors

    async def state(self, cls: type[rx.State]) -> rx.State:
        """This tab's instance of `cls` as the backend holds it now (for reading, in the test)."""
        root = await app.state_manager.get_state(rx.BaseStateToken(ident=self.token, cls=cls))
        return await root.get_state(cls)

    def received(self, check: Any, timeout: float = WAIT) -> Any:
        """Awaitable: until what is pushed to this tab from now on (without it asking) satisfies
        `check(reply)`. "Now" is this call, not the await, so it can be set up before the push."""
        wire = self.backend.wire
        start = len(wire.sent[self.token])

        async def arrived() -> Reply:
            async with wire.arrived:
                while not check(reply := Reply(list(wire.sent[self.token][start:]))):
                    await wire.arrived.wait()
                return reply

        return asyncio.wait_for(arrived(), timeout)


class Backend:
    """One backend process's event path, started for a test and stopped after it."""

    async def __aenter__(self) -> Backend:
        self.wire = Wire()
        self.processor = Processor()
        self.processor.configure(state_manager=app.state_manager, event_namespace=self.wire)
        self._saved = app._event_processor, app._event_namespace
        app._event_processor, app._event_namespace = self.processor, self.wire
        await self.processor.start()
        self.listening = asyncio.create_task(listener.listen_forever(app))
        await asyncio.wait_for(self._listening(), WAIT)
        return self

    @staticmethod
    async def _listening() -> None:
        while not listener.is_listening():
            await asyncio.sleep(0.01)  # polling a condition (the LISTEN connection), not a fixed wait

    async def __aexit__(self, *exc: Any) -> None:
        self.listening.cancel()
        await asyncio.gather(self.listening, return_exceptions=True)
        await self.processor.stop()
        app._event_processor, app._event_namespace = self._saved
        tabs.bind_app(app)

    async def tab(self, path: str, actor: Actor | None = None, *, cookie: str | None = None) -> tuple[Tab, Reply]:
        """A new tab on `path`, signed in as `actor` (or with the raw `cookie` given), connected and loaded."""
        tab = Tab(self, cookie if cookie is not None else (session_cookie(actor) if actor else None), path)
        return tab, await tab.connect()
