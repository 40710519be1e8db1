"""Restoring a revision: through the API (If-Match, publish, schema brought back) and a hypothesis round trip."""

from __future__ import annotations

import json
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reversion.models import Version

from blocks import services
from blocks.models import SiteBlock
from revisions.models import BlockRevision
from tests.ids import without_ids

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "count", "type": "number", "integer": True},
    {"name": "flag", "type": "boolean"},
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}]},
    },
    {"name": "logo", "type": "object", "fields": [{"name": "url", "type": "url"}, {"name": "alt", "type": "string"}]},
]


def history(api, slug="promo"):
    return api.get(f"/api/v1/site-blocks/{slug}/revisions", {"perPage": 100}).json()["data"]


@pytest.fixture
def promo(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Promo", "type": "global", "schema": SCHEMA, "data": {"title": "One"}},
        format="json",
    )
    assert response.status_code == 201
    return response.json()["data"]


@pytest.mark.django_db
def test_restore_brings_data_back_as_a_new_revision(api, promo):
    api.put("/api/v1/site-blocks/promo/data", {"data": {"title": "Two", "count": 2}}, format="json")
    first = history(api)[-1]["number"]
    response = api.post(f"/api/v1/site-blocks/promo/revisions/{first}/restore")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["data"]["data"] == {"title": "One"}
    assert body["data"]["version"] == 3
    assert response.headers["ETag"] == f'"{promo["id"]}-3"'
    assert body["meta"]["restoredFrom"] == first
    assert body["meta"]["schemaRestored"] is False
    assert body["meta"]["changes"] == [
        {"field": "data.title", "from": "Two", "to": "One"},
        {"field": "data.count", "from": 2, "to": None},
    ]
    newest = history(api)[0]
    assert newest["comment"] == f"Restored from revision {first}"
    assert newest["changes"] == body["meta"]["changes"]
    assert len(history(api)) == 3


@pytest.mark.django_db
def test_restore_honours_if_match(api, promo):
    first = history(api)[0]["number"]
    stale = api.post(f"/api/v1/site-blocks/promo/revisions/{first}/restore", HTTP_IF_MATCH=f'"{promo["id"]}-7"')
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_write"
    fresh = api.post(f"/api/v1/site-blocks/promo/revisions/{first}/restore", HTTP_IF_MATCH=f'"{promo["id"]}-1"')
    assert fresh.status_code == 200
    # Revision 1 is the block as it stands: restoring it is a no-op (same version, no new revision).
    assert fresh.json()["data"]["version"] == 1 and fresh.json()["meta"]["changes"] == []
    assert len(history(api)) == 1


@pytest.mark.django_db
def test_restore_and_publish_in_one_transaction(api, promo):
    api.put("/api/v1/site-blocks/promo/data", {"data": {"title": "Two"}}, format="json")
    first = history(api)[-1]["number"]
    response = api.post(f"/api/v1/site-blocks/promo/revisions/{first}/restore?publish=true")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "published"
    block = SiteBlock.objects.get(pk=promo["id"])
    assert block.published_snapshot["data"] == {"title": "One"}
    assert not block.has_unpublished_changes
    assert history(api)[0]["comment"] == f"Restored from revision {first} and published"
    assert history(api)[0]["changes"][0] == {"field": "status", "from": "draft", "to": "published"}


@pytest.mark.django_db
def test_restore_that_cannot_publish_changes_nothing(api, promo):
    required = [{**SCHEMA[0], "required": True}, *SCHEMA[1:]]
    api.put("/api/v1/site-blocks/promo/schema", {"schema": required}, format="json")
    api.put("/api/v1/site-blocks/promo/data", {"data": {"title": None}}, format="json")
    untitled = history(api)[0]["number"]
    api.put("/api/v1/site-blocks/promo/data", {"data": {"title": "Back"}}, format="json")
    count = len(history(api))
    response = api.post(f"/api/v1/site-blocks/promo/revisions/{untitled}/restore?publish=true")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"data.title": "Must be present and non-empty."}
    assert len(history(api)) == count
    assert SiteBlock.objects.get(pk=promo["id"]).data == {"title": "Back"}


