"""`boolean`: true or false."""

from __future__ import annotations

from schema.fieldtype import CompileContext, FieldType


class BooleanType(FieldType):
    name = "boolean"
    expected = "true or false"

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"type": "boolean"}
