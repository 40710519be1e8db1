"""Re-sanitise every richtext value already stored (issue 14, item 1).

Before the write path's tail sanitised richtext under the schema being saved, a `string` value turned
`richtext` by a schema change (and a richtext `default`) was stored as sent. This runs the same sanitiser
over every block's schema defaults, working data and published snapshot, so rows written before the fix
hold the same guarantee as rows written after it. Rows already clean are left alone (nh3 is stable on its
own output); a row whose stored schema no longer compiles is left as it is (no write can publish it).
"""

from __future__ import annotations

from django.db import migrations

from schema import clean_defaults, compiled_for


def _clean(schema, data):
    schema = clean_defaults(schema or [])
    return schema, compiled_for(schema).clean(data) if isinstance(data, dict) else data


def resanitize(apps, schema_editor):
    SiteBlock = apps.get_model("blocks", "SiteBlock")
    for block in SiteBlock.objects.only("pk", "schema", "data", "published_snapshot").iterator(chunk_size=500):
        try:
            schema, data = _clean(block.schema, block.data)
            snapshot = block.published_snapshot
            if isinstance(snapshot, dict) and isinstance(snapshot.get("data"), dict):
                live_schema, live_data = _clean(snapshot.get("schema"), snapshot["data"])
                live_data = compiled_for(schema).clean(live_data)
                snapshot = {**snapshot, "schema": live_schema, "data": live_data}
        except Exception:  # noqa: BLE001 - a schema that no longer compiles: nothing to do for that row
            continue
        if (schema, data, snapshot) != (block.schema, block.data, block.published_snapshot):
            SiteBlock.objects.filter(pk=block.pk).update(schema=schema, data=data, published_snapshot=snapshot)


class Migration(migrations.Migration):
    dependencies = [("blocks", "0004_siteblock_due_schedule_indexes")]

    operations = [migrations.RunPython(resanitize, migrations.RunPython.noop, elidable=True)]
