"""Units of the bulk write a template change uses: `rewrite_locked_many`, `save_rows`, `record_block_revisions`.

Each row goes through the same tail as `rewrite_locked` (version, revision with its change list, event; a row
left as it was is not written), in a number of queries that does not grow with the rows of a batch; the
revisions continue each block's numbering and snapshot it exactly as the one-row recorder does. These run on
SQLite and, with DATABASE_URL, on PostgreSQL, where the statements are hand-written.
"""

from __future__ import annotations

import pytest
from django.core import serializers
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from blocks import events
from blocks.models import SiteBlock
from blocks.services import block_create, block_update_data
from blocks.services.writing import rewrite_locked_many, save_rows
from revisions.models import BlockRevision
from revisions.recording import snapshots

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string"}, {"name": "flag", "type": "boolean"}]


def blocks(actor, count: int) -> list[SiteBlock]:
    made = [block_create(actor=actor, name=f"B{i}", type="global", schema=SCHEMA) for i in range(count)]
    block_update_data(actor=actor, block=made[0], data={"title": "second revision"}, expected_version=None)
    return list(SiteBlock.objects.order_by("pk"))


def rewrite(actor, rows: list[SiteBlock], values) -> list[SiteBlock]:
    heard: list = []
    with transaction.atomic(), events.together():
        locked = list(SiteBlock.objects.select_for_update().filter(pk__in=[b.pk for b in rows]).order_by("pk"))
        written = rewrite_locked_many(
            [(block, {"data": values(block)}) for block in locked], actor=actor, comment="Bulk", event="block.updated"
        )
        heard = [block.pk for block in written]
    return heard


def test_each_row_goes_through_the_tail_and_a_row_left_as_it_was_is_not_written(actor, subscribe):
    rows = blocks(actor, 3)
    announced: list = []
    subscribe(events.recorded, lambda batch: announced.extend((e.event, e.block_id) for e in batch))
    versions = {b.pk: b.version for b in rows}
    written = rewrite(actor, rows, lambda b: {"title": "same"} if b.pk != rows[2].pk else b.data)
    assert written == [rows[0].pk, rows[1].pk]
    after = {b.pk: b for b in SiteBlock.objects.all()}
    assert [after[pk].version - versions[pk] for pk in versions] == [1, 1, 0]
    assert after[rows[0].pk].data == {"title": "same"}
    assert announced == [("block.updated", rows[0].pk), ("block.updated", rows[1].pk)]
    numbers = dict(BlockRevision.objects.filter(comment="Bulk").values_list("block_id", "number"))
    assert numbers == {rows[0].pk: 3, rows[1].pk: 2}  # each block's numbering continues
    entry = BlockRevision.objects.get(comment="Bulk", block_id=rows[0].pk)
    assert entry.changes == [{"field": "data.title", "from": "second revision", "to": "same"}]


def test_the_queries_do_not_grow_with_the_rows_of_a_batch(actor):
    rows = blocks(actor, 12)

    def queries(subset, value):
        with CaptureQueriesContext(connection) as captured:
            rewrite(actor, subset, lambda b: {"title": value})
        return len(captured)

    assert queries(rows[:2], "a") == queries(rows, "b")


def test_a_column_the_same_in_every_row_keeps_each_rows_json_type(actor):
    rows = blocks(actor, 2)
    rows[0].data, rows[1].data = {"flag": True}, {"flag": 1}  # equal in Python, not in JSON
    with transaction.atomic():
        save_rows(rows, ["data"])
    stored = dict(SiteBlock.objects.values_list("pk", "data"))
    assert stored[rows[0].pk] == {"flag": True} and stored[rows[0].pk]["flag"] is True
    assert stored[rows[1].pk]["flag"] == 1 and stored[rows[1].pk]["flag"] is not True


def test_snapshots_are_what_the_one_row_recorder_writes(actor):
    rows = blocks(actor, 2)
    rows[0].data = {"title": 'Été "quoted" <b>'}
    assert snapshots(rows) == [serializers.serialize("json", [block]) for block in rows]
