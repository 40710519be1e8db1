"""Every kind of block write is exactly one revision, by the acting user, with a comment saying what happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from reversion.models import Revision, Version

from blocks.models import SiteBlock
from blocks.services.writing import block_state
from revisions.models import BlockRevision
from revisions.recording import block_revision, record_block_revision
from scheduling.performing import perform_due_schedules


def newest(block_id: int) -> BlockRevision:
    return BlockRevision.objects.filter(block_id=block_id).select_related("revision").first()


@pytest.mark.django_db
def test_each_write_through_the_api_is_one_revision(api, editor):
    user = editor[0]
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "About", "type": "page", "path": "/about", "schema": [{"name": "title", "type": "string"}]},
        format="json",
    ).json()["data"]
    block_id = created["id"]
    steps = [
        (lambda: None, "Created", [{"field": "name", "from": None, "to": "About"}]),
        (
            lambda: api.put(
                "/api/v1/site-blocks/about/schema",
                {"schema": [{"name": "title", "type": "string"}, {"name": "body", "type": "text"}]},
                format="json",
            ),
            "Replaced the schema",
            [{"field": "schema", "from": "1 item", "to": "2 items"}],
        ),
        (
            lambda: api.put("/api/v1/site-blocks/about/data", {"data": {"title": "Hi"}}, format="json"),
            "Updated data",
            [{"field": "data.title", "from": None, "to": "Hi"}],
        ),
        (
            lambda: api.patch("/api/v1/site-blocks/about", {"name": "About us", "tags": ["x"]}, format="json"),
            "Updated name, tags or path",
            [
                {"field": "name", "from": "About", "to": "About us"},
                {"field": "tags", "from": "0 items", "to": "1 item"},
            ],
        ),
        (
            lambda: api.post("/api/v1/site-blocks/about/publish"),
            "Published",
            [{"field": "status", "from": "draft", "to": "published"}],
        ),
        (
            lambda: api.post("/api/v1/site-blocks/about/unpublish"),
            "Unpublished",
            [{"field": "status", "from": "published", "to": "draft"}],
        ),
    ]
    for number, (write, comment, first_changes) in enumerate(steps, start=1):
        response = write()
        assert response is None or response.status_code == 200, response.json()
        assert BlockRevision.objects.filter(block_id=block_id).count() == number
        entry = newest(block_id)
        assert entry.number == number
        assert entry.comment == entry.revision.comment == comment
        assert entry.author == entry.revision.user == user
        assert entry.changes[: len(first_changes)] == first_changes

    # Unpublishing a draft changes nothing and records nothing.
    assert api.post("/api/v1/site-blocks/about/unpublish").status_code == 200
    assert BlockRevision.objects.filter(block_id=block_id).count() == len(steps)


@pytest.mark.django_db
def test_schema_write_records_one_revision_per_locale_copy(api, site):
    created = api.post("/api/v1/site-blocks", {"name": "Nav", "type": "global"}, format="json").json()["data"]
    block = SiteBlock.objects.get(pk=created["id"])
    SiteBlock.objects.create(
        site=site, locale="fr", translation_key=block.translation_key, name="Nav", slug="nav", type="global"
    )
    api.put("/api/v1/site-blocks/nav/schema", {"schema": [{"name": "a", "type": "string"}]}, format="json")
    comments = sorted(BlockRevision.objects.values_list("block__locale", "comment"))
    assert comments == [("en", "Created"), ("en", "Replaced the schema"), ("fr", "Replaced the schema")]


@pytest.mark.django_db
def test_the_reversion_version_holds_the_block_as_written(api):
    api.post("/api/v1/site-blocks", {"name": "Nav", "type": "global"}, format="json")
    block = SiteBlock.objects.get(slug="nav")
    versions = Version.objects.get_for_object(block)
    assert versions.count() == 1
    assert versions[0].field_dict["name"] == "Nav"


@pytest.mark.django_db
def test_a_failing_body_records_nothing(actor):
    block = SiteBlock.objects.create(site=actor.site, locale="en", name="X", slug="x", type="global")
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        block_revision(user=actor.user, comment="boom") as recorder,
    ):
        recorder.track(block, before=None, after=block_state(block))
        raise RuntimeError
    assert not BlockRevision.objects.exists()


@pytest.mark.django_db
def test_record_block_revision_for_other_services(actor):
    """The one-call API (copy-to-locale, scheduling): tracks once, keeps the first `before` if tracked twice."""
    block = SiteBlock.objects.create(site=actor.site, locale="en", name="X", slug="x", type="global")
    entry = record_block_revision(
        block, user=actor.user, comment="Copied from fr", before=None, after=block_state(block)
    )
    assert (entry.number, entry.comment, entry.author) == (1, "Copied from fr", actor.user)
    with transaction.atomic(), block_revision(user=None, comment="Published on schedule") as recorder:
        before = block_state(block)
        block.name = "Y"
        recorder.track(block, before=before, after=block_state(block))
        block.name = "Z"
        recorder.track(block, before=block_state(block), after=block_state(block))
    entry = newest(block.pk)
    assert entry.author is None
    assert entry.changes == [{"field": "name", "from": "X", "to": "Z"}]


@pytest.mark.django_db
def test_keep_per_block_prunes_on_write(actor, settings):
    settings.CMS = {**settings.CMS, "REVISIONS_KEEP_PER_BLOCK": 3}
    block = SiteBlock.objects.create(site=actor.site, locale="en", name="X", slug="x", type="global")
    other = SiteBlock.objects.create(site=actor.site, locale="en", name="O", slug="o", type="global")
    record_block_revision(other, user=None, comment="other", before=None, after=block_state(other))
    for index in range(6):
        record_block_revision(block, user=None, comment=f"w{index}", before=None, after=block_state(block))
    assert list(BlockRevision.objects.filter(block=block).values_list("number", flat=True)) == [6, 5, 4]
    assert BlockRevision.objects.filter(block=other).count() == 1

    assert Revision.objects.count() == Version.objects.count() == 4


@pytest.mark.django_db
def test_copy_to_locale_and_scheduled_publish_are_one_revision_each(api, editor):
    user = editor[0]
    api.post("/api/v1/site-blocks", {"name": "Promo", "type": "global"}, format="json")
    response = api.post("/api/v1/site-blocks/promo/copy-to-locale", {"locale": "fr"}, format="json")
    assert response.status_code == 200, response.json()
    french = newest(response.json()["data"]["id"])
    assert (french.number, french.comment, french.author) == (1, "Copied from en", user)
    assert BlockRevision.objects.filter(block_id=french.block_id).count() == 1

    soon = timezone.now() + timedelta(minutes=5)
    response = api.post(
        "/api/v1/site-blocks/promo/schedule", {"publishAt": soon.isoformat().replace("+00:00", "Z")}, format="json"
    )
    assert response.status_code == 200, response.json()
    block_id = response.json()["data"]["id"]
    count = BlockRevision.objects.filter(block_id=block_id).count()
    perform_due_schedules(now=soon + timedelta(seconds=1))
    assert BlockRevision.objects.filter(block_id=block_id).count() == count + 1
    entry = newest(block_id)
    assert (entry.comment, entry.author) == ("Scheduled publish", user)
    assert entry.changes == [{"field": "status", "from": "draft", "to": "published"}]
