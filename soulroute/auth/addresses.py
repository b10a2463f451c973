"""The address a request comes from, for the per-address sign-in limit.

Behind a reverse proxy every socket comes from the proxy, so the limit would lock everyone out at
once. X-Forwarded-For is believed only when the socket peer is one of TRUSTED_PROXIES, and then only
up to the first address from the right that is not itself a trusted proxy: everything left of it
was written by the client and may be forged.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_FORWARDED_ENTRIES = 32


@lru_cache(maxsize=16)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """TRUSTED_PROXIES ("10.0.0.1, 192.168.0.0/16, ::1") as networks; a bad entry is an error."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("["):  # [v6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: str) -> str | None:
    """The client's address: the socket peer, unless that peer is a trusted proxy; then the right-most
    X-Forwarded-For entry that is not a trusted proxy (or the left-most, when all of them are)."""
    networks = parse_networks(trusted_proxies)
    peer_ip = _parse_ip(peer or "")
    if not networks or not _trusted(peer_ip, networks) or not forwarded_for:
        return str(peer_ip) if peer_ip else (peer or None)
    entries = [e for e in forwarded_for.split(",") if e.strip()][-MAX_FORWARDED_ENTRIES:]
    chosen = peer_ip
    for entry in reversed(entries):
        address = _parse_ip(entry)
        if address is None:  # a trusted proxy would not write this: stop at the last good address
            break
        chosen = address
        if not _trusted(address, networks):
            break
    return str(chosen)
