"""Output shapes of the releases API (camelCase, timestamps in UTC with milliseconds)."""

from __future__ import annotations

from rest_framework import serializers

from cms.api.formats import iso_ms
from cms.api.openapi import envelope, message_answer, page_of
from releases.models import Release, ReleaseItem


class ReleaseItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    locale = serializers.CharField()
    name = serializers.CharField()
    action = serializers.CharField(help_text="`publish` or `unpublish`.")
    versionAdded = serializers.IntegerField(help_text="The block's version when it was added: what was reviewed.")
    currentVersion = serializers.IntegerField()
    changedSinceAdded = serializers.BooleanField(help_text="A conflict: the block was edited after it was added.")
    addedAt = serializers.DateTimeField()


class ReleaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField(help_text="`open`, `published` or `rolled_back`.")
    version = serializers.IntegerField()
    itemCount = serializers.IntegerField()
    items = ReleaseItemSerializer(many=True, required=False, help_text="One release only, not in lists.")
    createdAt = serializers.DateTimeField()
    publishedAt = serializers.DateTimeField(allow_null=True)
    rolledBackAt = serializers.DateTimeField(allow_null=True)
    scheduledAt = serializers.DateTimeField(allow_null=True, help_text="When the worker publishes it (UTC).")
    scheduleFailure = serializers.JSONField(
        allow_null=True, help_text="Why the last scheduled publish failed: `{code, message, fields}`."
    )


ReleaseAnswer = envelope("ReleaseAnswer", ReleaseSerializer())
ReleaseList = page_of("ReleaseList", ReleaseSerializer)
ReleaseItemAnswer = envelope("ReleaseItemAnswer", ReleaseItemSerializer())
ReleaseDeleted = message_answer("ReleaseDeleted", "Release deleted")
ReleaseItemRemoved = message_answer("ReleaseItemRemoved", "Item removed")


def etag(release: Release) -> str:
    return f'"{release.pk}-{release.version}"'


def item_payload(item: ReleaseItem) -> dict:
    block = item.block
    return {
        "id": item.pk,
        "slug": block.slug,
        "locale": block.locale,
        "name": block.name,
        "action": item.action,
        "versionAdded": item.version_added,
        "currentVersion": block.version,
        "changedSinceAdded": block.version != item.version_added,
        "addedAt": iso_ms(item.added_at),
    }


def release_payload(release: Release, items: list[ReleaseItem] | None = None) -> dict:
    payload: dict = {
        "id": release.pk,
        "name": release.name,
        "description": release.description,
        "status": release.status,
        "version": release.version,
        "itemCount": len(items) if items is not None else getattr(release, "item_count", 0),
        "createdAt": iso_ms(release.created_at),
        "publishedAt": iso_ms(release.published_at),
        "rolledBackAt": iso_ms(release.rolled_back_at),
        "scheduledAt": iso_ms(release.scheduled_at),
        "scheduleFailure": release.schedule_failure,
    }
    if items is not None:
        payload["items"] = [item_payload(item) for item in items]
    return payload
