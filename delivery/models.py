"""The one table of the delivery app: invalidations the cache could not take, kept until it can.

Why in the database: a publish made while Redis is unreachable must still reach the cache once Redis is
back, or the old answer would be served until it expires (`CMS_DELIVERY_CACHE_SECONDS`, an hour). The
database is the one store the write itself needed, so the record is as durable as the write. Rows live only
while the cache is down; `delivery.cache.replay_pending` applies and deletes them when it answers again.
"""

from django.contrib.postgres.search import SearchVectorField
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


class SyncCounter(models.Model):
    """A site's sync sequence: the last number handed out, and the highest tombstone number pruned.

    Why a counter row and not a database sequence: the row is updated in the publishing transaction and stays
    locked until it commits, so a second writer of the same site takes its number only after the first has
    committed. Numbers therefore become visible in order, and a reader that has seen number n can never later
    find a smaller one appear (with a PostgreSQL sequence, 7 can commit before 6, and a reader at 7 skips 6).
    """

    site = models.OneToOneField("accounts.Site", on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_sequence = models.BigIntegerField(default=0)
    # Tombstones up to this number were pruned: a cursor older than this may have missed a delete (410).
    pruned_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"site {self.site_id}: {self.last_sequence}"


class SyncEntry(models.Model):
    """What the sync feed says of one block in one locale: its latest change (an upsert or a tombstone) and
    the sequence number of that change. One row per `(site, slug, locale)`: a later change moves the row to a
    new number, so a sync from a cursor lists each changed block once, in its latest state."""

    class Op(models.TextChoices):
        UPSERT = "upsert"
        DELETE = "delete"

    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="+")
    slug = models.CharField(max_length=200)
    locale = models.CharField(max_length=35)
    block_id = models.BigIntegerField(null=True)  # not a foreign key: a tombstone outlives its block
    op = models.CharField(max_length=8, choices=Op.choices)
    sequence = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "slug", "locale"], name="syncentry_unique_block_locale"),
            models.UniqueConstraint(fields=["site", "sequence"], name="syncentry_unique_sequence"),
        ]
        indexes = [models.Index(fields=["op", "changed_at"], name="syncentry_tombstone_age")]

    def __str__(self) -> str:
        return f"{self.sequence} {self.op} {self.slug}/{self.locale}"


class SearchDocument(models.Model):
    """The searchable text of one published block (`delivery.search`): its string, text and richtext fields
    as plain text, in its locale's language. Written in the transaction of the write that changes what is
    live (`blocks.events.recorded`), removed when the block is unpublished or deleted.

    Why a table of its own and not a column of the block: the block app knows nothing of search, and the
    document is derived (`manage.py rebuild_search` writes it again from the snapshots). Why no database
    foreign key (`db_constraint=False`, `DO_NOTHING`): deleting a block must not cost the collector a query;
    the recorder deletes the document with the block, and a join never finds a document without its block.
    """

    block = models.OneToOneField(
        "blocks.SiteBlock",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="search_document",
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="+")
    locale = models.CharField(max_length=35)
    # The PostgreSQL text search configuration of the locale's language (`english`, `french`, … or `simple`).
    config = models.CharField(max_length=32)
    # The plain text (richtext without markup): ts_headline's input for snippets.
    text = models.TextField()
    # SQLite's fallback: the text's words case-folded, each wrapped in spaces (` cloud  hosting `); empty on
    # PostgreSQL, which matches `vector`.
    words = models.TextField(blank=True, default="")
    # PostgreSQL: `to_tsvector(config, text)`, GIN-indexed (migration 0003). NULL on SQLite.
    vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return f"block {self.block_id} ({self.locale})"


class RenderedAnswer(models.Model):
    """A published block's delivery answer, rendered when it was published (`delivery.rendered`): the bytes a
    cache miss serves after ONE indexed query, with no JSON encoding.

    One row per block row and kind of answer: by slug (`kind` `b`, `ident` the slug) and, for a page, by path
    (`kind` `p`, `ident` the path's digest), in the block's own locale. A request in another locale that falls
    back to this one finds it in the same query (`locale IN chain`; the earliest locale of the chain wins).
    `dynamic`: the answer fills dataSource fields, so it is rendered at read time and no bytes are kept.
    `stale`: a site or locale change may have changed it; read-time rendering serves it until the worker (or
    `rebuild_delivery`) renders it again. Times are epoch seconds: `live_from` the block's publish time,
    `expires_at` the instant the answer stops being true (a scheduled unpublish, its own or an alternate's).
    """

    class Kind(models.TextChoices):
        BLOCK = "b"
        PAGE = "p"

    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    ident = models.CharField(max_length=200)  # the slug, or the page path's digest (`delivery.cache.digest`)
    locale = models.CharField(max_length=35)
    block_id = models.BigIntegerField()  # not a foreign key: rows go with their block through the wiring
    status = models.PositiveSmallIntegerField(default=200)
    body = models.BinaryField(default=b"")
    gzipped = models.BinaryField(null=True)
    etag = models.CharField(max_length=64, default="")
    keys = models.TextField(default="")  # the CDN keys (`delivery.cdn`): what the answer depends on
    live_from = models.FloatField(null=True)
    expires_at = models.FloatField(null=True)
    dynamic = models.BooleanField(default=False)
    locale_dependent = models.BooleanField(default=False)  # a page (alternates) or an answer showing assets
    stale = models.BooleanField(default=False)
    # what the answer was rendered from, besides the published content (`delivery.prerender.fingerprint`): a
    # write to a published block that leaves it as it was (a working-copy edit) renders nothing again
    fingerprint = models.CharField(max_length=32, default="")
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "ident", "locale"], name="renderedanswer_unique_answer"),
        ]
        indexes = [
            models.Index(fields=["block_id"], name="renderedanswer_block"),
            models.Index(fields=["site", "stale"], name="renderedanswer_site_stale"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ident}/{self.locale}"
