"""The client's address as a server behind proxies should see it (`CMS_TRUSTED_PROXIES`).

    client_address(request.META)   # "203.0.113.7"

`REMOTE_ADDR` is the peer that opened the connection: the client itself, or a load balancer or CDN in front.
When that peer is a trusted proxy (its address in one of the `CMS_TRUSTED_PROXIES` networks), the address it
forwarded in `X-Forwarded-For` is taken instead, walking the list from the right (each proxy appends the peer
it saw) past every trusted proxy: the first untrusted address is the client. Anything to its left was written
by the client and is never believed, so a client cannot pick the address it is counted under by sending the
header itself. With no trusted proxies (the default) the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from cms.conf import cms_setting

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """`["10.0.0.0/8", "127.0.0.1"]` as networks; a bad entry raises ValueError naming it."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"CMS_TRUSTED_PROXIES: {value!r} is not an address or a network") from exc
    return tuple(networks)


@lru_cache(maxsize=4)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(meta: Mapping[str, str]) -> str:
    remote = meta.get("REMOTE_ADDR", "") or "unknown"
    networks = _trusted(tuple(cms_setting("TRUSTED_PROXIES")))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:  # garbage where an address belongs: count it under the proxy that passed it
                return remote
    return forwarded[0] if forwarded else remote  # every hop trusted: the leftmost is as far as we can see
