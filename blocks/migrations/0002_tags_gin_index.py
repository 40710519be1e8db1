"""A GIN index on `tags` for PostgreSQL, where the `tags` filter uses jsonb's `?|` operator.

SQLite has no such index type; its filter goes through `json_each` on the rows of one site and locale.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS siteblock_tags_gin ON blocks_siteblock USING gin (tags)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS siteblock_tags_gin")


class Migration(migrations.Migration):
    dependencies = [("blocks", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
