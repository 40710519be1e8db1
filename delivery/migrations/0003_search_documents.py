"""Search documents (`delivery.search`), and on PostgreSQL the GIN index their `@@` match reads through.

SQLite has no GIN; its fallback matches `words` with LIKE among the rows of one site (docs/delivery-api.md).
Blocks published before this migration get their documents here, so search finds them at once after the
upgrade (`manage.py rebuild_search` does the same later, from the current code).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class PostgresOnlySQL(migrations.RunSQL):
    """`RunSQL` that runs on PostgreSQL and does nothing elsewhere (SQLite has no GIN nor tsvector)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_documents(apps, schema_editor):
    # The pure functions of the search module: the text of a snapshot, the language of a locale.
    from delivery.search import config_for, document_text, words_of

    SiteBlock = apps.get_model("blocks", "SiteBlock")
    SearchDocument = apps.get_model("delivery", "SearchDocument")
    postgres = schema_editor.connection.vendor == "postgresql"
    live = SiteBlock.objects.filter(status="published", published_snapshot__isnull=False).order_by("pk")
    rows = live.values_list("pk", "site_id", "locale", "published_snapshot").iterator(chunk_size=500)
    batch: list = []

    def flush():
        documents = [(pk, site, locale, config_for(locale), document_text(snap)) for pk, site, locale, snap in batch]
        if postgres:
            values = ", ".join(["(%s, %s, %s, %s, %s, '', to_tsvector(%s::regconfig, %s))"] * len(documents))
            params: list = []
            for pk, site, locale, config, text in documents:
                params += [pk, site, locale, config, text, config, text]
            schema_editor.execute(
                "INSERT INTO delivery_searchdocument (block_id, site_id, locale, config, text, words, vector) "
                f"VALUES {values} ON CONFLICT (block_id) DO NOTHING",
                params,
            )
        else:
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(block_id=pk, site_id=site, locale=locale, config=config, text=text, words=words_of(text))
                    for pk, site, locale, config, text in documents
                ],
                ignore_conflicts=True,
            )
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= 200:
            flush()
    if batch:
        flush()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_site_preview_url'),
        ('blocks', '0007_blocks_follow_templates'),
        ('delivery', '0002_sync_change_log'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('block', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_document', serialize=False, to='blocks.siteblock')),
                ('locale', models.CharField(max_length=35)),
                ('config', models.CharField(max_length=32)),
                ('text', models.TextField()),
                ('words', models.TextField(blank=True, default='')),
                ('vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.site')),
            ],
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS searchdocument_vector_gin ON delivery_searchdocument USING gin (vector)",
            "DROP INDEX IF EXISTS searchdocument_vector_gin",
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
    ]