@pytest.mark.django_db
def test_restore_schema_brings_back_the_revisions_schema_everywhere(api, promo, site):
    block = SiteBlock.objects.get(pk=promo["id"])
    french = SiteBlock.objects.create(
        site=site,
        locale="fr",
        translation_key=block.translation_key,
        name="Promo",
        slug="promo",
        type="global",
        schema=SCHEMA,
        data={"title": "Un"},
    )
    first = history(api)[0]["number"]
    renamed = [{"name": "headline", "type": "string"}]
    assert api.put("/api/v1/site-blocks/promo/schema", {"schema": renamed}, format="json").status_code == 200
    api.put("/api/v1/site-blocks/promo/data", {"data": {"headline": "New"}}, format="json")

    response = api.post(f"/api/v1/site-blocks/promo/revisions/{first}/restore?restoreSchema=true")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert without_ids(body["data"]["schema"]) == SCHEMA
    assert body["data"]["data"] == {"title": "One"}
    assert body["meta"]["schemaRestored"] is True
    assert body["meta"]["schemaAlsoRestoredIn"] == ["fr"]
    assert body["meta"]["orphanedFields"] == []
    assert {"field": "schema", "from": "1 item", "to": "5 items"} in body["meta"]["changes"]
    assert {"field": "data.headline", "from": "New", "to": None} in body["meta"]["changes"]
    french.refresh_from_db()
    assert without_ids(french.schema) == SCHEMA
    assert french.data == {"title": "Un"}
    assert BlockRevision.objects.filter(block=french).first().comment == f"Schema restored from revision {first} (en)"


@pytest.mark.django_db
def test_restore_carries_an_old_revisions_data_to_todays_names(api):
    """A rename, a move into an object and a type change later, revision 1 comes back under today's names;
    a value whose field was removed is kept as an orphan and listed, not dropped."""
    schema = [
        {"name": "title", "type": "string"},
        {"name": "intro", "type": "string"},
        {"name": "price", "type": "number"},
        {"name": "note", "type": "string"},
    ]
    data = {"title": "Spring", "intro": "Hello", "price": 10, "note": "Old"}
    created = api.post(
        "/api/v1/site-blocks", {"name": "Sale", "type": "global", "schema": schema, "data": data}, format="json"
    )
    ids = {f["name"]: f["id"] for f in created.json()["data"]["schema"]}
    today = [
        {"id": ids["title"], "name": "headline", "type": "string"},
        {"name": "hero", "type": "object", "fields": [{"id": ids["intro"], "name": "lede", "type": "string"}]},
        {"id": ids["price"], "name": "price", "type": "string"},
    ]
    changed = api.put("/api/v1/site-blocks/sale/schema", {"schema": today}, format="json")
    assert changed.status_code == 200, changed.json()
    api.put(
        "/api/v1/site-blocks/sale/data", {"data": {"headline": "Summer", "price": "12", "note": None}}, format="json"
    )
    current_schema = api.get("/api/v1/site-blocks/sale").json()["data"]["schema"]

    response = api.post("/api/v1/site-blocks/sale/revisions/1/restore")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["data"]["schema"] == current_schema  # today's schema stays
    assert body["data"]["data"] == {"headline": "Spring", "hero": {"lede": "Hello"}, "price": "10", "note": "Old"}
    assert body["meta"]["orphanedFields"] == ["note"]
    assert body["meta"]["schemaRestored"] is False and body["meta"]["schemaAlsoRestoredIn"] == []
    assert body["meta"]["mapping"] == {
        "moved": [{"from": "title", "to": "headline"}, {"from": "intro", "to": "hero.lede"}],
        "converted": [{"from": "price", "to": "price", "fromType": "number", "toType": "string"}],
        "failed": [],
        "orphaned": [{"path": "note", "keptAs": "note", "reason": "The field was removed from the schema."}],
    }
    assert "schemaChange" not in body["meta"]
    assert history(api, "sale")[0]["comment"] == "Restored from revision 1"

    # Asked to, the old schema comes back with the data as it was written.
    both = api.post("/api/v1/site-blocks/sale/revisions/1/restore?restoreSchema=true")
    assert both.status_code == 200, both.json()
    assert without_ids(both.json()["data"]["schema"]) == schema
    assert both.json()["data"]["data"] == data
    assert both.json()["meta"]["schemaRestored"] is True and both.json()["meta"]["mapping"] is None


