"""Sessions this process resolved a moment ago, so an event costs no database round trip to learn who
is acting.

An entry is trusted only while this process's listener holds its LISTEN connection: ending a session
(sign-out, revocation, deactivation) commits a NOTIFY that drops every entry of that user here at once
(`drop_user`). When the connection is lost, everything is dropped and nothing is cached until it is back,
since a NOTIFY may have been missed. Expiry by time is not announced, so an entry also lives at most
`TTL_SECONDS`: a session that idles out or reaches its absolute limit is honoured for at most that long.
Only successful resolutions are kept (keyed by the token's SHA-256, never the token itself)."""

from __future__ import annotations

import hashlib
import time

from soulroute.auth.sessions import SignedIn

TTL_SECONDS = 5.0
MAX_ENTRIES = 20_000

_entries: dict[bytes, tuple[float, SignedIn]] = {}
_trusted = False


def _key(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def lookup(token: str | None) -> SignedIn | None:
    """The cached live session behind `token`, or None (not cached, too old, or cache not trusted)."""
    if not token or not _trusted:
        return None
    entry = _entries.get(_key(token))
    if entry is None:
        return None
    if time.monotonic() >= entry[0]:
        _entries.pop(_key(token), None)
        return None
    return entry[1]


def store(token: str, signed_in: SignedIn) -> None:
    if not _trusted:
        return
    now = time.monotonic()
    if len(_entries) >= MAX_ENTRIES:
        for key in [k for k, (until, _) in _entries.items() if until <= now]:
            del _entries[key]
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
    _entries[_key(token)] = (now + TTL_SECONDS, signed_in)


def forget(token: str | None) -> None:
    """This session was just revoked by this process (sign-out): it is not honoured here even before
    the NOTIFY comes back."""
    if token:
        _entries.pop(_key(token), None)


def forget_all() -> None:
    _entries.clear()


def drop_user(user_id: str) -> None:
    """That user's sessions ended (the NOTIFY): forget every entry of theirs."""
    for key in [k for k, (_, s) in _entries.items() if str(s.actor.id) == user_id]:
        _entries.pop(key, None)


def set_trusted(trusted: bool) -> None:
    """The listener is (or is no longer) receiving session NOTIFYs."""
    global _trusted
    _trusted = trusted
    if not trusted:
        _entries.clear()
