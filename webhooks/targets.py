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


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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


def checked_addresses(url: str) -> list[str]:
    """The addresses `url` may be sent to: all of them must be public unless the setting allows private."""
    _, host, port = split_target(url)
    addresses = resolve(host, port)
    if not cms_setting("WEBHOOKS_ALLOW_PRIVATE_TARGETS"):
        private = [address for address in addresses if not is_public(address)]
        if private:
            raise TargetRefused(
                f"`{host}` resolves to a private, loopback or link-local address ({private[0]}); refused."
            )
    return addresses
