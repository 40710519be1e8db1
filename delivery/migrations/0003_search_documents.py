"""Search documents (`delivery.search`), and on PostgreSQL the GIN index their `@@` match reads through.

SQLite has no GIN; its fallback matches `words` with LIKE among the rows of one site (docs/delivery-api.md).
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
    ]
