"""Webhooks' transactional outbox: the block-event recorder (in `CMS["EVENT_RECORDERS"]`) and the fan-out.

`record_block_events` runs inside the write's own transaction, when the service emits the event. If any of
the site's active webhooks wants an event, it inserts ONE row: a queued `webhooks.tasks.fan_out` task that
carries the events and, per matching webhook, the delivery id chosen now. A write that emits several events
together (`blocks.events.together`: updated + published; every write that reaches several locale copies or
blocks wraps its transaction in it) gets one row for all. That row commits with the write or
vanishes with its rollback, so:

- nothing is sent before the write commits (the worker cannot see the row until then);
- a committed write never loses its webhook events (no window between the commit and a later insert in
  which a crash or a database error drops them, as the former after-commit listener had);
- the write pays no transaction of its own and no per-webhook cost: one indexed read of the site's active
  webhooks (once per transaction, however many events it emits) and, only when some webhook matches, one
  insert per batch of events. The after-commit design cost an extra commit per event (an fsync on SQLite, round trips
  on PostgreSQL): 1.2-1.35x the write's time. See `bench/webhooks_hanging.py`.

The worker then runs `fan_out_events`: one `WebhookDelivery` per webhook (the exact body, the id receivers
de-duplicate on) and its queued `deliver` task, in one transaction. The delivery ids come from the outbox
row, so a fan-out that runs twice creates nothing twice; `created_at` is the event's time, so the delivery
log keeps the order of the events whenever the worker gets to them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
from django.db import connection, transaction

from blocks.events import BlockEvent
from cms.api.formats import iso_ms
from cms.conf import cms_setting
from webhooks.models import Webhook, WebhookDelivery
from webhooks.tasks import deliver, enqueue_now, fan_out


def event_record(event: BlockEvent) -> dict:
    """What the outbox keeps of an event: the body's fields except the delivery id and the site."""
    record = {
        "event": event.event,
        "time": iso_ms(event.occurred_at),
        "occurredAt": event.occurred_at.isoformat(),  # full precision: orders the delivery log
        "siteId": event.site_id,
        "block": {
            "id": event.block_id,
            "slug": event.slug,
            "type": event.type,
            "locale": event.locale,
            "path": event.path,
            "status": event.status,
            "translationKey": event.translation_key,
        },
        "version": event.version,
    }
    if event.extra:
        record["details"] = event.extra
    return record


def event_body(record: dict, *, delivery_id: str, site) -> bytes:
    """The exact bytes sent (and signed) on every attempt of one delivery."""
    body = {
        "id": delivery_id,
        "event": record["event"],
        "time": record["time"],
        "site": {"id": site.pk, "slug": site.slug},
        "block": record["block"],
        "version": record["version"],
    }
    if "details" in record:
        body["details"] = record["details"]
    return orjson.dumps(body)


class _TransactionMemo:
    """Marks the current transaction in `connection.run_on_commit` and remembers what was read in it.

    A webhook saved or deleted in the transaction drops its site's entry (`forget_active_hooks`), so a block
    write after it sees it.

    Registered as a no-op on_commit callback: Django drops it when the transaction commits or rolls back (or
    the savepoint it was registered in rolls back), so the memo never outlives the transaction that read it.
    """

    def __init__(self) -> None:
        self.hooks_by_site: dict[int, list[Webhook]] = {}

    def __call__(self) -> None:
        pass


def _memo() -> _TransactionMemo | None:
    if not connection.in_atomic_block:
        return None
    # (savepoint ids, callable, robust) since Django 4.2; django-stubs still says pairs.
    for _, func, _ in connection.run_on_commit:  # type: ignore[misc]
        if isinstance(func, _TransactionMemo):
            return func
    memo = _TransactionMemo()
    transaction.on_commit(memo)
    return memo


def forget_active_hooks(site_id: int) -> None:
    """Drop this transaction's read of the site's active webhooks (one was saved or deleted: `Webhook.save`)."""
    if not connection.in_atomic_block:
        return
    # (savepoint ids, callable, robust) since Django 4.2; django-stubs still says pairs.
    for _, func, _ in connection.run_on_commit:  # type: ignore[misc]
        if isinstance(func, _TransactionMemo):
            func.hooks_by_site.pop(site_id, None)


def active_hooks(site_id: int) -> list[Webhook]:
    """The site's active webhooks (what `Webhook.wants` needs), read once per transaction."""
    memo = _memo()
    if memo is not None and site_id in memo.hooks_by_site:
        return memo.hooks_by_site[site_id]
    query = Webhook.objects.filter(site_id=site_id, is_active=True).only("id", "events", "block_types", "locales")
    hooks = list(query.order_by("id"))
    if memo is not None:
        memo.hooks_by_site[site_id] = hooks
    return hooks


def record_block_events(events: list[BlockEvent]) -> None:
    """In the caller's transaction: queue one fan-out of the `events` that some active webhook wants."""
    wanted = []
    for event in events:
        hooks = [
            hook
            for hook in active_hooks(event.site_id)
            if hook.wants(event=event.event, block_type=event.type, locale=event.locale)
        ]
        if hooks:
            wanted.append({**event_record(event), "deliveries": [[hook.pk, str(uuid.uuid4())] for hook in hooks]})
    if wanted:
        enqueue_now(fan_out, [(wanted,)])


def fan_out_events(records: list[dict]) -> int:
    """One delivery (and its queued attempt) per webhook named in the outbox row; how many were created.

    Webhooks deleted since the write are skipped (their log is gone too); one deactivated since still gets
    the event, as it would have had the write been delivered at once.
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
            )
            for record, hook_id, delivery_id in planned
            if hook_id in hooks and delivery_id not in existing
        ]
        WebhookDelivery.objects.bulk_create(new)
        enqueue_now(deliver, [(str(delivery.pk),) for delivery in new])
    return len(new)
