"""The one table of the delivery app: invalidations the cache could not take, kept until it can.

Why in the database: a publish made while Redis is unreachable must still reach the cache once Redis is
back, or the old answer would be served until it expires (`CMS_DELIVERY_CACHE_SECONDS`, an hour). The
database is the one store the write itself needed, so the record is as durable as the write. Rows live only
while the cache is down; `delivery.cache.replay_pending` applies and deletes them when it answers again.
"""

from django.db import models


class PendingInvalidation(models.Model):
    """One invalidation to apply to the shared cache when it is reachable again."""

    class Kind(models.TextChoices):
        GENERATION = "generation"  # target: a site slug; bump its generation (every answer of the site)
        SITE = "site"  # target: a site slug; drop its cached facts, then bump its generation
        TOKEN = "token"  # target: a token hash; drop its cached rights

    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"
