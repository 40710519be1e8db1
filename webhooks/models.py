"""A site's webhooks and the log of their deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Webhook(models.Model):
    """Where to send which block events of a site. Empty filter lists mean "all"."""

    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2048)
    secret = models.CharField(max_length=200, help_text="Signs each delivery (HMAC-SHA256).")
    events = models.JSONField(default=list, blank=True)
    block_types = models.JSONField(default=list, blank=True)
    locales = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or self.url

    def wants(self, *, event: str, block_type: str, locale: str) -> bool:
        return (
            (not self.events or event in self.events)
            and (not self.block_types or block_type in self.block_types)
            and (not self.locales or locale in self.locales)
        )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one webhook. Its id is the `X-CMS-Delivery` header, the same on every attempt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    body = models.TextField(help_text="The exact JSON body sent on every attempt.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    attempt_limit = models.PositiveIntegerField(default=1)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker started the current send.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="webhookdelivery_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook} ({self.status})"
