"""Checking a whole schema before it is stored: every problem, each with its exact path.

Names (the rule of docs/fields.md, unique per level), unknown keys (so typos are caught), the generic keys, each
type's own options (the type checks them), `default` valid for its field, at most 250 fields in one list and
at most 5 nesting levels. All problems are collected and raised at once as `ValidationFailed` with paths such
as `schema[3].fields[0].name`.
"""

from __future__ import annotations

import re

from cms.errors import ValidationFailed
from schema.compiler import CompiledSchema
from schema.defaults import clean_defaults, clean_value
from schema.fieldtype import COMMON_KEYS, ITEMS_KEYS
from schema.identity import ID_MESSAGE, ID_RE, id_problems, with_ids
from schema.limits import value_problems
from schema.registry import get_type, type_names

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
MAX_FIELDS = 250
MAX_LEVELS = 5
MAX_LABEL = 255
MAX_HELP = 2000
#: keys holding nested field definitions, which are checked as fields (and their levels counted), not as values
NESTED_KEYS = frozenset({"fields", "items"})
TOO_DEEP = (
    f"Too deep: at most {MAX_LEVELS} nesting levels "
    "(a level-5 field cannot be an object or a list of objects or lists)."
)


def check_schema(schema: object, *, previous: list[dict] | None = None) -> list[dict]:
    """Return `schema` if it is valid (with richtext inside its defaults sanitised: `schema.defaults`, and an
    `id` on every field: `schema.identity.with_ids`, matched against `previous`); else raise ValidationFailed
    naming every problem."""
    if not isinstance(schema, list):
        raise ValidationFailed("The schema is not valid.", fields={"schema": "Must be a list of field definitions."})
    errors: dict[str, str] = {}
    _check_fields(schema, "schema", 1, errors)
    for path, message in id_problems(schema).items():
        errors.setdefault(path, message)
    if errors:
        raise ValidationFailed("The schema is not valid.", fields=errors)
    return with_ids(clean_defaults(schema), previous)


def _check_fields(fields: list, where: str, level: int, errors: dict[str, str]) -> None:
    if len(fields) > MAX_FIELDS:
        errors[where] = f"At most {MAX_FIELDS} fields in one list (this one has {len(fields)})."
    seen: set[str] = set()
    for i, field in enumerate(fields):
        here = f"{where}[{i}]"
        _check_field(field, here, level, errors, named=True)
        name = field.get("name") if isinstance(field, dict) else None
        if isinstance(name, str):
            if name in seen:
                errors.setdefault(f"{here}.name", f"Duplicate name {name!r}: names must be unique in one list.")
            seen.add(name)


def _check_field(field: object, where: str, level: int, errors: dict[str, str], *, named: bool) -> None:
    if not isinstance(field, dict):
        errors[where] = "Must be an object (a field definition)."
        return
    before = len(errors)

    def report(key: str, message: str) -> None:
        errors.setdefault(f"{where}.{key}", message)

    type_name = field.get("type")
    ftype = get_type(type_name)
    if "type" not in field:
        report("type", "Is required: one of " + ", ".join(type_names()) + ".")
    elif ftype is None:
        report("type", f"Unknown type {type_name!r}; one of " + ", ".join(type_names()) + ".")
    elif not named and not ftype.may_be_array_item:
        report("type", f"A list cannot hold {type_name} items.")

    allowed = (COMMON_KEYS if named else ITEMS_KEYS) | (ftype.options if ftype else frozenset())
    for key, value in field.items():
        # Nested definitions are checked as fields, level by level; an unknown key is refused as such.
        if key in allowed and key not in NESTED_KEYS:
            for path, message in value_problems(value, f"{where}.{key}").items():
                errors.setdefault(path, message)
    for key in field:
        if key not in allowed:
            if not named and key in COMMON_KEYS:
                report(key, "Not allowed in `items` (a definition without a name).")
            elif ftype is not None or key not in COMMON_KEYS:
                report(key, "Unknown key." if ftype else "Unknown key (or an option of another type).")

    if named:
        name = field.get("name")
        if "name" not in field:
            report("name", "Is required.")
        elif not isinstance(name, str) or not NAME_RE.fullmatch(name):
            report("name", "Must start with a letter and hold only letters, digits and _ (at most 64 characters).")
    for key, limit in (("label", MAX_LABEL), ("help", MAX_HELP)):
        if key in field and (not isinstance(field[key], str) or len(field[key]) > limit):
            report(key, f"Must be a string of at most {limit} characters.")
    if "id" in field and (not isinstance(field["id"], str) or not ID_RE.fullmatch(field["id"])):
        report("id", ID_MESSAGE)
    for key in ("required", "localized"):
        if key in field and not isinstance(field[key], bool):
            report(key, "Must be true or false.")

    if ftype is None:
        return
    ftype.check_options(field, report)
    if type_name == "object":
        _check_nested(field, where, level, errors)
    elif type_name == "array" and "items" in field:
        items = field["items"]
        item_level = level + 1 if isinstance(items, dict) and items.get("type") == "array" else level
        if item_level > MAX_LEVELS:
            report("items", TOO_DEEP)
        else:
            _check_field(items, f"{where}.items", item_level, errors, named=False)

    if "default" in field and len(errors) == before:
        _check_default(field, where, errors)


def _check_nested(field: dict, where: str, level: int, errors: dict[str, str]) -> None:
    if "fields" not in field:
        errors[f"{where}.fields"] = "Is required for this type: a list of field definitions."
    elif not isinstance(field["fields"], list):
        errors[f"{where}.fields"] = "Must be a list of field definitions."
    elif level + 1 > MAX_LEVELS:
        errors[f"{where}.fields"] = TOO_DEEP
    else:
        _check_fields(field["fields"], f"{where}.fields", level + 1, errors)


def _check_default(field: dict, where: str, errors: dict[str, str]) -> None:
    """A default must itself be valid data for its field (draft level: `required` does not apply)."""
    if field["type"] == "dataSource":
        errors[f"{where}.default"] = "A dataSource field has no default: it is filled when the block is read."
        return
    name = field["name"]
    # Judged as it will be stored: sanitised first, as data is (`apply_patch`).
    problems = CompiledSchema([field]).validate({name: clean_value(field, field["default"])})
    prefix = f"data.{name}"
    for path, message in problems.items():
        errors.setdefault(f"{where}.default{path[len(prefix) :]}", message)
