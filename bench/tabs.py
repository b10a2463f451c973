"""Browser tabs without a browser: Reflex's event websocket spoken over asyncio, hundreds per process.

A tab connects the way the compiled page does (Engine.IO 4 / Socket.IO 5 on `/_event/`, the tab token in the
query, the session cookie in the handshake, the hydrate event in the CONNECT packet), keeps a merged copy of
every delta it receives, and can wait until that copy satisfies a condition. python-socketio's own asyncio
client needs aiohttp, which is not installed; its thread-per-socket client does not scale to 200 tabs on two
cores, so the few lines of framing are written here on top of `websockets`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

NAMESPACE = "/_event"
HYDRATE = "reflex___state____state.hydrate_and_load"
FIELD = "_rx_state_"  # Reflex's suffix on every var name in a delta
ROOT = "reflex___state____state"

View = dict[str, dict[str, Any]]
Check = Callable[[View], bool]


def route(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """The router data a page sends with each event."""
    query = query or {}
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return {"pathname": path, "query": query, "asPath": path + (f"?{qs}" if qs else "")}


def value(view: View, state: str, var: str, default: Any = None) -> Any:
    return view.get(state, {}).get(var + FIELD, default)


def hydrated(view: View) -> bool:
    """Set once the page's on_load handlers have all run (or at once on a page without any)."""
    return value(view, ROOT, "is_hydrated") is True


class Tab:
    """One tab: `open()`, then `send()` events and `wait()` for what they change; `close()` at the end."""

    def __init__(self, url: str, path: str, query: dict[str, str] | None = None, cookie: str | None = None) -> None:
        self.url, self.cookie = url, cookie
        self.route = route(path, query)
        self.token = secrets.token_hex(16)
        self.view: View = {}
        self.expecting: list[str] = []  # text to look for in raw updates
        self.seen: dict[str, float] = {}  # it -> time.time() of its first arrival
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._waiter: tuple[Check, asyncio.Future] | None = None

    async def open(self, timeout: float = 60) -> None:
        """Connect and hydrate the page; returns once its on_load handlers have finished."""
        ws_url = self.url.replace("http", "ws", 1) + f"/_event/?EIO=4&transport=websocket&token={self.token}"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self._ws = await connect(ws_url, additional_headers=headers, origin=self.url, max_size=None,
                                 open_timeout=timeout, ping_interval=None)  # fmt: skip
        opened = await asyncio.wait_for(self._ws.recv(), timeout)
        if not str(opened).startswith("0"):
            raise ConnectionError(f"not an Engine.IO open packet: {opened!r}")
        boot = {"name": HYDRATE, "payload": {}, "router_data": self.route}
        await self._ws.send(f"40{NAMESPACE},{json.dumps({'event': boot})}")
        self._reader = asyncio.create_task(self._read())
        await self.wait(hydrated, timeout)

    async def send(self, name: str, payload: dict[str, Any] | None = None) -> None:
        event = {"name": name, "payload": payload or {}, "router_data": self.route}
        await self._ws.send(f"42{NAMESPACE},{json.dumps(['event', event])}")

    async def wait(self, check: Check, timeout: float) -> None:
        """Until the merged state satisfies `check` (TimeoutError after `timeout` seconds)."""
        if check(self.view):
            return
        future = asyncio.get_running_loop().create_future()
        self._waiter = (check, future)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self._waiter = None

    def expect(self, text: str) -> None:
        """Stamp the first update whose raw text contains `text` (into `self.seen`), instead of earlier texts."""
        self.seen.pop(text, None)
        self.expecting = [text]

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if message == "2":  # Engine.IO ping: answer, or the server drops the tab
                    await self._ws.send("3")
                elif message.startswith(f"42{NAMESPACE},"):
                    self._on_update(message)
                elif message.startswith(f"44{NAMESPACE}"):
                    raise ConnectionRefusedError(message)
            raise ConnectionError("the server closed the tab's websocket")
        except Exception as exc:  # a waiting caller hears of it at once instead of at its timeout
            if self._waiter and not self._waiter[1].done():
                self._waiter[1].set_exception(exc)

    def _on_update(self, message: str) -> None:
        now = time.time()
        for text in self.expecting:
            if text not in self.seen and text in message:
                self.seen[text] = now
        _, update = json.loads(message[len(NAMESPACE) + 3 :])
        for state, changes in (update.get("delta") or {}).items():
            self.view.setdefault(state, {}).update(changes)
        if self._waiter and not self._waiter[1].done() and self._waiter[0](self.view):
            self._waiter[1].set_result(None)

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self._ws:
            await self._ws.close()


async def open_all(tabs: list[Tab], timeout: float = 120, at_once: int = 20) -> None:
    """Open tabs `at_once` at a time (a page load burst, not a thundering herd of 200 handshakes)."""
    gate = asyncio.Semaphore(at_once)

    async def one(tab: Tab) -> None:
        async with gate:
            await tab.open(timeout)

    await asyncio.gather(*(one(t) for t in tabs))


async def close_all(tabs: list[Tab]) -> None:
    await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
