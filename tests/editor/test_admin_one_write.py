"""An admin save of name, schema and data together is ONE write: one revision, one version bump, one outbox row."""

from __future__ import annotations

import json

import pytest

from accounts.permissions import Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_update_data
from revisions.models import BlockRevision
from tests.editor.conftest import make_block, member
from tests.editor.helpers import post_change
from tests.ids import without_ids

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string"}, {"name": "count", "type": "number"}]


def test_name_schema_and_data_in_one_save_are_one_revision_one_bump_one_outbox_batch(site, admin_as, subscribe):
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    batches: list[list[events.BlockEvent]] = []
    subscribe(events.recorded, batches.append)
    new_schema = [*SCHEMA, {"name": "subtitle", "type": "string"}]

    response = post_change(
        admin_as("editor"),
        block,
        {"d.title": "New", "d.count": "2"},
        name="Renamed",
        schema_json=json.dumps(new_schema),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SiteBlock.objects.get(pk=block.pk)
    assert (saved.name, without_ids(saved.schema), saved.data) == ("Renamed", new_schema, {"title": "New", "count": 2})
    assert saved.version == block.version + 1
    revisions = list(BlockRevision.objects.filter(block=block).order_by("number"))
    comment = "Updated name, tags or path; Replaced the schema; Updated data"
    assert [r.comment for r in revisions] == ["Created", comment]
    changed = {change["field"] for change in revisions[-1].changes}
    assert {"name", "data.title", "data.count"} <= changed and any(f.startswith("schema") for f in changed)
    assert len(batches) == 1 and [event.event for event in batches[0]] == ["block.updated", "block.schema_updated"]


def test_data_posted_for_a_field_the_same_save_redefines_is_dropped_by_the_service(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    redefined = [{"name": "title", "type": "string"}, {"name": "count", "type": "number", "max": 100}]

    response = post_change(
        admin_as("editor"), block, {"d.title": "New", "d.count": "7"}, schema_json=json.dumps(redefined)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SiteBlock.objects.get(pk=block.pk)
    assert without_ids(saved.schema) == redefined
    assert saved.data == {"title": "New", "count": 1}  # the number posted for the old definition is not applied


def test_a_save_that_changes_nothing_writes_nothing(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"title": "Same", "count": 1})

    response = post_change(admin_as("editor"), block, {"d.title": "Same", "d.count": "1"})

    assert response.status_code == 302
    assert SiteBlock.objects.get(pk=block.pk).version == block.version
    assert BlockRevision.objects.filter(block=block).count() == 1


def test_an_admin_rename_and_retype_carries_the_values_of_every_locale_copy(site, admin_as):
    """Issue 18: the admin's schema save goes through the same change as the API's (ids kept, values follow)."""
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    owner = Actor(user=member(site, "owner-fr", "owner"), site=site, role="owner")
    french = block_copy_to_locale(actor=owner, block=block, locale="fr")
    block_update_data(actor=owner, block=french, data={"title": "Vieux"}, expected_version=None)
    block.refresh_from_db()
    ids = {field["name"]: field["id"] for field in block.schema}
    renamed = [{**block.schema[0], "name": "headline"}, {**block.schema[1], "type": "string"}]

    response = post_change(admin_as("editor"), block, {}, schema_json=json.dumps(renamed))

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SiteBlock.objects.get(pk=block.pk)
    french.refresh_from_db()
    assert [field["id"] for field in saved.schema] == [ids["title"], ids["count"]] and french.schema == saved.schema
    assert saved.data == {"headline": "Old", "count": "1"}
    assert french.data == {"headline": "Vieux", "count": "1"}
