"""The sync feed's change log (`delivery.changelog`): a counter per site and one entry per block and locale.
Blocks published before it existed get upsert entries here, numbered per site, so a first sync lists them."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def backfill(apps, schema_editor):
    SiteBlock = apps.get_model("blocks", "SiteBlock")
    SyncCounter = apps.get_model("delivery", "SyncCounter")
    SyncEntry = apps.get_model("delivery", "SyncEntry")
    now = django.utils.timezone.now()
    published = SiteBlock.objects.filter(status="published").order_by("site_id", "id")
    counters: dict[int, int] = {}
    batch = []
    for block_id, site_id, slug, locale in published.values_list("id", "site_id", "slug", "locale").iterator():
        counters[site_id] = counters.get(site_id, 0) + 1
        batch.append(
            SyncEntry(
                site_id=site_id,
                slug=slug,
                locale=locale,
                block_id=block_id,
                op="upsert",
                sequence=counters[site_id],
                changed_at=now,
            )
        )
        if len(batch) >= 1000:
            SyncEntry.objects.bulk_create(batch)
            batch = []
    SyncEntry.objects.bulk_create(batch)
    SyncCounter.objects.bulk_create([SyncCounter(site_id=site, last_sequence=last) for site, last in counters.items()])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("delivery", "0001_initial"),
        ("blocks", "0006_field_ids"),
    ]

    operations = [
        migrations.CreateModel(
            name="SyncCounter",
            fields=[
                (
                    "site",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.site",
                    ),
                ),
                ("last_sequence", models.BigIntegerField(default=0)),
                ("pruned_through", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="SyncEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.CharField(max_length=200)),
                ("locale", models.CharField(max_length=35)),
                ("block_id", models.BigIntegerField(null=True)),
                ("op", models.CharField(choices=[("upsert", "Upsert"), ("delete", "Delete")], max_length=8)),
                ("sequence", models.BigIntegerField()),
                ("changed_at", models.DateTimeField()),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.site"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["op", "changed_at"], name="syncentry_tombstone_age")],
                "constraints": [
                    models.UniqueConstraint(fields=("site", "slug", "locale"), name="syncentry_unique_block_locale"),
                    models.UniqueConstraint(fields=("site", "sequence"), name="syncentry_unique_sequence"),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
