"""Writes of webhooks: create, update, delete, redeliver. Owners only (`Action.MANAGE`).

Each write of a webhook drops the current transaction's read of the site's active webhooks
(`webhooks.outbox.forget_active_hooks`), right away and inside the transaction (that read lives only as long
as the transaction): block writes that follow it in the same transaction then see the webhook as it now is.
"""

from __future__ import annotations

import secrets
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks.models import BlockType
from cms import errors, messages
from cms.conf import cms_setting
from locales.selectors import enabled_locale_codes
from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from webhooks.outbox import forget_active_hooks
from webhooks.payloads import EVENTS
from webhooks.targets import TargetRefused, checked_addresses
from webhooks.tasks import cancel_pending, enqueue_delivery, is_stuck

SECRET_PREFIX = "whsec_"
MIN_SECRET_LENGTH = 16
MAX_NAME_LENGTH = 200


class WebhookValues(TypedDict, total=False):
    """What a webhook write sets (model field names); a key left out is left as it is."""

    url: str
    name: str
    events: list[str]
    block_types: list[str]
    locales: list[str]
    is_active: bool
    secret: str


URL_MESSAGE = "Must be an http:// or https:// URL of at most 2,048 characters."
SECRET_MESSAGE = f"Must be a string of {MIN_SECRET_LENGTH} to 200 characters."


def _string_list(values: list[str], key: str, allowed: set[str], what: str, problems: dict[str, str]) -> list[str]:
    for index, item in enumerate(values):
        if item not in allowed:
            problems[f"{key}[{index}]"] = f"`{item}` is not {what}: one of {', '.join(sorted(allowed))}."
    return list(dict.fromkeys(values))


def clean_webhook_values(site: Site, values: WebhookValues, *, creating: bool) -> WebhookValues:
    """The values to write, checked: every problem reported at once, named by model field (`block_types[0]`).

    The values have their types already (the API's input serializer and the admin's form checked them); a new
    webhook needs a `url` (`creating`)."""
    problems: dict[str, str] = {}
    clean: WebhookValues = {}
    if creating and "url" not in values:
        problems["url"] = messages.REQUIRED
    if "url" in values:
        url = values["url"]
        if len(url) > 2048:
            problems["url"] = URL_MESSAGE
        else:
            try:
                checked_addresses(url)
                clean["url"] = url
            except TargetRefused as exc:
                problems["url"] = str(exc)
    if "name" in values:
        if len(values["name"]) > MAX_NAME_LENGTH:
            problems["name"] = messages.too_long(MAX_NAME_LENGTH)
        else:
            clean["name"] = values["name"].strip()
    if "events" in values:
        clean["events"] = _string_list(values["events"], "events", set(EVENTS), "an event", problems)
    if "block_types" in values:
        clean["block_types"] = _string_list(
            values["block_types"], "block_types", set(BlockType.values), "a block type", problems
        )
    if "locales" in values:
        clean["locales"] = _string_list(
            values["locales"], "locales", set(enabled_locale_codes(site)), "a locale of this site", problems
        )
    if "is_active" in values:
        clean["is_active"] = values["is_active"]
    if "secret" in values:
        if not MIN_SECRET_LENGTH <= len(values["secret"]) <= 200:
            problems["secret"] = SECRET_MESSAGE
        else:
            clean["secret"] = values["secret"]
    if problems:
        raise errors.ValidationFailed(fields=problems)
    return clean


def require_manage(actor: Actor) -> None:
    """Only the site's owners manage webhooks (checked before any value is read)."""
    actor.require(Action.MANAGE, "Only the site's owners manage webhooks.")


def webhook_create(*, actor: Actor, values: WebhookValues) -> Webhook:
    require_manage(actor)
    clean = clean_webhook_values(actor.site, values, creating=True)
    clean.setdefault("secret", SECRET_PREFIX + secrets.token_urlsafe(32))
    user = actor.user if getattr(actor.user, "pk", None) else None
    webhook = Webhook.objects.create(site=actor.site, created_by=user, **clean)
    forget_active_hooks(webhook.site_id)
    return webhook


def webhook_update(*, actor: Actor, webhook: Webhook, changes: WebhookValues) -> Webhook:
    """Change a webhook. Deactivating it cancels its pending deliveries at once (failed, `CANCELLED_ERROR`):
    an owner who switches a webhook off expects nothing more to reach it, queued retries included (the retry
    itself checks too, see `webhooks.tasks.attempt_delivery`). Reactivating resumes nothing by itself; a
    cancelled delivery can be redelivered."""
    require_manage(actor)
    clean = clean_webhook_values(actor.site, changes, creating=False)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        was_active = webhook.is_active
        for field, value in clean.items():
            setattr(webhook, field, value)
        webhook.updated_at = timezone.now()
        webhook.save()
        if was_active and not webhook.is_active:
            cancel_pending(webhook.pk)
        forget_active_hooks(webhook.site_id)
    return webhook


def webhook_delete(*, actor: Actor, webhook: Webhook) -> None:
    """Delete a webhook and its delivery log with it (a log without its webhook could be neither read through
    the API nor redelivered); tasks still queued for those deliveries find nothing and do nothing."""
    require_manage(actor)
    with transaction.atomic():
        WebhookDelivery.objects.filter(webhook_id=webhook.pk).delete()
        webhook.delete()
        forget_active_hooks(webhook.site_id)


def delivery_redeliver(*, actor: Actor | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same id and body), with a fresh retry budget.

    A delivery of an inactive webhook is refused (409): it would only be cancelled again. One being sent
    right now is left alone (409), unless it has been `sending` for far longer than a send
    can take (its worker died mid-send).
    """
    if actor is not None:
        require_manage(actor)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("webhook").get(pk=delivery.pk)
        if not delivery.webhook.is_active:
            raise errors.Conflict("This webhook is inactive: activate it before redelivering.")
        if delivery.status == DeliveryStatus.SENDING and not is_stuck(delivery):
            raise errors.Conflict("This delivery is being sent right now; try again in a moment.")
        delivery.status = DeliveryStatus.PENDING
        delivery.attempt_limit = delivery.attempts + max(1, int(cms_setting("WEBHOOKS_MAX_ATTEMPTS")))
        delivery.next_attempt_at = None
        delivery.save()
        enqueue_delivery(delivery.pk)
    return delivery
