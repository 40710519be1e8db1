"""One POST of a signed body to a receiver: pinned to the address the SSRF guard checked, under one deadline.

`post` is what an attempt (`webhooks.tasks.attempt_delivery`) sends through. It follows no redirects, and
its `timeout` bounds the whole exchange (connect, TLS, send, status line, headers, body), however slowly the
receiver trickles, so an attempt never outlives the watchdog queued with its claim.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import socket
import ssl
import time
from urllib.parse import urlsplit

from webhooks.targets import checked_addresses, split_target


class _DeadlineReader(io.RawIOBase):
    """What `HTTPResponse` reads the status line, headers and body through: each read waits only for the time left."""

    def __init__(self, sock: _DeadlineSocket):
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.wait_at_most()
        return self._sock.raw.recv_into(buffer)


class _DeadlineSocket:
    """The connection's socket under ONE deadline for the whole exchange (send, status line, headers, body).

    A socket timeout alone bounds each read, not the attempt: a receiver trickling a byte every half second
    would keep it open for ever, outliving the watchdog's `stuck_after` (which then sends again while this
    send still runs). So before each send or read the socket's timeout is set to the time left, and once
    none is left the attempt ends with `TimeoutError`. Only what `http.client` uses is provided.
    """

    def __init__(self, raw: socket.socket, deadline: float):
        self.raw = raw
        self.deadline = deadline

    def wait_at_most(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("The attempt's deadline passed.")
        self.raw.settimeout(left)

    def sendall(self, data) -> None:
        self.wait_at_most()  # since Python 3.5 the timeout bounds the whole sendall
        self.raw.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        self.raw.close()


def _connect(address: str, port: int, deadline: float) -> socket.socket:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("The attempt's deadline passed.")
    return socket.create_connection((address, port), left)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the SSRF guard checked, not to whatever the host resolves to a moment later."""

    def __init__(self, host: str, port: int, *, address: str, deadline: float):
        super().__init__(host, port, timeout=max(0.0, deadline - time.monotonic()))
        self._address = address
        self._deadline = deadline

    def connect(self):
        self.sock = _DeadlineSocket(_connect(self._address, self.port, self._deadline), self._deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, deadline: float):
        context = ssl.create_default_context()
        super().__init__(host, port, timeout=max(0.0, deadline - time.monotonic()), context=context)
        self._address = address
        self._deadline = deadline

    def connect(self):
        sock = _connect(self._address, self.port, self._deadline)
        sock.settimeout(max(0.001, self._deadline - time.monotonic()))  # the TLS handshake too
        self.sock = _DeadlineSocket(self._context.wrap_socket(sock, server_hostname=self.host), self._deadline)


#: How much of the receiver's answer is read: only its status counts, the body is read (so the receiver is not
#: cut off mid-write) up to this much and ignored.
MAX_RESPONSE_BYTES = 4 * 1024


def post(url: str, body: bytes, headers: dict, *, timeout: float) -> int:
    """POST `body` to `url` (no redirects followed); the response status. Raises on network errors.

    `timeout` bounds the whole attempt, not each read: connecting, sending and reading the answer share it,
    and past it the attempt raises `TimeoutError`, however slowly the receiver trickles. Resolving the host
    counts against it too, but `getaddrinfo` itself cannot be cut short (the resolver's own timeouts bound it).
    """
    deadline = time.monotonic() + timeout
    scheme, host, port = split_target(url)
    address = checked_addresses(url)[0]
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, deadline=deadline)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        # the receiver has answered (its status is the outcome): a slow or broken body changes nothing
        with contextlib.suppress(OSError, http.client.HTTPException):
            response.read(MAX_RESPONSE_BYTES)
        return response.status
    finally:
        connection.close()