@pytest.mark.django_db
def test_restore_refuses_an_unknown_query_parameter(api, promo):
    response = api.post("/api/v1/site-blocks/promo/revisions/1/restore?restoreschema=true")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "bad_request",
            "message": "Unknown query parameter: restoreschema.",
            "fields": {"restoreschema": "Unknown query parameter."},
        }
    }


# -- property: restoring revision k gives back the state after write k --------------------------------------------

TEXT = st.text(alphabet=st.characters(categories=["L", "N"]), max_size=20)
LINK = st.fixed_dictionaries({"label": TEXT, "url": st.sampled_from(["/", "/blog", "https://example.com/x"])})
PATCH = st.fixed_dictionaries(
    {},
    optional={
        "title": st.none() | TEXT,
        "count": st.none() | st.integers(-1000, 1000),
        "flag": st.none() | st.booleans(),
        "links": st.none() | st.lists(LINK, max_size=4),
        "logo": st.none() | st.fixed_dictionaries({}, optional={"url": st.just("/logo.svg"), "alt": TEXT}),
    },
)
WRITES = int(os.environ.get("REVISIONS_ROUNDTRIP_WRITES", "50"))


@pytest.mark.django_db
@settings(
    max_examples=int(os.environ.get("REVISIONS_ROUNDTRIP_EXAMPLES", "3")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(patches=st.lists(PATCH, min_size=WRITES, max_size=WRITES), data=st.data())
def test_restore_round_trip(actor, patches, data):
    with transaction.atomic():
        block = services.block_create(actor=actor, name="Round trip", type="global", schema=SCHEMA)
        states, numbers = [], []  # after each write: the state, and the number of the revision that holds it
        for patch in patches:
            block = services.block_update_data(actor=actor, block=block, data=patch, expected_version=block.version)
            states.append((block.schema, block.data))
            numbers.append(BlockRevision.objects.filter(block=block).count())
        for k in data.draw(st.lists(st.integers(0, WRITES - 1), min_size=1, max_size=3), label="k"):
            count = BlockRevision.objects.filter(block=block).count()
            changed = (block.schema, block.data) != states[k]
            block, _ = services.block_restore(
                actor=actor, block=block, revision_number=numbers[k], expected_version=block.version
            )
            block.refresh_from_db()
            assert (block.schema, block.data) == states[k]
            # one new revision, unless the block already was as restored (a no-op writes nothing)
            assert BlockRevision.objects.filter(block=block).count() == count + changed
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_revision_older_than_field_ids_is_matched_by_name(api):
    """Revisions written before field ids hold schemas without them (migration blocks/0006 left them as
    they were): their fields are matched by name with today's, and what was renamed since is a listed orphan."""
    schema = [
        {"name": "title", "type": "string"},
        {"name": "intro", "type": "string"},
        {"name": "price", "type": "number"},
    ]
    data = {"title": "Spring", "intro": "Hello", "price": 10}
    created = api.post(
        "/api/v1/site-blocks", {"name": "Old", "type": "global", "schema": schema, "data": data}, format="json"
    )
    ids = {f["name"]: f["id"] for f in created.json()["data"]["schema"]}
    version = Version.objects.get(revision_id=BlockRevision.objects.get(block_id=created.json()["data"]["id"]).pk)
    stored = json.loads(version.serialized_data)
    stored[0]["fields"]["schema"] = schema  # as written before field ids
    version.serialized_data = json.dumps(stored)
    version.save()
    today = [
        {"id": ids["title"], "name": "title", "type": "string"},
        {"id": ids["intro"], "name": "lede", "type": "string"},
        {"id": ids["price"], "name": "price", "type": "string"},
    ]
    assert api.put("/api/v1/site-blocks/old/schema", {"schema": today}, format="json").status_code == 200
    api.put("/api/v1/site-blocks/old/data", {"data": {"title": "Summer", "lede": "Hi", "price": "12"}}, format="json")

    response = api.post("/api/v1/site-blocks/old/revisions/1/restore")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["data"] == {"title": "Spring", "price": "10", "intro": "Hello"}
    assert response.json()["meta"]["mapping"] == {
        "moved": [],
        "converted": [{"from": "price", "to": "price", "fromType": "number", "toType": "string"}],
        "failed": [],
        "orphaned": [{"path": "intro", "keptAs": "intro", "reason": "The field was removed from the schema."}],
    }
