"""Indexes for the delivery list's field filters (`blocks.fieldquery`), on PostgreSQL: GIN (jsonb_path_ops) on the
published snapshot's schema and data, which serve the containment (`@>`) conditions the filters add.

- `siteblock_live_schema_gin`: the `schemaOf` narrowing (blocks whose live schema has the filtered field, by
  name and type), asked as `published_snapshot -> 'schema' @> '[{"name": …, "type": …}]'`;
- `siteblock_live_data_gin`: equality filters (`eq`, `in` on string, text, select, boolean fields), asked as
  `published_snapshot -> 'data' @> '{"kind": "a"}'`.

docs/delivery-api.md "Filtering and ordering" gives the index plan of each operator. SQLite has no GIN: the
operations do nothing there (its filters read the rows of one site and locale).
"""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """`RunSQL` that runs on PostgreSQL and does nothing elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("delivery", "0003_search_documents"), ("blocks", "0007_blocks_follow_templates")]
    operations = [
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS siteblock_live_schema_gin ON blocks_siteblock "
            "USING gin ((published_snapshot -> 'schema') jsonb_path_ops)",
            "DROP INDEX IF EXISTS siteblock_live_schema_gin",
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS siteblock_live_data_gin ON blocks_siteblock "
            "USING gin ((published_snapshot -> 'data') jsonb_path_ops)",
            "DROP INDEX IF EXISTS siteblock_live_data_gin",
        ),
    ]
