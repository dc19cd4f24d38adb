"""The address of the client behind a request: `REMOTE_ADDR`, or what `X-Forwarded-For` says, but
only as far as trusted proxies (PORTAL_TRUSTED_PROXIES) vouch for it.

A client can write anything into `X-Forwarded-For`; a proxy appends the address it was connected
from. So the list is read from the right: each entry added by a trusted proxy names the hop before
it, and the first address that is not a trusted proxy is the client. Entries left of it are the
client's own words and are ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_FORWARDED_HOPS = 20  # a longer chain is read no further than this from the right


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """`10.0.0.5, 172.28.0.0/16, fd00::/8` → the networks; a word that is neither an address nor a
    CIDR network stops the process at start rather than trusting something unintended."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"PORTAL_TRUSTED_PROXIES: {item!r} is neither an IP address nor a network "
                             "such as 172.28.0.0/16") from None
    return tuple(networks)


def client_address(environ: Mapping[str, Any], trusted: tuple[Network, ...]) -> str:
    """The client's address as text (canonical form; an IPv4-mapped IPv6 address as IPv4)."""
    remote = str(environ.get("REMOTE_ADDR") or "")
    peer = _address(remote)
    if peer is None:
        return remote or "unknown"
    if not _is_trusted(peer, trusted):
        return str(peer)
    hops = [hop.strip() for hop in str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    for hop in reversed([hop for hop in hops if hop][-MAX_FORWARDED_HOPS:]):
        address = _address(hop)
        if address is None:
            # A trusted proxy wrote something that is no address: the hop it came from is unknown,
            # so the last proxy that vouched for the chain stands for the client.
            return str(peer)
        peer = address
        if not _is_trusted(peer, trusted):
            return str(peer)
    return str(peer)


def _is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def _address(text: str) -> Address | None:
    """An address, also written with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`), else None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
