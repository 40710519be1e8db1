"""`Asset`: one uploaded file of a site (an image or any other file), with what editors and readers need.

The bytes live in Django's default storage (`STORAGES["default"]`, the local file system under `var/media` unless
configured otherwise), under a name of their own per upload (`sites/<site id>/<random>/<file name>`): replacing
an asset's file gives it a new name, so its URL changes and no cache (browser, CDN) can serve the old bytes.
Everything else is a column: the MIME type sniffed from the bytes, size, pixel size of images, the SHA-256 of
the bytes (the same bytes uploaded twice to a site are one asset unless the upload asks otherwise), title, alt
text per locale (`{"en": "…", "fr": "…"}`), an optional focal point (0..1 on each axis) and tags.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models


class AssetKind(models.TextChoices):
    IMAGE = "image", "Image"
    FILE = "file", "File"


class AssetQuerySet(models.QuerySet):
    def for_site(self, site) -> AssetQuerySet:
        return self.filter(site=site)

    def with_tag(self, tag: str) -> AssetQuerySet:
        """Assets carrying `tag` (a JSON array column: jsonb containment on PostgreSQL, json_each on SQLite)."""
        if connection.vendor == "postgresql":
            return self.filter(tags__contains=[tag])
        table = self.model._meta.db_table
        return self.extra(  # type: ignore[return-value]  # `extra` is typed as answering a plain QuerySet
            where=[f'EXISTS (SELECT 1 FROM json_each("{table}"."tags") WHERE json_each.value = %s)'], params=[tag]
        )


class Asset(models.Model):
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="assets")
    file = models.FileField(max_length=400)
    original_name = models.CharField(max_length=255, help_text="The file name as uploaded (cleaned).")
    kind = models.CharField(max_length=10, choices=AssetKind.choices)
    mime_type = models.CharField(max_length=100, help_text="Sniffed from the bytes, never taken from the name.")
    size = models.BigIntegerField(help_text="Bytes, as stored (after metadata was stripped).")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    color = models.CharField(max_length=7, blank=True, help_text="Raster images: the average colour, `#rrggbb`.")
    sha256 = models.CharField(max_length=64, help_text="Of the bytes as uploaded (what a re-upload is matched by).")
    title = models.CharField(max_length=200, blank=True)
    alt = models.JSONField(default=dict, blank=True, help_text='Alt text per locale: {"en": "…"}.')
    focal_x = models.FloatField(null=True, blank=True)
    focal_y = models.FloatField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["site", "sha256"], name="asset_site_sha256"),
            models.Index(fields=["site", "-created_at"], name="asset_site_created"),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name

    def alt_in(self, chain: list[str]) -> str:
        """The alt text of the first locale of `chain` that has one ("" when none does)."""
        alt = self.alt if isinstance(self.alt, dict) else {}
        for code in chain:
            text = alt.get(code)
            if isinstance(text, str) and text:
                return text
        return ""

    @property
    def url(self) -> str:
        return self.file.url
