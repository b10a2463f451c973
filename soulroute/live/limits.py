"""What one websocket may cost the server: events per second, and how much of a value reaches the log.

Anyone can open the app's websocket without signing in and send any event with any argument. The
message size is capped by Socket.IO (REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE, set in rxconfig.py); here:

- a token bucket per connection (EVENTS_PER_SECOND, burst EVENT_BURST): far above what a person does
  (typing sends one event per keystroke), excess events are dropped, with one warning per episode that
  names no value;
- every log record is cut to MAX_LOG_CHARS (message and traceback), whoever writes it (Reflex itself
  logs handler exceptions and frontend error reports with the values in them);
- handler exceptions are logged as their type, a short message and where they happened.
"""

import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

log = logging.getLogger(__name__)

EVENTS_PER_SECOND = 30.0
EVENT_BURST = 60.0
MAX_LOG_CHARS = 2000
MAX_MESSAGE_CHARS = 200


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… [{len(text) - limit} more characters cut]"


# --- rate limit ----------------------------------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float = EVENT_BURST
    stamp: float = field(default_factory=time.monotonic)
    dropping: bool = False

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(EVENT_BURST, self.tokens + (now - self.stamp) * EVENTS_PER_SECOND)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def install_event_rate_limit(app: rx.App) -> None:
    """Wrap the event namespace's `on_event` (Socket.IO looks handlers up by name on each message)."""
    namespace = app.event_namespace
    if namespace is None or getattr(namespace, "_soulroute_limited", False):
        return
    buckets: dict[str, _Bucket] = {}
    receive, disconnect = namespace.on_event, namespace.on_disconnect

    async def on_event(sid: str, data: Any) -> None:
        bucket = buckets.setdefault(sid, _Bucket())
        if not bucket.take():
            if not bucket.dropping:
                log.warning("connection %s sends events too fast; dropping them for now", str(sid)[:12])
                bucket.dropping = True
            return
        bucket.dropping = False
        await receive(sid, data)

    def on_disconnect(sid: str, *args: Any) -> Any:
        buckets.pop(sid, None)
        return disconnect(sid, *args)

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
            record.exc_text = clip("".join(traceback.format_exception(*record.exc_info)), limit)
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
