"""The block-event listener (in `CMS["EVENT_LISTENERS"]`): one delivery per matching webhook, queued.

It runs after the write committed, in the writer's process: it only inserts rows (the delivery and its
queued task), so the write's answer never waits on a receiver.
"""

from __future__ import annotations

import orjson
from django.db import transaction

from blocks.events import BlockEvent
from cms.api.formats import iso_ms
from cms.conf import cms_setting
from webhooks.models import Webhook, WebhookDelivery
from webhooks.tasks import enqueue_delivery


def event_body(event: BlockEvent, *, delivery_id: str, site) -> bytes:
    body = {
        "id": delivery_id,
        "event": event.event,
        "time": iso_ms(event.occurred_at),
        "site": {"id": site.pk, "slug": site.slug},
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
        body["details"] = event.extra
    return orjson.dumps(body)


def on_block_event(event: BlockEvent) -> None:
    hooks = [
        hook
        for hook in Webhook.objects.select_related("site").filter(site_id=event.site_id, is_active=True)
        if hook.wants(event=event.event, block_type=event.type, locale=event.locale)
    ]
    if not hooks:
        return
    limit = max(1, int(cms_setting("WEBHOOKS_MAX_ATTEMPTS")))
    with transaction.atomic():
        for hook in hooks:
            delivery = WebhookDelivery(webhook=hook, event=event.event, attempt_limit=limit)
            delivery.body = event_body(event, delivery_id=str(delivery.pk), site=hook.site).decode()
            delivery.save(force_insert=True)
            enqueue_delivery(delivery.pk)
