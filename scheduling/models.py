"""One row per block that was ever scheduled: the scheduling users and the last failure of a scheduled publish."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cms.api.formats import iso_ms


class BlockSchedule(models.Model):
    block = models.OneToOneField("blocks.SiteBlock", on_delete=models.CASCADE, related_name="schedule")
    publish_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unpublish_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.TextField(blank=True)
    failure_fields = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["failed_at"], name="blockschedule_failed_at")]

    def __str__(self) -> str:
        return f"Schedule of {self.block_id}"

    def failure_payload(self) -> dict | None:
        if self.failed_at is None:
            return None
        return {"at": iso_ms(self.failed_at), "message": self.failure_message, "fields": self.failure_fields or {}}
