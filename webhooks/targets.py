"""The SSRF guard: a webhook may only reach public addresses, checked when saved and again when sent.

Checking at save time gives the owner a clear 422; checking again at send time (and connecting to the very
address that was checked, see `webhooks.sending`) stops a hostname that later resolves to 127.0.0.1 or the
cloud metadata address. `CMS["WEBHOOKS_ALLOW_PRIVATE_TARGETS"]` lifts it (tests, a private network).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from cms.conf import cms_setting


class TargetRefused(Exception):
    pass


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"The host `{host}` does not resolve.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))  # the address (a str for IPv4 and IPv6)


#: Prefixes whose addresses carry an IPv4 address in their last 32 bits: IPv4-mapped (`::ffff:a.b.c.d`),
#: IPv4-translated (SIIT, `::ffff:0:a.b.c.d`) and the well-known NAT64 prefix (RFC 6052). IPv4-compatible
#: (`::a.b.c.d`, deprecated but still routed by some stacks) is `::/96` and handled apart (`::` and `::1`).
_LAST_32_BITS = (
    ipaddress.IPv6Network("::ffff:0:0/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
#: Local-use NAT64 (RFC 8215): the network chooses where the IPv4 address sits (a /48 to /96 prefix), so no
#: address in it can be known to lead somewhere public: refused whole. Python 3.11 calls it global.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address leads to on networks that translate or tunnel it, or None for a
    plain IPv6 address. On a NAT64 or 6to4 network, or a host that takes IPv4-mapped forms literally,
    `[64:ff9b::7f00:1]` reaches 127.0.0.1 and `[2002:a9fe:a9fe::1]` the metadata address."""
    value = int(ip)
    if any(ip in network for network in _LAST_32_BITS):
        return [ipaddress.IPv4Address(value & 0xFFFFFFFF)]
    if ip in _IPV4_COMPATIBLE and value > 1:
        return [ipaddress.IPv4Address(value)]
    if ip in _SIX_TO_FOUR:
        return [ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF)]
    if ip in _TEREDO:  # the Teredo server, and the client's address (stored inverted, "obfuscated")
        return [ipaddress.IPv4Address((value >> 64) & 0xFFFFFFFF), ipaddress.IPv4Address(~value & 0xFFFFFFFF)]
    interface = value & 0xFFFFFFFFFFFFFFFF
    if (interface >> 48) & 0xFCFF == 0 and (interface >> 32) & 0xFFFF == 0x5EFE:  # ISATAP: ::0:5efe:a.b.c.d
        return [ipaddress.IPv4Address(interface & 0xFFFFFFFF)]
    return None


def _public_ipv4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not ip.is_multicast


def is_public(address: str) -> bool:
    """Whether `address` (as `getaddrinfo` gives it, a zone allowed) leads only to the public internet.

    An IPv6 address that embeds an IPv4 address (see `embedded_ipv4`) is public only when every IPv4 address
    it embeds is, and, for ISATAP, its own prefix too; the local-use NAT64 prefix never is."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _public_ipv4(ip)
    if ip in _LOCAL_NAT64:
        return False
    embedded = embedded_ipv4(ip)
    if embedded is None:
        return ip.is_global and not ip.is_multicast
    if not all(_public_ipv4(inner) for inner in embedded):
        return False
    if ip in _TEREDO or any(ip in network for network in (*_LAST_32_BITS, _IPV4_COMPATIBLE, _SIX_TO_FOUR)):
        return True  # the translation prefix itself is special-purpose; the embedded address decides
    return ip.is_global and not ip.is_multicast  # ISATAP: a routable prefix as well


def split_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL without credentials, or `TargetRefused`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("Must be an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise TargetRefused("Must not contain a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("The port is not valid.") from exc
    return parts.scheme, parts.hostname, port


def describe(address: str) -> str:
    """The address, and the IPv4 addresses it embeds when there are any (`64:ff9b::7f00:1, i.e. 127.0.0.1`)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address
    embedded = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return f"{address}, i.e. {' and '.join(map(str, embedded))}" if embedded else address


# The way out for someone trying webhooks against a receiver on their own machine (docs/webhooks.md).
LOCAL_TESTING = " To try webhooks on your own machine, set CMS_WEBHOOKS_ALLOW_PRIVATE=true (for local testing only)."


def checked_addresses(url: str) -> list[str]:
    """The addresses `url` may be sent to: all of them must be public unless the setting allows private."""
    _, host, port = split_target(url)
    addresses = resolve(host, port)
    if not cms_setting("WEBHOOKS_ALLOW_PRIVATE_TARGETS"):
        private = [address for address in addresses if not is_public(address)]
        if private:
            raise TargetRefused(
                f"`{host}` resolves to a private, loopback or link-local address ({describe(private[0])}); refused."
                + LOCAL_TESTING
            )
    return addresses
