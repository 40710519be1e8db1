"""What a webhook receives: the outbox's record of a block or release event, and the exact body of one delivery.

The record is what the outbox row keeps (written inside the block write's transaction, `webhooks.outbox`);
the body is built from it when the worker fans the row out (`webhooks.tasks.fan_out_events`) and then sent,
byte for byte, on every attempt.
"""

from __future__ import annotations

from blocks import events as block_events
from blocks.events import BlockEvent
from cms import jsonbytes
from cms.api.formats import iso_ms
from releases import events as release_events
from releases.events import ReleaseEvent

#: Every event a webhook may listen to (the API and the admin offer these; docs/webhooks.md lists them).
EVENTS = (*block_events.EVENTS, *release_events.EVENTS)


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
    if "release" in record:
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
    return jsonbytes.dumps(body)
