"""An admin save of name and data together is ONE write: one revision, one version bump, one outbox row.

(The schema is saved on its own page since issue 15: tests/editor/test_admin_schema_page.py.)
"""

from __future__ import annotations

import pytest

from blocks import events
from blocks.models import SiteBlock
from revisions.models import BlockRevision
from tests.editor.conftest import make_block
from tests.editor.helpers import post_change
from tests.ids import without_ids

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string"}, {"name": "count", "type": "number"}]


def test_name_and_data_in_one_save_are_one_revision_one_bump_one_outbox_batch(site, admin_as, subscribe):
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    batches: list[list[events.BlockEvent]] = []
    subscribe(events.recorded, batches.append)

    response = post_change(admin_as("editor"), block, {"d.title": "New", "d.count": "2"}, name="Renamed")

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SiteBlock.objects.get(pk=block.pk)
    assert (saved.name, without_ids(saved.schema), saved.data) == ("Renamed", SCHEMA, {"title": "New", "count": 2})
    assert saved.version == block.version + 1
    revisions = list(BlockRevision.objects.filter(block=block).order_by("number"))
    assert [r.comment for r in revisions] == ["Created", "Updated name, tags or path; Updated data"]
    assert {change["field"] for change in revisions[-1].changes} == {"name", "data.title", "data.count"}
    assert len(batches) == 1 and [event.event for event in batches[0]] == ["block.updated"]


def test_a_save_that_changes_nothing_writes_nothing(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"title": "Same", "count": 1})

    response = post_change(admin_as("editor"), block, {"d.title": "Same", "d.count": "1"})

    assert response.status_code == 302
    assert SiteBlock.objects.get(pk=block.pk).version == block.version
    assert BlockRevision.objects.filter(block=block).count() == 1
