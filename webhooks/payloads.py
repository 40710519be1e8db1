"""What a webhook receives: the outbox's record of a block event, and the exact body of one delivery.

The record is what the outbox row keeps (written inside the block write's transaction, `webhooks.outbox`);
the body is built from it when the worker fans the row out (`webhooks.tasks.fan_out_events`) and then sent,
byte for byte, on every attempt.
"""

from __future__ import annotations

from blocks.events import EVENTS as BLOCK_EVENTS
from blocks.events import BlockEvent
from cms import jsonbytes
from cms.api.formats import iso_ms
from reviews.events import EVENTS as REVIEW_EVENTS
from reviews.events import ReviewEvent

#: Every event a webhook may subscribe to: the block events, then the review events (docs/webhooks.md).
EVENTS = (*BLOCK_EVENTS, *REVIEW_EVENTS)


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


def review_record(event: ReviewEvent) -> dict:
    """What the outbox keeps of a review event (`review.requested`, `review.approved`,
    `review.changes_requested`): the review, and its block (`block`) or its release (`release`)."""
    return {
        "event": event.event,
        "time": iso_ms(event.occurred_at),
        "occurredAt": event.occurred_at.isoformat(),
        "siteId": event.site_id,
        "block": event.block,
        "release": event.release,
        "review": event.review,
        "version": event.version,
    }


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
    for key in ("release", "review"):  # review events
        if key in record:
            body[key] = record[key]
    return jsonbytes.dumps(body)
