"""Output shapes of the webhooks API (camelCase, timestamps in UTC with milliseconds)."""

from __future__ import annotations

import orjson

from cms.api.formats import iso_ms
from webhooks.models import Webhook, WebhookDelivery


def webhook_payload(webhook: Webhook, *, with_secret: bool = False) -> dict:
    payload = {
        "id": webhook.pk,
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.events,
        "blockTypes": webhook.block_types,
        "locales": webhook.locales,
        "isActive": webhook.is_active,
        "secretHint": webhook.secret[:10] + "…",
        "createdAt": iso_ms(webhook.created_at),
        "updatedAt": iso_ms(webhook.updated_at),
    }
    if with_secret:
        payload["secret"] = webhook.secret  # shown when created or changed: receivers need it to verify
    return payload


def delivery_payload(delivery: WebhookDelivery, *, body: bool = False) -> dict:
    payload = {
        "id": str(delivery.pk),
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "responseCode": delivery.response_code,
        "lastError": delivery.last_error or None,
        "createdAt": iso_ms(delivery.created_at),
        "lastAttemptAt": iso_ms(delivery.last_attempt_at),
        "nextAttemptAt": iso_ms(delivery.next_attempt_at),
        "deliveredAt": iso_ms(delivery.delivered_at),
        "attemptLog": delivery.attempt_log,
    }
    if body:
        payload["body"] = orjson.loads(delivery.body)
    return payload
