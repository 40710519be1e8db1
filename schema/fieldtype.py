"""The contract of a field type: `FieldType`, the base class each type in `schema/types/` subclasses.

The contract is small and the same for all 17 types:

- `check_options(field, report)`: check its own option keys and values (the generic keys are checked by
  `schema.checks`); report problems as `report(key, message)`.
- `compile(field, ctx)`: its JSON Schema (draft 2020-12) fragment; `ctx.publish` asks for the publish level.
- `extra_check(field, value)`: the rules JSON Schema cannot express (dates compared in UTC, file types,
  steps); only types that `needs_extra_check(field)` are ever asked, so the common path stays one
  jsonschema-rs call.
- `normalize(field, value)`: the stored form of a valid value (richtext is sanitised; the rest as given).
- `message(field, kind, detail, rest, instance)`: the editor-facing message for a jsonschema-rs error kind.
  It may depend on the field, the kind, the detail and the key names in `rest`, not on list indexes nor on
  the value: the compiler words it once per keyword location and reuses it (`CompiledSchema._plan`).

Also here: the keys every field may have (`COMMON_KEYS`, `ITEMS_KEYS`) and the messages all types share
(`generic_message`). This module imports no type; `schema.registry` lists the types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

Report = Callable[[str, str], None]

#: the engine-only keyword that runs a type's `extra_check` from inside jsonschema-rs (see `engine_check`)
CHECK_KEYWORD = "x-cms-check"

COMMON_KEYS = frozenset({"id", "name", "type", "label", "required", "localized", "help", "default"})
# An array's `items` is a field definition without a name (and without the per-field flags, which only make
# sense for a named field): its type, editor hints and the type's options.
ITEMS_KEYS = frozenset({"type", "label", "help"})


class CompileContext:
    """What a type may ask of the compiler while compiling (implemented by `schema.compiler`).

    `publish` is the level being compiled (publish adds `required`); container types compile their nested
    definitions through `fields` and `items`, so the compiler keeps track of paths and error messages.
    """

    publish: bool = False

    def fields(self, fields: list[dict]) -> dict:
        """The JSON Schema of an object whose keys are `fields` (one nesting level deeper)."""
        raise NotImplementedError

    def items(self, items: dict) -> dict:
        """The JSON Schema of one item of an array whose items are described by `items`."""
        raise NotImplementedError


class FieldType:
    """Base class of the 17 field types. Subclasses set `name`, `options` and override what they need."""

    name: ClassVar[str]
    #: option keys this type accepts on top of `COMMON_KEYS`
    options: ClassVar[frozenset[str]] = frozenset()
    #: docs/fields.md: string, text, richtext, url, image and file are translated unless the schema says otherwise
    localized_default: ClassVar[bool] = False
    #: object and array hold nested field definitions (`fields` / `items`)
    container: ClassVar[bool] = False
    #: "a string", "a number": used in the type-mismatch message
    expected: ClassVar[str] = "a valid value"
    #: JSON types (`type` keyword) this field accepts, for the oracle and for `describe`
    may_be_array_item: ClassVar[bool] = True

    # -- schema checks -------------------------------------------------------------------------------------
    def check_options(self, field: dict, report: Report) -> None:
        """Check this type's own options. The default: a type without options has nothing to check."""

    # -- compile -------------------------------------------------------------------------------------------
    def compile(self, field: dict, ctx: CompileContext) -> dict:
        raise NotImplementedError

    def non_empty(self, fragment: dict, field: dict) -> dict:
        """The publish-level fragment of a required field: present is enough unless overridden."""
        return fragment

    def annotations(self, field: dict) -> dict:
        """Options JSON Schema cannot express, carried in `x-cms` so clients (and the admin form) see them."""
        return {}

    # -- values --------------------------------------------------------------------------------------------
    def needs_extra_check(self, field: dict) -> bool:
        return False

    def extra_check(self, field: dict, value: Any) -> str | None:
        """Return a message if `value` (already valid for the JSON Schema fragment) breaks a non-JSON-Schema rule."""
        return None

    def engine_check(self, field: dict) -> dict:
        """The rules of `extra_check` as JSON Schema for the jsonschema-rs engine only (never served), so that
        validating a valid document never leaves Rust. The default calls `extra_check` back from Rust through
        the `x-cms-check` keyword, once per value; types override it with regexes or `multipleOf` where they
        can. `extra_check` stays the reference: it words the message when this schema says no."""
        return {CHECK_KEYWORD: {**field, "type": self.name}}

    def needs_normalize(self, field: dict) -> bool:
        return False

    def normalize(self, field: dict, value: Any) -> Any:
        return value

    # -- messages ------------------------------------------------------------------------------------------
    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        """The message for one jsonschema-rs error of `kind` at this field (or at `rest` below it)."""
        return generic_message(kind, detail, self.expected)


def generic_message(kind: str, detail: dict, expected: str = "a valid value") -> str:
    """Messages for the error kinds every type shares; types override only their special cases."""
    limit = detail.get("limit")
    if kind == "Required":
        return "Is required."
    if kind == "Type":
        return f"Must be {expected}."
    if kind == "MinLength":
        return f"Must be at least {limit} character{'s' if limit != 1 else ''} long."
    if kind == "MaxLength":
        return f"Must be at most {limit} characters long."
    if kind == "Minimum":
        return f"Must be at least {_num(limit)}."
    if kind == "Maximum":
        return f"Must be at most {_num(limit)}."
    if kind == "MinItems":
        return f"Must have at least {limit} item{'s' if limit != 1 else ''}."
    if kind == "MaxItems":
        return f"Must have at most {limit} items."
    if kind == "UniqueItems":
        return "Must not contain duplicates."
    if kind == "Enum":
        return "Must be one of the options: " + _options_list(detail.get("options") or []) + "."
    if kind == "Pattern":
        return f"Must match the pattern {detail.get('pattern')}."
    if kind == "Format":
        return f"Must be a valid {detail.get('format')}."
    if kind in ("FalseSchema", "Not"):
        return "read-only field"
    return "Is not valid."


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _options_list(options: list) -> str:
    shown = ", ".join(str(o) for o in options[:10])
    return shown + (f" (and {len(options) - 10} more)" if len(options) > 10 else "")
