"""`string`: one line of text (no line breaks), 255 characters unless `maxLength` raises it (to 10,000); with
`reference`, the slug of another block (resolved by the delivery API's `include`)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_length_range

DEFAULT_MAX = 255
CAP = 10_000
#: `"reference": "slug"`: the value is the slug of another block of the site, which the delivery API's
#: `include=N` resolves (`blocks.references`; docs/fields.md "References")
REFERENCE_KINDS = ("slug",)
_SINGLE_LINE = {patterns.SINGLE_LINE, patterns.for_engine(patterns.SINGLE_LINE)}


def pattern_error(pattern: object) -> str | None:
    """Why `pattern` cannot be used, or None: it must compile in Python and in jsonschema-rs alike."""
    if not isinstance(pattern, str) or not pattern:
        return "Must be a non-empty regular expression."
    if len(pattern) > 1000:
        return "Must be at most 1000 characters long."
    try:
        re.compile(pattern)
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    except (re.error, ValueError, jsonschema_rs.ValidationError) as exc:
        return f"Is not a valid regular expression ({str(exc).splitlines()[0]})."
    return None


class StringType(FieldType):
    name = "string"
    options = frozenset({"minLength", "maxLength", "pattern", "reference"})
    localized_default = True
    expected = "a string"

    def check_options(self, field: dict, report: Report) -> None:
        opt_length_range(field, report, cap=CAP)
        if "pattern" in field and (problem := pattern_error(field["pattern"])):
            report("pattern", problem)
        if "reference" in field and field["reference"] not in REFERENCE_KINDS:
            report("reference", "Must be `slug`: the value names another block of the site by its slug.")

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        # One line is a positive pattern, not `not: {pattern: "[\\r\\n]"}`: jsonschema-rs is several times
        # faster on it. The editor's own pattern, if any, sits beside it in `allOf`.
        out: dict = {
            "type": "string",
            "maxLength": field.get("maxLength", DEFAULT_MAX),
            "pattern": patterns.SINGLE_LINE,
        }
        if "minLength" in field:
            out["minLength"] = field["minLength"]
        if "pattern" in field:
            out["allOf"] = [{"pattern": field["pattern"]}]
        return out

    def non_empty(self, fragment: dict, field: dict) -> dict:
        return {**fragment, "minLength": max(1, fragment.get("minLength", 0))}

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if kind == "Pattern":
            if detail.get("pattern") in _SINGLE_LINE:
                return "Must be a single line (no line breaks)."
            return f"Must match the pattern {field.get('pattern')}."
        return generic_message(kind, detail, self.expected)
