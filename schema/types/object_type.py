"""`object`: an object whose keys are its `fields` (one nesting level deeper); other keys are unknown."""

from __future__ import annotations

from schema.fieldtype import CompileContext, FieldType


class ObjectType(FieldType):
    name = "object"
    options = frozenset({"fields"})
    container = True
    expected = "an object"

    # `fields` (required, a list of field definitions) is checked by `schema.checks`, which owns
    # names, duplicates and the nesting limits for every level.

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return ctx.fields(field["fields"])

    def non_empty(self, fragment: dict, field: dict) -> dict:
        return {**fragment, "minProperties": 1}
