"""The worker task that makes one delivery attempt (and queues the next one on failure)."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task


@task()
def deliver(delivery_id: str) -> str | None:
    from webhooks.sending import attempt_delivery

    return attempt_delivery(delivery_id)


def enqueue_delivery(delivery_id, *, at: datetime | None = None) -> None:
    (deliver.using(run_after=at) if at is not None else deliver).enqueue(str(delivery_id))
