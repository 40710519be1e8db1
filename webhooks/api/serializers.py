"""Output shapes of the webhooks API (camelCase, timestamps in UTC with milliseconds).

The serializers describe the shapes (the OpenAPI components); the plain functions below build them.
"""

from __future__ import annotations

import orjson
from rest_framework import serializers

from cms.api.formats import iso_ms
from cms.api.openapi import envelope, message_answer, page_of
from webhooks.models import Webhook, WebhookDelivery


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    blockTypes = serializers.ListField(child=serializers.CharField())
    locales = serializers.ListField(child=serializers.CharField())
    isActive = serializers.BooleanField()
    secretHint = serializers.CharField()
    secret = serializers.CharField(required=False, help_text="Only when created or changed.")
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.CharField()
    event = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    responseCode = serializers.IntegerField(allow_null=True)
    lastError = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField()
    lastAttemptAt = serializers.DateTimeField(allow_null=True)
    nextAttemptAt = serializers.DateTimeField(allow_null=True)
    deliveredAt = serializers.DateTimeField(allow_null=True)
    attemptLog = serializers.ListField(child=serializers.JSONField())
    body = serializers.JSONField(required=False, help_text="The payload sent (one delivery only).")


WebhookAnswer = envelope("WebhookAnswer", WebhookSerializer())
WebhookList = page_of("WebhookList", WebhookSerializer)
DeliveryAnswer = envelope("WebhookDeliveryAnswer", WebhookDeliverySerializer())
DeliveryList = page_of("WebhookDeliveryList", WebhookDeliverySerializer)
WebhookDeleted = message_answer("WebhookDeleted", "Webhook deleted")


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
