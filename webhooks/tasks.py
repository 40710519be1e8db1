"""The webhook worker: its three tasks and the work they do.

- `fan_out` turns an outbox row (`webhooks.outbox`) into one `WebhookDelivery` per webhook and queues a
  `deliver` for each (`fan_out_events`);
- `deliver` makes one attempt (`attempt_delivery`): claim, POST the signed body (`webhooks.sending`), record
  the outcome, queue the retry;
- `watchdog`, queued with each claim, counts an attempt whose worker died mid-send as failed
  (`recover_stuck`).

Why the work lives here with the tasks: each piece of it queues tasks in its own transaction (a fan-out its
deliveries, a claim its watchdog, a failure its retry), and the worker finds a task by its path,
`webhooks.tasks.<name>`. Work kept elsewhere would import these tasks while they import it. So the module
that owns the tasks owns what they queue, and the rest queues through it, one way:

    models, payloads, signing, targets, sending, bulk_enqueue  <-  tasks  <-  outbox  <-  services  <-  admin, api

An attempt runs outside any transaction that other writers wait on: the delivery is claimed by a single
conditional UPDATE (`pending` -> `sending`), so a duplicate task finds nothing to do, and a receiver that
hangs holds only its worker (up to `WEBHOOKS_TIMEOUT_SECONDS`), never a database lock. A worker that dies
mid-send (killed, out of memory, machine lost) would leave the delivery `sending` for ever: the claim
therefore queues, in the same transaction, a `watchdog` due when the send is surely over (`stuck_after`,
3 x timeout + 60 s). If that attempt is still `sending` then, it counts as a failed attempt and the delivery
is retried as after any failure.
"""

from __future__ import annotations

import http.client
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cms.api.formats import iso_ms
from cms.conf import cms_setting
from cms.db import through_outage
from webhooks import sending
from webhooks.bulk_enqueue import enqueue_now
from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from webhooks.payloads import event_body
from webhooks.signing import signed_headers
from webhooks.targets import TargetRefused

logger = logging.getLogger("cms.webhooks")
MAX_LOGGED_ATTEMPTS = 50

#: Above `deliver`'s default 0: the worker turns recorded events into deliveries (and log entries) before it
#: spends time sending, so the log fills in event order even while receivers are slow.
FAN_OUT_PRIORITY = 10


@task(priority=FAN_OUT_PRIORITY)
def fan_out(events: list) -> int:
    return fan_out_events(events)


@task()
def deliver(delivery_id: str) -> str | None:
    return attempt_delivery(delivery_id)


@task()
def watchdog(delivery_id: str, claimed_at: str) -> str | None:
    return recover_stuck(delivery_id, claimed_at)


def enqueue_watchdog(delivery_id, claimed_at: datetime, *, at: datetime) -> None:
    watchdog.using(run_after=at).enqueue(str(delivery_id), claimed_at.isoformat())


def enqueue_delivery(delivery_id, *, at: datetime | None = None) -> None:
    (deliver.using(run_after=at) if at is not None else deliver).enqueue(str(delivery_id))


# ---- fan-out -------------------------------------------------------------------------------------------------


def fan_out_events(records: list[dict]) -> int:
    """One delivery (and its queued attempt) per webhook named in the outbox row; how many were created.

    Webhooks deleted since the write are skipped (their log is gone too). One deactivated since gets the
    delivery in its log, already cancelled (`CANCELLED_ERROR`) and not queued: deactivating stops sending.
    """
    limit = max(1, int(cms_setting("WEBHOOKS_MAX_ATTEMPTS")))
    planned = [
        (record, int(hook_id), str(delivery_id)) for record in records for hook_id, delivery_id in record["deliveries"]
    ]
    with transaction.atomic():
        hooks = Webhook.objects.select_related("site").in_bulk({hook_id for _, hook_id, _ in planned})
        existing = {
            str(pk)
            for pk in WebhookDelivery.objects.filter(pk__in=[delivery_id for *_, delivery_id in planned]).values_list(
                "pk", flat=True
            )
        }
        new = [
            WebhookDelivery(
                id=uuid.UUID(delivery_id),
                webhook=hooks[hook_id],
                event=record["event"],
                attempt_limit=limit,
                created_at=datetime.fromisoformat(record["occurredAt"]),
                body=event_body(record, delivery_id=delivery_id, site=hooks[hook_id].site).decode(),
                **({} if hooks[hook_id].is_active else CANCELLED),
            )
            for record, hook_id, delivery_id in planned
            if hook_id in hooks and delivery_id not in existing
        ]
        WebhookDelivery.objects.bulk_create(new)
        enqueue_now(deliver, [(str(delivery.pk),) for delivery in new if delivery.status == DeliveryStatus.PENDING])
    return len(new)


