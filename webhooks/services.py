"""Writes of webhooks: create, update, delete, redeliver. Owners only (`Action.MANAGE`)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks.events import EVENTS
from blocks.models import BlockType
from cms import errors
from cms.conf import cms_setting
from locales.selectors import enabled_locale_codes
from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from webhooks.targets import TargetRefused, checked_addresses

SECRET_PREFIX = "whsec_"
MIN_SECRET_LENGTH = 16

# API key -> model field
FIELDS = {
    "url": "url",
    "name": "name",
    "events": "events",
    "blockTypes": "block_types",
    "locales": "locales",
    "isActive": "is_active",
    "secret": "secret",
}


def _string_list(value: object, key: str, allowed: set[str] | None, what: str, problems: dict) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems[key] = "Must be a list of strings."
        return []
    for index, item in enumerate(value):
        if allowed is not None and item not in allowed:
            problems[f"{key}[{index}]"] = f"`{item}` is not {what}: one of {', '.join(sorted(allowed))}."
    return list(dict.fromkeys(value))


def clean_webhook_input(site: Site, body: dict, *, creating: bool) -> dict:
    """Model field values from an API body, every problem reported at once with its key."""
    problems: dict[str, str] = {}
    values: dict = {}
    if creating and "url" not in body:
        problems["url"] = "This field is required."
    if "url" in body:
        url = body["url"]
        if not isinstance(url, str) or len(url) > 2048:
            problems["url"] = "Must be an http:// or https:// URL of at most 2,048 characters."
        else:
            try:
                checked_addresses(url)
                values["url"] = url
            except TargetRefused as exc:
                problems["url"] = str(exc)
    if "name" in body:
        if not isinstance(body["name"], str) or len(body["name"]) > 200:
            problems["name"] = "Must be a string of at most 200 characters."
        else:
            values["name"] = body["name"].strip()
    if "events" in body:
        values["events"] = _string_list(body["events"], "events", set(EVENTS), "a block event", problems)
    if "blockTypes" in body:
        values["block_types"] = _string_list(
            body["blockTypes"], "blockTypes", set(BlockType.values), "a block type", problems
        )
    if "locales" in body:
        values["locales"] = _string_list(
            body["locales"], "locales", set(enabled_locale_codes(site)), "a locale of this site", problems
        )
    if "isActive" in body:
        if not isinstance(body["isActive"], bool):
            problems["isActive"] = "Must be true or false."
        else:
            values["is_active"] = body["isActive"]
    if "secret" in body:
        secret = body["secret"]
        if not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= 200:
            problems["secret"] = f"Must be a string of {MIN_SECRET_LENGTH} to 200 characters."
        else:
            values["secret"] = secret
    if problems:
        raise errors.ValidationFailed(fields=problems)
    return values


def webhook_create(*, actor: Actor, body: dict) -> Webhook:
    actor.require(Action.MANAGE, "Only the site's owners manage webhooks.")
    values = clean_webhook_input(actor.site, body, creating=True)
    values.setdefault("secret", SECRET_PREFIX + secrets.token_urlsafe(32))
    user = actor.user if getattr(actor.user, "pk", None) else None
    return Webhook.objects.create(site=actor.site, created_by=user, **values)


def webhook_update(*, actor: Actor, webhook: Webhook, body: dict) -> Webhook:
    actor.require(Action.MANAGE, "Only the site's owners manage webhooks.")
    values = clean_webhook_input(actor.site, body, creating=False)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        for field, value in values.items():
            setattr(webhook, field, value)
        webhook.updated_at = timezone.now()
        webhook.save()
    return webhook


def webhook_delete(*, actor: Actor, webhook: Webhook) -> None:
    actor.require(Action.MANAGE, "Only the site's owners manage webhooks.")
    webhook.delete()


def delivery_redeliver(*, actor: Actor | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same id and body), with a fresh retry budget.

    One being sent right now is left alone (409), unless it has been `sending` for far longer than a send
    can take (its worker died mid-send).
    """
    if actor is not None:
        actor.require(Action.MANAGE, "Only the site's owners manage webhooks.")
    from webhooks.sending import is_stuck
    from webhooks.tasks import enqueue_delivery

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.SENDING and not is_stuck(delivery):
            raise errors.Conflict("This delivery is being sent right now; try again in a moment.")
        delivery.status = DeliveryStatus.PENDING
        delivery.attempt_limit = delivery.attempts + max(1, int(cms_setting("WEBHOOKS_MAX_ATTEMPTS")))
        delivery.next_attempt_at = None
        delivery.save()
        enqueue_delivery(delivery.pk)
    return delivery
