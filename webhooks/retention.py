"""Retention of the delivery log: finished deliveries (succeeded, or failed for good) older than a cut-off.

Pending and sending deliveries are never removed, whatever their age: they are still owed to a receiver.
Deleted in batches of primary keys, so a large log never holds one long lock and the run can be stopped and
started again safely.
"""

from __future__ import annotations

from datetime import datetime

from webhooks.models import DeliveryStatus, WebhookDelivery

FINISHED = (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED)


def prune_deliveries(*, older_than: datetime, batch_size: int = 500, dry_run: bool = False) -> int:
    """Delete finished deliveries created before `older_than`; the number deleted (or, dry, that would be)."""
    finished = WebhookDelivery.objects.filter(status__in=FINISHED, created_at__lt=older_than)
    if dry_run:
        return finished.count()
    deleted = 0
    while True:
        batch = list(finished.order_by("created_at").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        count, _ = WebhookDelivery.objects.filter(pk__in=batch, status__in=FINISHED).delete()
        deleted += count
