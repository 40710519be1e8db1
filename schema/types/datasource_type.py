"""`dataSource`: a read-only value filled when the block is read (`source` names a callable registered in
`schema.sources`, `params` is passed to it). Never stored: a value in data is `read-only field`."""

from __future__ import annotations

from typing import Any

from schema.fieldtype import CompileContext, FieldType, Report
from schema.sources import source_names


class DataSourceType(FieldType):
    name = "dataSource"
    options = frozenset({"source", "params"})
    may_be_array_item = False
    expected = "absent"

    def check_options(self, field: dict, report: Report) -> None:
        sources = source_names()
        if "source" not in field:
            report("source", "Is required for this type: one of " + ", ".join(sources) + ".")
        elif not isinstance(field["source"], str) or field["source"] not in sources:
            report("source", "Unknown data source; one of " + ", ".join(sources) + ".")
        if "params" in field and not isinstance(field["params"], dict):
            report("params", "Must be an object.")

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        # `not: {}` matches nothing: the key must be absent from stored data. `readOnly` tells clients why.
        return {"readOnly": True, "not": {}}

    def annotations(self, field: dict) -> dict:
        return {"source": field.get("source"), "params": field.get("params", {})}

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        return "read-only field"
