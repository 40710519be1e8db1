"""Reads of webhooks and deliveries, always scoped to the actor's site (another site's id is `not_found`)."""

from __future__ import annotations

import uuid

from accounts.permissions import Action, Actor
from cms import errors
from cms.digits import parse_decimal
from webhooks.models import Webhook, WebhookDelivery


def webhooks_for_actor(actor: Actor):
    actor.require(Action.MANAGE, "Only the site's owners manage webhooks.")
    return Webhook.objects.filter(site=actor.site).order_by("id")


def webhook_for_actor(actor: Actor, webhook_id: str) -> Webhook:
    pk = parse_decimal(webhook_id)
    found = webhooks_for_actor(actor).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise errors.NotFound(f"No webhook {webhook_id} on this site.")
    return found


def deliveries_for_webhook(webhook: Webhook):
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")


def delivery_for_webhook(webhook: Webhook, delivery_id: str) -> WebhookDelivery:
    try:
        key = uuid.UUID(delivery_id)
    except ValueError:
        key = None
    found = deliveries_for_webhook(webhook).filter(pk=key).first() if key else None
    if found is None:
        raise errors.NotFound(f"No delivery {delivery_id} of this webhook.")
    return found
