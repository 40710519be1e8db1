"""What a webhook receives: the outbox's record of a block or release event, and the exact body of one delivery.

The record is what the outbox row keeps (written inside the block write's transaction, `webhooks.outbox`);
the body is built from it when the worker fans the row out (`webhooks.tasks.fan_out_events`) and then sent,
byte for byte, on every attempt.
"""

from __future__ import annotations

from blocks.events import EVENTS as BLOCK_EVENTS
from blocks.events import BlockEvent
from cms import jsonbytes
from cms.api.formats import iso_ms
from releases.events import EVENTS as RELEASE_EVENTS
from releases.events import ReleaseEvent
from reviews.events import EVENTS as REVIEW_EVENTS
from reviews.events import ReviewEvent

#: Every event a webhook may subscribe to: the block events, the review events, the release events
#: (the API and the admin offer these; docs/webhooks.md lists them).
EVENTS = (*BLOCK_EVENTS, *REVIEW_EVENTS, *RELEASE_EVENTS)


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


def release_event_record(event: ReleaseEvent) -> dict:
    """What the outbox keeps of a release event: the release and, per item, the block, the action and the
    block's version after the write (the version whose content went live, or the one the rollback wrote)."""
    return {
        "event": event.event,
        "time": iso_ms(event.occurred_at),
        "occurredAt": event.occurred_at.isoformat(),
        "siteId": event.site_id,
        "release": {"id": event.release_id, "name": event.name, "version": event.release_version},
        "items": [
            {
                "block": {
                    "id": item.block_id,
                    "slug": item.slug,
                    "type": item.type,
                    "locale": item.locale,
                    "path": item.path,
                    "status": item.status,
                },
                "action": item.action,
                "version": item.version,
            }
            for item in event.items
        ],
    }


def event_body(record: dict, *, delivery_id: str, site) -> bytes:
    """The exact bytes sent (and signed) on every attempt of one delivery."""
    if "items" in record:  # a release event: the release and its items, no single block
        return jsonbytes.dumps(
            {
                "id": delivery_id,
                "event": record["event"],
                "time": record["time"],
                "site": {"id": site.pk, "slug": site.slug},
                "release": record["release"],
                "items": record["items"],
            }
        )
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
