"""The OpenAPI document describes field definitions exactly: one component per type, chosen by `type`.

Every schema the docs create successfully (and the demo site's) conforms to the served `FieldDefinition`;
definitions the schema check refuses for a reason one type's JSON Schema can say (an unknown type, an unknown
key, a missing option, an option of the wrong JSON type) are refused by it too; each component lists exactly
its type's options; and `manage.py spectacular --validate --fail-on-warn` stays clean.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.core.management import call_command

from blocks.api.field_definitions import OPTIONS
from blocks.demo import DEMO_BLOCKS
from schema.fieldtype import COMMON_KEYS, ITEMS_KEYS
from schema.registry import FIELD_TYPES
from tests.docs.markdown import sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema_list(client):
    """A validator of a block's `schema` against the served document's components."""
    components = client.get("/api/v1/openapi.json").json()["components"]
    root = {"components": components, "type": "array", "items": {"$ref": "#/components/schemas/FieldDefinition"}}
    return jsonschema.Draft202012Validator(root)


def docs_schemas(*, accepted: bool) -> list[tuple[str, list]]:
    """The schemas of the docs' `POST /api/v1/site-blocks` examples that the service accepted (or refused)."""
    found = []
    for section in sections():
        for example in section.examples:
            body = json.loads(example.body) if example.body else {}
            if example.path == "/api/v1/site-blocks" and "schema" in body and (example.status == 201) == accepted:
                found.append((section.id, body["schema"]))
    return found


def test_each_type_has_a_component_with_exactly_its_options(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(OPTIONS) == {ftype.name for ftype in FIELD_TYPES}
    for ftype in FIELD_TYPES:
        component = ftype.name[0].upper() + ftype.name[1:]
        field = schemas[component + "Field"]
        assert field["additionalProperties"] is False
        assert set(field["properties"]["type"]["enum"]) == {ftype.name}
        own = set(field["properties"]) - COMMON_KEYS
        assert own == set(ftype.options), ftype.name
        if ftype.may_be_array_item:
            assert set(schemas[component + "Item"]["properties"]) == ITEMS_KEYS | ftype.options
        else:
            assert component + "Item" not in schemas
    assert schemas["FieldDefinition"]["discriminator"]["propertyName"] == "type"
    assert len(schemas["FieldDefinition"]["oneOf"]) == 17


def test_schemas_the_service_accepts_conform(schema_list):
    accepted = docs_schemas(accepted=True) + [(block["slug"], block["schema"]) for block in DEMO_BLOCKS]
    assert len(accepted) > 20
    for where, schema in accepted:
        assert list(schema_list.iter_errors(schema)) == [], where


@pytest.mark.parametrize(
    "definition",
    [
        {"name": "title", "type": "strng"},
        {"name": "title", "type": "string", "maxlength": 10},
        {"name": "title", "type": "string", "maxLength": "60"},
        {"name": "1st", "type": "string"},
        {"name": "align", "type": "select"},
        {"name": "cta", "type": "object"},
        {"name": "feed", "type": "dataSource"},
        {"name": "feed", "type": "dataSource", "source": "blocks", "default": []},
        {"name": "links", "type": "array", "items": {"name": "link", "type": "url"}},
        {"name": "links", "type": "array", "items": {"type": "dataSource", "source": "blocks"}},
        {"name": "logo", "type": "image", "requireAlt": "yes"},
    ],
)
def test_definitions_the_check_refuses_for_a_typed_reason_are_refused(schema_list, api, definition):
    assert list(schema_list.iter_errors([definition])), definition
    body = {"name": "Refused", "type": "global", "schema": [definition]}
    assert api.post("/api/v1/site-blocks", body, format="json").status_code == 422


def test_spectacular_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(tmp_path / "o.json")
    )
    info = json.loads((tmp_path / "o.json").read_text())["info"]
    assert "docs/fields.md" in info["description"]
