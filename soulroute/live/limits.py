"""What one websocket may cost the server: events per second, and how much of a value reaches the log.

Anyone can open the app's websocket without signing in and send any event with any argument. The
message size is capped by Socket.IO (REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE, set in rxconfig.py); here:

- a token bucket per connection: with a live session 30 events/s (bursts of 60), far above what a person
  does (typing sends one event per keystroke); without one 5/s (bursts of 15) and events of at most
  16 kB (the sign-in pages need a few small ones). Excess events are dropped, with at most one warning
  per connection and minute that names no value;
- every log record is cut to MAX_LOG_CHARS (its traceback to MAX_TRACEBACK_CHARS), whoever writes it
  (Reflex itself logs failed argument conversions and handler exceptions with the values in them);
- handler exceptions are logged as their type, a short message and where they happened.
"""

import asyncio
import json
import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

log = logging.getLogger(__name__)

MAX_LOG_CHARS = 500
MAX_TRACEBACK_CHARS = 4000
MAX_MESSAGE_CHARS = 200


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… [{len(text) - limit} more characters cut]"


# --- rate limit ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    per_second: float
    burst: float
    max_event_bytes: int | None  # None: only the transport's own cap


# A person types about 10 characters a second (one event each); pages send a few events per load.
SIGNED_IN = Budget(per_second=30.0, burst=60.0, max_event_bytes=None)
# No live session at connect time: the sign-in and sign-up pages need a handful of small events.
ANONYMOUS = Budget(per_second=5.0, burst=15.0, max_event_bytes=16_384)
WARN_EVERY_S = 60.0


@dataclass
class _Bucket:
    budget: Budget
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)
    warned_at: float = float("-inf")

    def __post_init__(self) -> None:
        self.tokens = self.budget.burst

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.budget.burst, self.tokens + (now - self.stamp) * self.budget.per_second)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def warn(self, sid: str, why: str) -> None:
        """At most one line per connection and minute, naming no value."""
        now = time.monotonic()
        if now - self.warned_at >= WARN_EVERY_S:
            self.warned_at = now
            log.warning("connection %s %s; dropping such events", str(sid)[:12], why)


async def _budget(namespace: Any, sid: str) -> Budget:
    """SIGNED_IN when the socket's handshake carried the cookie of a live session (looked up once)."""
    from soulroute.auth import sessions

    static = getattr(namespace, "_static_router_data", {}).get(sid) or {}
    cookie = sessions.token_from_cookie_header((static.get("headers") or {}).get("cookie"))
    if not cookie:
        return ANONYMOUS
    try:
        live = await asyncio.to_thread(sessions.resolve, cookie, touch=False)
    except Exception:  # database unreachable: nothing can be done without it anyway
        return ANONYMOUS
    return SIGNED_IN if live is not None else ANONYMOUS


def _too_big(data: Any, limit: int | None) -> bool:
    if limit is None:
        return False
    try:
        return len(json.dumps(data, default=str)) > limit
    except (TypeError, ValueError):
        return True


def install_event_rate_limit(app: rx.App) -> None:
    """Wrap the event namespace's `on_event` (Socket.IO looks handlers up by name on each message)."""
    namespace = app.event_namespace
    if namespace is None or getattr(namespace, "_soulroute_limited", False):
        return
    buckets: dict[str, _Bucket] = {}
    receive, disconnect = namespace.on_event, namespace.on_disconnect

    async def on_event(sid: str, data: Any) -> None:
        bucket = buckets.get(sid)
        if bucket is None:
            bucket = buckets[sid] = _Bucket(await _budget(namespace, sid))
        if not bucket.take():
            bucket.warn(sid, "sends events too fast")
            return
        if _too_big(data, bucket.budget.max_event_bytes):
            bucket.warn(sid, "sent an oversized event without a session")
            return
        await receive(sid, data)

    def on_disconnect(sid: str, *_reason: Any) -> Any:  # Reflex's own handler takes the sid only
        buckets.pop(sid, None)
        return disconnect(sid)

    namespace.on_event = on_event
    namespace.on_disconnect = on_disconnect
    namespace._soulroute_limited = True


# --- logs -------------------------------------------------------------------------------------------------


def install_log_truncation(limit: int = MAX_LOG_CHARS) -> None:
    """Every log record of this process is cut to `limit` characters (message, and traceback apart)."""
    make = logging.getLogRecordFactory()
    if getattr(make, "_soulroute_clipped", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the record as it is
            return record
        if len(message) > limit:
            record.msg, record.args = clip(message, limit), None
        if record.exc_info and not record.exc_text:
            record.exc_text = clip("".join(traceback.format_exception(*record.exc_info)), MAX_TRACEBACK_CHARS)
        return record

    factory._soulroute_clipped = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return " <- ".join(f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in reversed(frames))


# Reflex checks these two signatures by name and annotation (no `from __future__ import annotations` here).
def backend_exception_handler(exception: Exception) -> EventSpec:
    """A handler raised: log its type, the start of its message and where; tell the user nothing more."""
    log.error("event handler failed: %s: %s at %s", type(exception).__name__, clip(str(exception)), _where(exception))
    return rx.toast.error("Something went wrong. Please try again.", id="backend_error")


def frontend_exception_handler(exception: Exception) -> None:
    """A browser reported an error (any client can send any text here): log only its start."""
    log.warning("a browser reported an error: %s", clip(str(exception)))
