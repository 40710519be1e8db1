"""`email`: an address `local@domain.tld`.

A regex of our own rather than the `email` format: the two engines that read the compiled schema disagree
on that format (the Python one only looks for an `@`), and an editor's typo should fail the same everywhere.
"""

from __future__ import annotations

from typing import Any

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, generic_message


class EmailType(FieldType):
    name = "email"
    expected = "an email address"

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"type": "string", "maxLength": 254, "pattern": patterns.EMAIL}

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if kind in ("Type", "Pattern"):
            return "Must be an email address."
        return generic_message(kind, detail, self.expected)
