"""The delivery API in the OpenAPI document: its operations are there, and real answers match their shapes.

(The fuzz run in tests/api/test_openapi.py also sends generated requests to these operations.)
"""

from __future__ import annotations

import jsonschema
import pytest

from blocks import services
from blocks.models import SiteBlock
from tests.api.test_answers_match_document import json_schema

pytestmark = pytest.mark.django_db


def test_delivery_operations_are_documented_and_their_answers_match(client, site, other_site, publish, actor):
    doc = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/delivery/{site}/blocks/{slug}",
        "/api/v1/delivery/{site}/pages",
        "/api/v1/delivery/{site}/blocks",
    ):
        operation = doc["paths"][path]["get"]
        assert {"200", "304", "400", "401", "403", "404"} <= set(operation["responses"]), path
        assert "429" not in operation["responses"]  # the delivery API is cached, not rate limited
    publish("Hero", {"title": "Hi"})
    publish("About", {"title": "Us"}, type="page", path="/about")
    components = {"components": json_schema(doc["components"])}  # `nullable` as JSON Schema reads it

    def conforms(answer, component: str) -> None:
        jsonschema.validate(answer, {**components, "$ref": f"#/components/schemas/{component}"})

    conforms(client.get("/api/v1/delivery/acme/blocks/hero").json(), "DeliveredBlockAnswer")
    conforms(client.get("/api/v1/delivery/acme/pages?path=/about").json(), "DeliveredPageAnswer")
    listed = client.get("/api/v1/delivery/acme/blocks?perPage=1&page=2").json()
    conforms(listed, "DeliveredBlockList")
    assert listed["meta"]["total"] == 2 and len(listed["data"]) == 1
    synced = client.get("/api/v1/delivery/acme/sync?limit=1").json()
    conforms(synced, "SyncPage")
    services.block_unpublish(actor=actor, block=SiteBlock.objects.get(slug="hero"), expected_version=None)
    conforms(client.get("/api/v1/delivery/acme/sync", {"cursor": synced["meta"]["cursor"]}).json(), "SyncPage")
    assert {"200", "400", "404", "410"} <= set(doc["paths"]["/api/v1/delivery/{site}/sync"]["get"]["responses"])
    expired = client.get("/api/v1/delivery/globex/sync", {"cursor": synced["meta"]["cursor"]})
    conforms(expired.json(), "ErrorEnvelope")