# ---- one attempt ---------------------------------------------------------------------------------------------


STUCK_ERROR = "The worker stopped during this attempt (no outcome was recorded); sending again."
CANCELLED_ERROR = "Cancelled: the webhook was deactivated. Not sent again unless redelivered."
#: What a delivery of a deactivated webhook becomes: failed for good, nothing more queued (its attempts stay).
CANCELLED: dict[str, Any] = {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "last_error": CANCELLED_ERROR}


def cancel_pending(webhook_id: int) -> int:
    """Cancel a deactivated webhook's pending deliveries (their queued retries then find nothing to do)."""
    return WebhookDelivery.objects.filter(webhook_id=webhook_id, status=DeliveryStatus.PENDING).update(**CANCELLED)


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
        if delivery is None or delivery.claimed_at is None:  # the query matched on it: never None here
            return None
        seconds = (timezone.now() - delivery.claimed_at).total_seconds()
        logger.warning("Webhook delivery %s was stuck sending for %.0f s; retrying it", delivery.pk, seconds)
        return _record(delivery, code=None, error=STUCK_ERROR, retryable=True, seconds=seconds)


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1-based): base, 2 * base, 4 * base…"""
    return float(cms_setting("WEBHOOKS_BACKOFF_SECONDS")) * (2 ** (attempt - 1))


def attempt_delivery(delivery_id: str) -> str | None:
    """Make one attempt; the resulting status, or None when another worker has it, it is settled, its
    webhook was deactivated (the delivery is then cancelled, see `CANCELLED`), or its watchdog counted this
    attempt before it ended (see `_record`).

    The claim itself asks that the webhook be active, so a retry queued before a deactivation, however it
    was made (service, admin, a direct update), sends nothing and leaves the attempt count as it was."""
    claimed_at = timezone.now()
    # The claim, its watchdog and the read of what to send, in one transaction: a worker that dies after
    # it leaves the watchdog to count the attempt; a database outage inside it undoes the claim, and the
    # worker runs the task again (worker.loop), which claims afresh. Only an active webhook's delivery is
    # claimed; one of a deactivated webhook is cancelled instead.
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    with transaction.atomic():
        claimed = pending.filter(webhook__is_active=True).update(status=DeliveryStatus.SENDING, claimed_at=claimed_at)
        if not claimed:
            pending.filter(webhook__is_active=False).update(**CANCELLED)
            return None
        enqueue_watchdog(delivery_id, claimed_at, at=claimed_at + stuck_after())
        delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    body = delivery.body.encode()
    started = time.monotonic()
    code: int | None = None
    error = ""
    retryable = True
    try:
        headers = signed_headers(secret=webhook.secret, body=body, delivery_id=str(delivery.pk), event=delivery.event)
        code = sending.post(webhook.url, body, headers, timeout=float(cms_setting("WEBHOOKS_TIMEOUT_SECONDS")))
        if not 200 <= code < 300:
            error = f"The receiver answered HTTP {code}."
    except TargetRefused as exc:
        error, retryable = str(exc), False
    except TimeoutError:
        error = "Timed out waiting for the receiver."
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    seconds = time.monotonic() - started
    # The request went out: its outcome must be recorded even across a short database outage, or the
    # delivery would wait `sending` for its watchdog. `_record` is a compare-and-set, safe to repeat.
    return through_outage(
        lambda: _record(delivery, code=code, error=error, retryable=retryable, seconds=seconds),
        give_up_after=stuck_after().total_seconds() / 2,
    )


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
