"""The OpenAPI description of a block's schema: one component per field type, chosen by `type`.

A field definition's keys depend on its `type` (docs/fields.md), which no serializer can say, so these
components are written as JSON Schema, from the type registry: `FieldDefinition` is a `oneOf` of
`StringField`, `NumberField`, … with a `discriminator` on `type`; each lists the keys every field has and its
type's own options, and refuses others (as the schema check does). An array's `items` is an `ItemDefinition`
(`StringItem`, … : no `name` and none of the per-field keys, never a `dataSource`); an object's `fields` are
field definitions again, so the description is recursive, like the schemas it describes.

The components say what the schema check accepts, never more strictly (answers carry stored schemas, and
the fuzz test checks answers against the document): rules that span keys (`minLength` at most `maxLength`,
unique names, five nesting levels, a valid `default`) are left to the check and its 422.
`OPTIONS` must name exactly each type's `options` (`tests/api/test_field_definitions_openapi.py`).
"""

from __future__ import annotations

from schema import patterns
from schema.checks import MAX_FIELDS, MAX_HELP, MAX_LABEL, NAME_RE
from schema.fieldtype import COMMON_KEYS, ITEMS_KEYS
from schema.registry import FIELD_TYPES
from schema.types import array_type, richtext_type, string_type, text_type

DOCS = "docs/fields.md"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _int(minimum: int, maximum: int | None = None) -> dict:
    out: dict = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        out["maximum"] = maximum
    return out


_BOOL = {"type": "boolean"}
_NUMBER = {"type": "number"}
_CHOICE = {
    "oneOf": [
        {"type": "string", "minLength": 1, "maxLength": 255},
        {
            "type": "object",
            "required": ["value"],
            "additionalProperties": False,
            "properties": {"value": {"type": "string", "minLength": 1, "maxLength": 255}, "label": {"type": "string"}},
        },
    ]
}
_CHOICES = {"type": "array", "minItems": 1, "items": _CHOICE, "description": 'Values, or `{"value", "label"}`.'}
_DATE = {"type": "string", "format": "date", "description": "`YYYY-MM-DD`, inclusive."}
_DATETIME = {"type": "string", "format": "date-time", "description": "RFC 3339 with an offset or `Z`, inclusive."}


def _strings(description: str) -> dict:
    return {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}, "description": description}


#: each type's own options (on top of the generic keys), as JSON Schema
OPTIONS: dict[str, dict[str, dict]] = {
    "string": {
        "minLength": _int(0, string_type.CAP),
        "maxLength": {**_int(1, string_type.CAP), "description": f"Default {string_type.DEFAULT_MAX}."},
        "pattern": {"type": "string", "minLength": 1, "maxLength": 1000, "description": "A regular expression."},
        "reference": {
            "enum": list(string_type.REFERENCE_KINDS),
            "description": "The value is another block's slug; the delivery API's `include` resolves it.",
        },
    },
    "text": {"minLength": _int(0, text_type.CAP), "maxLength": _int(1, text_type.CAP)},
    "richtext": {"maxLength": _int(1, richtext_type.CAP)},
    "number": {
        "min": _NUMBER,
        "max": _NUMBER,
        "integer": _BOOL,
        "step": {**_NUMBER, "description": "Greater than 0; counted from `min` (or 0), in decimal."},
    },
    "boolean": {},
    "select": {"options": _CHOICES},
    "multiselect": {"options": _CHOICES, "minItems": _int(0), "maxItems": _int(1)},
    "image": {"requireAlt": _BOOL},
    "file": {
        "accept": _strings("Extensions (`.pdf`) or MIME types (`image/*`)."),
        "maxSize": {**_int(1), "description": "Bytes; `size` is then required."},
    },
    "url": {
        "allowRelative": {**_BOOL, "description": "Default true: a path such as `/blog` is allowed."},
        "schemes": _strings("Out of " + ", ".join(patterns.ALLOWED_SCHEMES) + "; default http, https."),
    },
    "email": {},
    "color": {"alpha": {**_BOOL, "description": "Default true: `#RRGGBBAA` is allowed."}},
    "date": {"min": _DATE, "max": _DATE},
    "datetime": {"min": _DATETIME, "max": _DATETIME},
    "object": {"fields": {"type": "array", "maxItems": MAX_FIELDS, "items": _ref("FieldDefinition")}},
    "array": {
        "items": {**_ref("ItemDefinition")},
        "minItems": _int(0, array_type.CAP),
        "maxItems": _int(1, array_type.CAP),
    },
    "dataSource": {
        "source": {
            "type": "string",
            "minLength": 1,
            "description": "A registered data source: `blocks` and `block` are built in.",
        },
        "params": {"type": "object", "description": "Passed to the source."},
    },
}
#: options a definition must have
REQUIRED_OPTIONS = {"select": ["options"], "multiselect": ["options"], "object": ["fields"], "dataSource": ["source"]}

_COMMON = {
    "id": {
        "type": "string",
        "pattern": "^[A-Za-z0-9_-]{1,32}$",
        "description": "The field's stable identity: generated when left out, kept across renames and moves.",
    },
    "name": {
        "type": "string",
        "pattern": f"^{NAME_RE.pattern}$",
        "description": "Letters, digits and `_`, from a letter; unique in its list.",
    },
    "label": {"type": "string", "maxLength": MAX_LABEL},
    "help": {"type": "string", "maxLength": MAX_HELP},
    "required": {**_BOOL, "description": "Checked on publish: present and non-empty."},
    "localized": {**_BOOL, "description": "Translated per locale; the default depends on the type."},
    "default": {"description": "A valid value for the field."},
}


def _component(name: str) -> str:
    return name[0].upper() + name[1:]


def _definition(type_name: str, *, named: bool) -> dict:
    keys = COMMON_KEYS if named else ITEMS_KEYS
    properties: dict = {"type": {"type": "string", "enum": [type_name]}}
    for key in sorted(keys - {"type"}):
        if not (type_name == "dataSource" and key == "default"):
            properties[key] = _COMMON[key]
    properties.update(OPTIONS[type_name])
    return {
        "type": "object",
        "description": f'A `{type_name}` field ({DOCS}, "{type_name}").',
        "required": (["name", "type"] if named else ["type"]) + REQUIRED_OPTIONS.get(type_name, []),
        "additionalProperties": False,
        "properties": properties,
    }


def _choice(suffix: str, names: list[str], description: str) -> dict:
    return {
        "description": description,
        "oneOf": [_ref(_component(name) + suffix) for name in names],
        "discriminator": {
            "propertyName": "type",
            "mapping": {name: f"#/components/schemas/{_component(name)}{suffix}" for name in names},
        },
    }


def field_definition_components() -> dict[str, dict]:
    """`FieldDefinition`, `ItemDefinition` and one component per type for each."""
    names = [ftype.name for ftype in FIELD_TYPES]
    item_names = [ftype.name for ftype in FIELD_TYPES if ftype.may_be_array_item]
    components = {
        "FieldDefinition": _choice(
            "Field", names, f"A field of a block's schema: `name`, `type` and that type's options ({DOCS})."
        ),
        "ItemDefinition": _choice(
            "Item", item_names, "An array's `items`: a field definition without `name` and the per-field keys."
        ),
    }
    for name in names:
        components[_component(name) + "Field"] = _definition(name, named=True)
    for name in item_names:
        components[_component(name) + "Item"] = _definition(name, named=False)
    return components
