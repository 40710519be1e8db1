"""One delivery attempt: claim, check the target, POST the signed body, record the outcome, queue a retry.

The attempt runs outside any transaction that other writers wait on: the delivery is claimed by a single
conditional UPDATE (`pending` → `sending`), so a duplicate task finds nothing to do, and a receiver that hangs
holds only its worker (up to `WEBHOOKS_TIMEOUT_SECONDS`), never a database lock.

A worker that dies mid-send (killed, out of memory, machine lost) would leave the delivery `sending` for
ever: the claim therefore queues, in the same transaction, a `watchdog` task due when the send is surely
over (`stuck_after`, 3 x timeout + 60 s). If that attempt is still `sending` then, it counts as a failed
attempt and the delivery is retried as after any failure.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import socket
import ssl
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from cms.api.formats import iso_ms
from cms.conf import cms_setting
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.signing import signed_headers
from webhooks.targets import TargetRefused, checked_addresses, split_target

logger = logging.getLogger("cms.webhooks")
MAX_LOGGED_ATTEMPTS = 50


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


STUCK_ERROR = "The worker stopped during this attempt (no outcome was recorded); sending again."


def stuck_after() -> timedelta:
    """How long `sending` may last before its worker is taken for dead: far longer than a send can take."""
    return timedelta(seconds=3 * float(cms_setting("WEBHOOKS_TIMEOUT_SECONDS")) + 60)


def is_stuck(delivery: WebhookDelivery) -> bool:
    """`sending` for much longer than a send can take: its worker died mid-send; it may be sent again."""
    if delivery.status != DeliveryStatus.SENDING or delivery.claimed_at is None:
        return False
    return timezone.now() - delivery.claimed_at > stuck_after()


def recover_stuck(delivery_id: str, claimed_at: str) -> str | None:
    """The watchdog queued with each claim: if that very attempt is still `sending`, its worker died.

    Then the attempt counts as failed (it may or may not have reached the receiver, which de-duplicates on
    the delivery id) and the delivery is retried with the usual backoff, or failed past its budget. An
    attempt that finished, or was claimed again since, has another `claimed_at`: nothing to do.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=datetime.fromisoformat(claimed_at))
            .first()
        )
        if delivery is None:
            return None
        assert delivery.claimed_at is not None  # the query matched on it
        seconds = (timezone.now() - delivery.claimed_at).total_seconds()
        logger.warning("Webhook delivery %s was stuck sending for %.0f s; retrying it", delivery.pk, seconds)
        return _record(delivery, code=None, error=STUCK_ERROR, retryable=True, seconds=seconds)


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1-based): base, 2 * base, 4 * base…"""
    return float(cms_setting("WEBHOOKS_BACKOFF_SECONDS")) * (2 ** (attempt - 1))


def attempt_delivery(delivery_id: str) -> str | None:
    """Make one attempt; the resulting status, or None when another worker has it, it is settled, or its
    watchdog counted this attempt before it ended (see `_record`)."""
    from webhooks.tasks import enqueue_watchdog

    claimed_at = timezone.now()
    with transaction.atomic():  # the claim and its watchdog: a worker that dies after this leaves both
        claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=claimed_at
        )
        if claimed:
            enqueue_watchdog(delivery_id, claimed_at, at=claimed_at + stuck_after())
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    body = delivery.body.encode()
    started = time.monotonic()
    code: int | None = None
    error = ""
    retryable = True
    try:
        headers = signed_headers(secret=webhook.secret, body=body, delivery_id=str(delivery.pk), event=delivery.event)
        code = post(webhook.url, body, headers, timeout=float(cms_setting("WEBHOOKS_TIMEOUT_SECONDS")))
        if not 200 <= code < 300:
            error = f"The receiver answered HTTP {code}."
    except TargetRefused as exc:
        error, retryable = str(exc), False
    except TimeoutError:
        error = "Timed out waiting for the receiver."
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _record(delivery, code=code, error=error, retryable=retryable, seconds=time.monotonic() - started)


def _record(delivery: WebhookDelivery, *, code: int | None, error: str, retryable: bool, seconds: float) -> str | None:
    """Count the attempt and queue the next: only if it is still the delivery's current attempt.

    A compare-and-set on (`sending`, own `claimed_at`), not a `save()` of the copy read at claim time: if the
    watchdog took this attempt for dead meanwhile (or an owner redelivered it), the watchdog already counted
    it and queued its retry, which may have been sent and logged since. Writing the stale copy back would wipe
    those log entries, wind `attempts` back and queue one retry too many; so a late outcome is dropped (the
    receiver de-duplicates the second send on the delivery id) and None returned.
    """
    now = timezone.now()
    attempts = delivery.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "response_code": code,
        "last_error": error,
        "attempt_log": [
            *delivery.attempt_log[-(MAX_LOGGED_ATTEMPTS - 1) :],
            {"at": iso_ms(now), "responseCode": code, "error": error or None, "durationMs": round(seconds * 1000)},
        ],
    }
    if not error:
        values.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif retryable and attempts < delivery.attempt_limit:
        values.update(status=DeliveryStatus.PENDING, next_attempt_at=now + timedelta(seconds=backoff(attempts)))
    else:
        values.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    with transaction.atomic():
        current = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
        ).update(**values)
        if current and values["status"] == DeliveryStatus.PENDING:
            from webhooks.tasks import enqueue_delivery

            enqueue_delivery(delivery.pk, at=values["next_attempt_at"])
    if not current:
        logger.warning(
            "Webhook delivery %s: an attempt ended (%s) after its watchdog had counted it; outcome dropped",
            delivery.pk,
            error or f"HTTP {code}",
        )
        return None
    for field, value in values.items():
        setattr(delivery, field, value)
    if error:
        logger.info("Webhook delivery %s attempt %s failed: %s", delivery.pk, attempts, error)
    return values["status"]
