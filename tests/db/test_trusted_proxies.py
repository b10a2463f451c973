"""TRUSTED_PROXIES: which address the per-address sign-in limit counts (soulroute/auth/addresses.py)."""

from __future__ import annotations

import pytest

from soulroute.auth import accounts
from soulroute.auth.addresses import client_address
from soulroute.config import get_settings

PROXIES = "10.0.0.1, 192.168.0.0/16, fd00::/8"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # No trusted proxies (the default): the socket peer, whatever the client claims.
        ("198.51.100.7", "203.0.113.5", "", "198.51.100.7"),
        # An untrusted peer's X-Forwarded-For is ignored.
        ("198.51.100.7", "203.0.113.5", PROXIES, "198.51.100.7"),
        # Through one trusted proxy: the address it saw.
        ("10.0.0.1", "203.0.113.5", PROXIES, "203.0.113.5"),
        # A forged entry on the left is skipped: the right-most untrusted address is the client.
        ("10.0.0.1", "1.2.3.4, 203.0.113.5", PROXIES, "203.0.113.5"),
        # Two trusted hops (CIDR), spaces and a port as nginx may write them.
        ("192.168.4.4", "1.2.3.4, 203.0.113.5:51234, 10.0.0.1", PROXIES, "203.0.113.5"),
        # IPv6 peer and client, bracketed with a port.
        ("fd00::2", "[2001:db8::7]:443", PROXIES, "2001:db8::7"),
        # Every entry is a trusted proxy: the left-most one.
        ("10.0.0.1", "192.168.1.1, 10.0.0.1", PROXIES, "192.168.1.1"),
        # Garbage right next to the proxy: stop at the last address that parsed (the proxy itself).
        ("10.0.0.1", "203.0.113.5, not-an-ip", PROXIES, "10.0.0.1"),
        # A trusted proxy that sent no header: the proxy.
        ("10.0.0.1", None, PROXIES, "10.0.0.1"),
        ("10.0.0.1", "", PROXIES, "10.0.0.1"),
        # No peer at all.
        (None, "203.0.113.5", PROXIES, None),
    ],
)
def test_client_address(peer, forwarded, trusted, expected):
    assert client_address(peer, forwarded, trusted) == expected


def test_a_bad_trusted_proxies_entry_stops_the_start(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, proxy.example")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError, match="proxy.example"):
            get_settings()
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        get_settings.cache_clear()


def _fail_until_locked(address: str | None) -> None:
    for i in range(accounts.IP_MAX_FAILURES):
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(f"guess{i}@university.example", "wrong password", address)


def _is_locked(address: str | None) -> bool:
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.authenticate("someone-new@university.example", "wrong password", address)
    return "Too many failed sign-ins" in refused.value.message


def test_users_behind_a_trusted_proxy_are_throttled_separately():
    _fail_until_locked(client_address("10.0.0.1", "203.0.113.5", PROXIES))
    assert _is_locked(client_address("10.0.0.1", "203.0.113.5", PROXIES))
    assert not _is_locked(client_address("10.0.0.1", "203.0.113.6", PROXIES))  # the next user behind it


def test_an_untrusted_peer_cannot_dodge_the_limit_with_forwarded_for():
    for i in range(accounts.IP_MAX_FAILURES):
        address = client_address("198.51.100.7", f"203.0.113.{i}", PROXIES)
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(f"guess{i}@university.example", "wrong password", address)
    assert _is_locked(client_address("198.51.100.7", "203.0.113.250", PROXIES))
