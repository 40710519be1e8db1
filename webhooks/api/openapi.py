"""OpenAPI descriptions of `/api/v1/webhooks` (errors and headers are added by `cms.api.openapi`)."""

from __future__ import annotations

from cms.api.openapi import SITE, answer, body, data_of, operation, query, ref, register_components

TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP = {**TIMESTAMP, "nullable": True}
STRINGS = {"type": "array", "items": {"type": "string"}}
register_components(
    {
        "Webhook": {
            "type": "object",
            "required": ["id", "name", "url", "events", "isActive", "createdAt", "updatedAt"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "url": {"type": "string"},
                "events": STRINGS,
                "blockTypes": STRINGS,
                "locales": STRINGS,
                "isActive": {"type": "boolean"},
                "secretHint": {"type": "string"},
                "secret": {"type": "string", "description": "Only when created or changed."},
                "createdAt": TIMESTAMP,
                "updatedAt": TIMESTAMP,
            },
        },
        "WebhookDelivery": {
            "type": "object",
            "required": ["id", "event", "status", "attempts", "createdAt"],
            "properties": {
                "id": {"type": "string"},
                "event": {"type": "string"},
                "status": {"type": "string"},
                "attempts": {"type": "integer"},
                "responseCode": {"type": "integer", "nullable": True},
                "lastError": {"type": "string", "nullable": True},
                "createdAt": TIMESTAMP,
                "lastAttemptAt": NULLABLE_TIMESTAMP,
                "nextAttemptAt": NULLABLE_TIMESTAMP,
                "deliveredAt": NULLABLE_TIMESTAMP,
                "attemptLog": {"type": "array"},
                "body": {"description": "The payload sent (one delivery only)."},
            },
        },
        "WebhookWrite": body(
            {
                "url": {"type": "string", "example": "https://example.com/hooks/cms"},
                "name": {"type": "string"},
                "events": STRINGS,
                "blockTypes": STRINGS,
                "locales": STRINGS,
                "isActive": {"type": "boolean"},
                "secret": {"type": "string"},
            }
        ),
    }
)
PAGE = [SITE, query("page", int), query("perPage", int)]
PAGED = {"type": "object", "required": ["total", "perPage", "currentPage", "lastPage"]}
DELETED = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}

list_webhooks = operation(
    "webhooks.list",
    tag="webhooks",
    summary="The site's webhooks (owners)",
    parameters=PAGE,
    responses={200: answer(data_of({"type": "array", "items": ref("Webhook")}, meta=PAGED), "A page of webhooks.")},
)
create_webhook = operation(
    "webhooks.create",
    tag="webhooks",
    summary="Create a webhook (owners); the answer shows its signing secret",
    parameters=[SITE],
    request=ref("WebhookWrite"),
    responses={201: answer(data_of(ref("Webhook")), "The webhook, with `secret`.")},
)
get_webhook = operation(
    "webhooks.get",
    tag="webhooks",
    summary="One webhook (owners)",
    parameters=[SITE],
    responses={200: answer(data_of(ref("Webhook")), "The webhook.")},
)
update_webhook = operation(
    "webhooks.update",
    tag="webhooks",
    summary="Change a webhook (owners)",
    parameters=[SITE],
    request=ref("WebhookWrite"),
    responses={200: answer(data_of(ref("Webhook")), "The webhook.")},
)
delete_webhook = operation(
    "webhooks.delete",
    tag="webhooks",
    summary="Delete a webhook (owners)",
    parameters=[SITE],
    responses={200: answer(DELETED, "Deleted.")},
)
list_deliveries = operation(
    "webhooks.deliveries",
    tag="webhooks",
    summary="A webhook's delivery log, newest first (owners)",
    parameters=PAGE,
    responses={
        200: answer(data_of({"type": "array", "items": ref("WebhookDelivery")}, meta=PAGED), "A page of deliveries.")
    },
)
get_delivery = operation(
    "webhooks.delivery",
    tag="webhooks",
    summary="One delivery with the payload sent (owners)",
    parameters=[SITE],
    responses={200: answer(data_of(ref("WebhookDelivery")), "The delivery.")},
)
redeliver = operation(
    "webhooks.redeliver",
    tag="webhooks",
    summary="Send a delivery again (owners)",
    parameters=[SITE],
    responses={202: answer(data_of(ref("WebhookDelivery")), "Queued again.")},
)
