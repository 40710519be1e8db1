"""The site block: a global block (header, footer) or a page with a path, in one locale of one site.

`data` is the editors' working copy; publishing copies schema and data into `published_snapshot`, which is
all the delivery API ever serves. `version` goes up by one on every write and is the block's ETag, so a
stale writer is detected (`If-Match`). Locale copies of one block share a `translation_key`.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone


class BlockType(models.TextChoices):
    GLOBAL = "global", "Global"
    PAGE = "page", "Page"


class BlockStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class SiteBlockQuerySet(models.QuerySet["SiteBlock"]):
    def for_site(self, site) -> SiteBlockQuerySet:
        return self.filter(site=site)

    def in_locale(self, locale: str) -> SiteBlockQuerySet:
        return self.filter(locale=locale)

    def published(self) -> SiteBlockQuerySet:
        return self.filter(status=BlockStatus.PUBLISHED, published_snapshot__isnull=False)

    def with_any_tag(self, tags: list[str]) -> SiteBlockQuerySet:
        """Blocks carrying at least one of `tags` (a JSON array column; see blocks.api.filters)."""
        if connection.vendor == "postgresql":
            return self.filter(tags__has_any_keys=tags)
        placeholders = ", ".join(["%s"] * len(tags))
        table = self.model._meta.db_table
        rows = self.extra(
            where=[f'EXISTS (SELECT 1 FROM json_each("{table}"."tags") WHERE json_each.value IN ({placeholders}))'],
            params=tags,
        )
        return cast(SiteBlockQuerySet, rows)  # `extra` keeps the class; django-stubs says a plain QuerySet

    def live(self, now=None) -> SiteBlockQuerySet:
        """Published and not past a scheduled unpublish time, even if the scheduler is late."""
        now = now or timezone.now()
        return self.published().filter(Q(scheduled_unpublish_at__isnull=True) | Q(scheduled_unpublish_at__gt=now))


class SiteBlock(models.Model):
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="blocks")
    locale = models.CharField(max_length=35)
    translation_key = models.UUIDField(default=uuid.uuid4, db_index=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    type = models.CharField(max_length=10, choices=BlockType.choices)
    path = models.CharField(max_length=2048, null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=BlockStatus.choices, default=BlockStatus.DRAFT)
    schema = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)
    has_unpublished_changes = models.BooleanField(default=False)
    published_snapshot = models.JSONField(null=True, blank=True, help_text="{schema, data} as last published.")
    published_version = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    scheduled_publish_at = models.DateTimeField(null=True, blank=True)
    scheduled_unpublish_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The template this block follows (all its locale copies follow it too), or None when the block owns its
    # schema. `template_ref` is what the answers show, `{"slug": …, "version": …}` of the version whose schema
    # the block has: kept on the row so reads need no join (a template's slug never changes). RESTRICT, not
    # PROTECT: a followed template cannot be deleted alone, but a site goes with its templates and blocks.
    template = models.ForeignKey(
        "blueprints.BlockTemplate", null=True, blank=True, on_delete=models.RESTRICT, related_name="followers"
    )
    template_ref = models.JSONField(null=True, blank=True)
    translation_hashes = models.JSONField(
        default=dict,
        blank=True,
        help_text="{localized data path: fingerprint of the source value this copy's value was translated from}.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SiteBlockQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "locale", "slug"], name="siteblock_unique_slug"),
            models.UniqueConstraint(
                fields=["site", "locale", "path"], condition=Q(path__isnull=False), name="siteblock_unique_path"
            ),
            models.UniqueConstraint(fields=["translation_key", "locale"], name="siteblock_unique_translation_locale"),
            models.CheckConstraint(
                condition=(Q(type=BlockType.GLOBAL) & Q(path__isnull=True))
                | (Q(type=BlockType.PAGE) & Q(path__isnull=False) & Q(path__startswith="/")),
                name="siteblock_path_matches_type",
            ),
            models.CheckConstraint(condition=Q(type__in=BlockType.values), name="siteblock_type_valid"),
            models.CheckConstraint(condition=Q(status__in=BlockStatus.values), name="siteblock_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="siteblock_version_positive"),
        ]
        indexes = [
            models.Index(fields=["site", "locale", "type", "status"], name="siteblock_site_locale_type"),
            models.Index(fields=["site", "locale", "updated_at"], name="siteblock_site_locale_updated"),
            # The worker's due-schedule sweep (`scheduling.services.due_blocks`: publish or unpublish time
            # <= now) reads through these, not the whole table; partial, so they hold only the scheduled blocks.
            models.Index(
                fields=["scheduled_publish_at"],
                condition=Q(scheduled_publish_at__isnull=False),
                name="siteblock_due_publish",
            ),
            models.Index(
                fields=["scheduled_unpublish_at"],
                condition=Q(scheduled_unpublish_at__isnull=False),
                name="siteblock_due_unpublish",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class MachineTranslationConfig(models.Model):
    """A site's machine translation provider (`blocks.machine_translation`): without one, pre-translation is
    not offered at all. The API key is write-only: no API answer or admin page shows it back (only whether
    one is set and its last four characters)."""

    site = models.OneToOneField("accounts.Site", on_delete=models.CASCADE, related_name="machine_translation")
    provider = models.CharField(max_length=40, help_text="A registered provider: `deepl` or `libretranslate`.")
    base_url = models.CharField(max_length=500, help_text="The API's base URL, e.g. https://api-free.deepl.com")
    api_key = models.CharField(max_length=500, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The admin lists it as the translators' exchange page (`editor.translation_exchange`), which also
        # holds the provider's settings.
        verbose_name = "translation exchange"
        verbose_name_plural = "translation exchange"

    def __str__(self) -> str:
        return f"{self.provider} for site {self.site_id}"

    @property
    def key_hint(self) -> str:
        """`…abcd`: enough for an owner to tell which key is set, not enough to use it."""
        return f"…{self.api_key[-4:]}" if len(self.api_key) >= 12 else ("set" if self.api_key else "")
