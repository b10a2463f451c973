"""A raw Reflex websocket, as an attacker opens it: any tab token, any cookie (or none), any event."""

from __future__ import annotations

import json
import secrets
import time

import reflex as rx
import socketio

NAMESPACE = "/_event"


def hydrate_event() -> str:
    """The root state's `hydrate`: answers with the whole state tree of the token."""
    return f"{rx.State.get_full_name()}.hydrate"


class RawSocket:
    """Collects every frame the server sends; `send` emits one event with the given page path."""

    def __init__(self, app_url: str, *, token: str | None = None, cookie: str | None = None) -> None:
        self.token = token or secrets.token_hex(16)
        self.received: list[str] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", lambda data: self.received.append(json.dumps(data, default=str)), namespace=NAMESPACE)
        headers = {"Cookie": f"soulroute_session={cookie}"} if cookie else {}
        # websocket-client sends Origin itself (the app URL, an allowed origin).
        self.client.connect(
            f"{app_url}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            headers=headers,
        )

    def send(self, name: str, payload: dict | None = None, path: str = "/tickets") -> None:
        route = {"pathname": path, "query": {}, "asPath": path}
        self.client.emit("event", {"name": name, "payload": payload or {}, "router_data": route}, namespace=NAMESPACE)

    def wait_for(self, text: str, timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in r for r in self.received):
                return True
            time.sleep(0.1)
        return False

    def settle(self, quiet: float = 3, limit: float = 180) -> None:
        """Handlers run one at a time per tab: wait until the socket has been quiet for `quiet` seconds."""
        deadline, seen, quiet_since = time.monotonic() + limit, -1, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < quiet:
            if len(self.received) != seen:
                seen, quiet_since = len(self.received), time.monotonic()
            time.sleep(0.2)

    @property
    def text(self) -> str:
        return "\n".join(self.received)

    def close(self) -> None:
        self.client.disconnect()
