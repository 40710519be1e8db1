"""Real management answers match the components generated from the output serializers.

The views build their JSON with plain functions (`blocks.api.serializers.block_payload`…), the document is
generated from serializers that describe them: this test keeps the two in step, answer by answer. (The fuzz
run in test_openapi.py checks every operation's answers against the document too, with generated requests.)
"""

from __future__ import annotations

import jsonschema
import pytest

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string", "required": True}]


def json_schema(node):
    """OpenAPI 3.0's `nullable: true` in the JSON Schema `jsonschema` reads (`null` allowed)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_block_revision_and_list_answers_match_their_components(api, client):
    doc = client.get("/api/v1/openapi.json").json()

    def conforms(answer: dict, component: str) -> None:
        strict = {"components": json_schema(doc["components"]), "$ref": f"#/components/schemas/{component}"}
        jsonschema.validate(answer, strict)

    created = api.post(
        "/api/v1/site-blocks", {"name": "About", "type": "page", "path": "/about", "schema": SCHEMA}, format="json"
    )
    assert created.status_code == 201
    conforms(created.json(), "BlockAnswer")
    api.put("/api/v1/site-blocks/about/data?publish=true", {"data": {"title": "Hi"}}, format="json")
    conforms(api.get("/api/v1/site-blocks/about").json(), "BlockDetailAnswer")
    conforms(api.get("/api/v1/site-blocks").json(), "BlockList")
    revisions = api.get("/api/v1/site-blocks/about/revisions").json()
    conforms(revisions, "RevisionList")
    first, second = (row["number"] for row in reversed(revisions["data"][:2]))
    conforms(api.get(f"/api/v1/site-blocks/about/revisions/{first}").json(), "RevisionAnswer")
    compared = api.get(f"/api/v1/site-blocks/about/revisions/compare?from={first}&to={second}").json()
    conforms(compared, "RevisionComparison")
    conforms(api.post(f"/api/v1/site-blocks/about/revisions/{first}/restore").json(), "RestoreAnswer")
    conforms(api.get("/api/v1/site-blocks/about/translations").json(), "TranslationsAnswer")
    conforms(api.get("/api/v1/locales").json(), "SiteLocaleList")
