"""A block template: a named, versioned schema of a site, which blocks may follow instead of owning one.

`version` goes up by one on every write (it is the template's ETag, `"<id>-<version>"`, as for blocks). A
block records the version whose schema it has (`SiteBlock.template_ref`); since a schema change is carried
into every follower in the same transaction, followers always have the latest schema, and a change of the
name or the description alone leaves them (and their version) as they are. The slug never changes: blocks
name their template by it in every answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BlockTemplateQuerySet(models.QuerySet["BlockTemplate"]):
    def for_site(self, site) -> BlockTemplateQuerySet:
        return self.filter(site=site)


class BlockTemplate(models.Model):
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="block_templates")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True, default="")
    schema = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = BlockTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="blocktemplate_unique_slug"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="blocktemplate_version_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    @property
    def ref(self) -> dict:
        """What a follower records and its answers show: `{"slug": …, "version": …}`."""
        return {"slug": self.slug, "version": self.version}
