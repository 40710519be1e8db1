"""Give every field of every stored schema its `id` (issue 18, item 1: stable field identity).

Copies of one block (a translation group) get the same ids, field by field (matched by name at the same place,
as `schema.identity.with_ids` matches), so a later schema change lines their data up. Published snapshots and
revisions are left as they are: the live answer does not change under anyone's feet, and a snapshot's schema
takes ids at the next publish.
"""

from __future__ import annotations

from django.db import migrations

from schema.identity import with_ids


def assign_ids(apps, schema_editor):
    SiteBlock = apps.get_model("blocks", "SiteBlock")
    first_of_group: dict[tuple, list] = {}
    rows = SiteBlock.objects.only("pk", "site_id", "translation_key", "schema").order_by("pk")
    for block in rows.iterator(chunk_size=500):
        if not isinstance(block.schema, list):
            continue
        group = (block.site_id, block.translation_key)
        schema = with_ids(block.schema, first_of_group.get(group))
        first_of_group.setdefault(group, schema)
        if schema is not block.schema:
            SiteBlock.objects.filter(pk=block.pk).update(schema=schema)


class Migration(migrations.Migration):
    dependencies = [("blocks", "0005_resanitize_richtext")]

    operations = [migrations.RunPython(assign_ids, migrations.RunPython.noop, elidable=True)]
