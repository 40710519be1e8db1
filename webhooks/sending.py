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

import http.client
import logging
import socket
import ssl
import time
from datetime import datetime, timedelta
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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the SSRF guard checked, not to whatever the host resolves to a moment later."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, *, timeout: float) -> int:
    """POST `body` to `url` (no redirects followed); the response status. Raises on network errors."""
    scheme, host, port = split_target(url)
    address = checked_addresses(url)[0]
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
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
        seconds = (timezone.now() - delivery.claimed_at).total_seconds()
        logger.warning("Webhook delivery %s was stuck sending for %.0f s; retrying it", delivery.pk, seconds)
        return _record(delivery, code=None, error=STUCK_ERROR, retryable=True, seconds=seconds)


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1-based): base, 2 * base, 4 * base…"""
    return float(cms_setting("WEBHOOKS_BACKOFF_SECONDS")) * (2 ** (attempt - 1))


def attempt_delivery(delivery_id: str) -> str | None:
    """Make one attempt; the resulting status, or None when another worker has it or it is settled."""
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


def _record(delivery: WebhookDelivery, *, code: int | None, error: str, retryable: bool, seconds: float) -> str:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = code
    delivery.last_error = error
    delivery.attempt_log = [
        *delivery.attempt_log[-(MAX_LOGGED_ATTEMPTS - 1) :],
        {"at": iso_ms(now), "responseCode": code, "error": error or None, "durationMs": round(seconds * 1000)},
    ]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
    elif retryable and delivery.attempts < delivery.attempt_limit:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + timedelta(seconds=backoff(delivery.attempts))
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    with transaction.atomic():
        delivery.save()
        if delivery.status == DeliveryStatus.PENDING:
            from webhooks.tasks import enqueue_delivery

            enqueue_delivery(delivery.pk, at=delivery.next_attempt_at)
    if error:
        logger.info("Webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    return delivery.status
