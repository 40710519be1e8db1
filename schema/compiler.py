"""Compiling a checked schema into a `CompiledSchema`: its JSON Schema, a jsonschema-rs validator, and what
validation needs besides (error messages per field, richtext sanitising).

Each schema compiles to two JSON Schemas per level. The **served** one (`json_schema`) is what clients, the
admin form and the `jsonschema` oracle of the tests read: portable patterns, titles, `x-cms` annotations.
The **engine** one is what jsonschema-rs runs: no annotations, patterns without the Python-only `(?!\\n)`
guard, and the rules JSON Schema has no keyword for (date and datetime bounds, number steps, file types)
added as regexes, `multipleOf`, or a callback keyword (`FieldType.engine_check`). So validating a valid
document is one `is_valid` call that never leaves Rust; errors are collected and mapped to our paths and
messages only when it says no, through a plan kept per keyword location (`CompiledSchema._plan`).
`compiled_for` caches compiled schemas by content hash, so a schema version compiles once per process.
"""

from __future__ import annotations

import hashlib
import operator
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson

from cms import jsonbytes
from cms.errors import ValidationFailed
from schema import patterns
from schema.fieldtype import CHECK_KEYWORD, CompileContext, FieldType, generic_message
from schema.limits import value_problems
from schema.paths import ANY_ITEM, format_path
from schema.registry import is_localized, type_of

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
REQUIRED_MESSAGE = "Must be present and non-empty."
UNKNOWN_FIELD = "unknown field"
READ_ONLY = "read-only field"
CACHE_SIZE = 512


class _Node:
    """One field of the schema tree, to find the field an error path points into."""

    __slots__ = ("children", "clean", "field", "ftype", "items")

    def __init__(self) -> None:
        self.field: dict | None = None
        self.ftype: FieldType | None = None
        self.children: dict[str, _Node] | None = None
        self.items: _Node | None = None
        self.clean = False  # this field or one below it needs `normalize` (richtext)

    def definition(self) -> tuple[dict, FieldType]:
        """The field and its type, which every node but the root (the schema itself) has."""
        assert self.field is not None and self.ftype is not None, "the root node stands for no field"
        return self.field, self.ftype


class _Plan:
    """How errors raised by one keyword of the engine schema are reported (see `CompiledSchema._plan`)."""

    __slots__ = ("depth", "indexes", "length", "may_be_empty", "message", "node", "text")

    def __init__(self, node: _Node, depth: int, length: int) -> None:
        self.node = node
        self.depth = depth  # how many steps of the error's path lie below the field (inside its value)
        self.message: str | None = None  # None: worked out for each error (from the value or the detail)
        self.may_be_empty = False  # publish level, required field: an empty value says REQUIRED_MESSAGE
        # The keyword fixes every step of the error's API path but the list indexes (unless a step is a key
        # nobody defined: `length` _NEVER), so from the second error on (`length` _LATER until then), the path
        # is `text` with the indexes (taken from the error's path by `indexes`) filled in; `text` alone when
        # there are none; `length` is then the length of the error paths that `text` fits.
        self.length = length
        self.indexes: Any = None
        self.text = ""

    def path(self, parts: list) -> str:
        """`data.navLinks[1].url` for an error of this plan at `parts` (not the first: `_plan` gives its path)."""
        if len(parts) != self.length:
            if self.length == _LATER:
                self._template(parts)  # the keyword fails again: worth a template (more work than one path)
            if len(parts) != self.length:
                return _path_text(parts)
        return self.text if self.indexes is None else self.text % self.indexes(parts)

    def _template(self, parts: list) -> None:
        text = "data" + "".join(["[%s]" if type(part) is int else "." + part for part in parts])
        if text.count("%") != text.count("[%s]"):  # a `%` in a key (checked names have none): no template
            self.length = _NEVER
            return
        positions = [i for i, part in enumerate(parts) if type(part) is int]
        self.indexes = operator.itemgetter(*positions) if positions else None
        self.text = text
        self.length = len(parts)


#: `_Plan.length` without a template: made at the next error, never (a step is a key nobody defined)
_LATER, _NEVER = -1, -2


class _ExtraCheck:
    """The `x-cms-check` keyword: a type's `extra_check`, called from inside jsonschema-rs for one value."""

    def __init__(self, parent_schema: dict, value: dict, schema_path: list) -> None:
        self.ftype = type_of(value)
        self.field = value

    def validate(self, instance: Any) -> None:
        message = self.ftype.extra_check(self.field, instance)
        if message:
            raise ValueError(message)


_NOTHING: dict = {"not": {}}
#: how many keyword locations a compiled schema remembers an error plan for (per level); beyond, plans are
#: worked out per error, so a hostile schema cannot grow memory
PLAN_LIMIT = 20_000
#: `[0]`, `[1]`, …: list steps of an error path, made once
_INDEX_TEXT = tuple(f"[{i}]" for i in range(1000))
#: error kinds whose message needs no detail (`as_dict` builds a dict per error: skipped when useless)
_NO_DETAIL = frozenset({"Type", "Not", "UniqueItems", "FalseSchema"})


def _for_engine(value: Any) -> Any:
    """A copy of a compiled schema as jsonschema-rs runs it. Patterns lose their Python-only guard (see
    `patterns.for_engine`), and `additionalProperties: false` becomes `{"not": {}}`: the same rule, but
    reported at the unknown key with that key's value, not at the object with the whole object as its
    instance (which the Python binding converts eagerly, a cost that grows with the object's size)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "pattern" and isinstance(item, str):
                out[key] = patterns.for_engine(item)
            elif key == "additionalProperties" and item is False:
                out[key] = _NOTHING
            else:
                out[key] = _for_engine(item)
        return out
    if isinstance(value, list):
        return [_for_engine(item) for item in value]
    return value


def _validator(engine_schema: dict) -> jsonschema_rs.Draft202012Validator:
    """A jsonschema-rs validator of an engine schema (the one place validators are built, and counted)."""
    _stats.compiles += 1
    return jsonschema_rs.Draft202012Validator(
        engine_schema, validate_formats=True, keywords={CHECK_KEYWORD: _ExtraCheck}
    )


class _Compiler(CompileContext):
    def __init__(self, *, publish: bool, engine: bool) -> None:
        self.publish = publish
        self.engine = engine
        self._checks: dict[str, str] = {}  # engine only: JSON of an extra check -> its name in `$defs`
        self.datasources: list[tuple[tuple, str, dict]] = []
        self._stack: list[tuple[tuple, _Node]] = []

    def compile(self, schema: list[dict]) -> tuple[dict, _Node]:
        root = _Node()
        self._stack.append(((), root))
        body = self.fields(schema)
        self._stack.pop()
        # Top-level keys a schema change left behind (orphans) stay valid: no `additionalProperties` here.
        # Writes reject unknown top-level keys themselves (`apply_patch`).
        del body["additionalProperties"]
        out = {"$schema": JSON_SCHEMA_DIALECT, **body}
        if self.engine:
            if self._checks:
                out["$defs"] = {name: {"not": orjson.loads(text)} for text, name in self._checks.items()}
            return _for_engine(out), root  # a copy, like the branch below
        # A deep copy through JSON: fragments share constants, and callers get a plain, independent dict.
        return jsonbytes.copy(out), root

    def fields(self, fields: list[dict]) -> dict:
        path, node = self._stack[-1]
        node.children = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in fields:
            name = field["name"]
            child = node.children[name] = _Node()
            fragment = self._field(field, (*path, name), child, named=True)
            if self.publish and field.get("required") and field["type"] != "dataSource":
                fragment = child.definition()[1].non_empty(fragment, field)
                required.append(name)
            properties[name] = fragment
        out: dict = {"type": "object", "properties": properties, "additionalProperties": False}
        if required:
            out["required"] = required
        return out

    def items(self, items: dict) -> dict:
        path, node = self._stack[-1]
        node.items = _Node()
        return self._field(items, (*path, ANY_ITEM), node.items, named=False)

    def _field(self, field: dict, path: tuple, node: _Node, *, named: bool) -> dict:
        ftype = type_of(field)
        node.field, node.ftype = field, ftype
        self._stack.append((path, node))
        try:
            fragment = dict(ftype.compile(field, self))
        finally:
            self._stack.pop()
        if ftype.name == "dataSource":
            self.datasources.append((path, field["source"], field.get("params", {})))
        if ftype.needs_normalize(field):
            node.clean = True
        if node.clean:
            for _, ancestor in self._stack:
                ancestor.clean = True
        if self.engine:
            if ftype.needs_extra_check(field):
                # Wrapped in `not: {not: …}`, which fails with one plain `Not` error (an `anyOf` would carry
                # every branch's errors along, at twice the cost) and marks it as "an extra check said no":
                # no type's own fragment uses `not` (dataSource's `not: {}` has no extra check).
                assert "not" not in fragment, ftype.name
                # The check itself sits in `$defs` (shared by fields with the same options): the `Not` error
                # then carries a one-key schema, not the whole check, which the binding would convert.
                text = jsonbytes.dumps(ftype.engine_check(field), sort_keys=True).decode()
                name = self._checks.setdefault(text, f"check{len(self._checks)}")
                fragment["not"] = {"$ref": f"#/$defs/{name}"}
            return fragment
        fragment["title"] = field.get("label") or field.get("name") or ftype.name
        if field.get("help"):
            fragment["description"] = field["help"]
        if "default" in field:
            fragment["default"] = field["default"]
        marker: dict = {"type": ftype.name}
        if named:
            marker["localized"] = is_localized(field)
            if field.get("required") and ftype.name != "dataSource":
                marker["required"] = True
        marker.update(ftype.annotations(field))
        fragment["x-cms"] = marker
        return fragment


class CompiledSchema:
    """A schema ready to validate, merge and clean data. Build it with `compiled_for`, which caches."""

    def __init__(self, schema: list[dict]) -> None:
        compiler = _Compiler(publish=False, engine=True)
        engine_schema, self._root = compiler.compile(schema)
        self.datasource_fields: list[tuple[tuple, str, dict]] = compiler.datasources
        self._schema = schema
        self._validator = _validator(engine_schema)
        self._served: dict[bool, dict] = {}
        self._publish_validator: jsonschema_rs.Draft202012Validator | None = None
        self._plans: dict[bool, dict[tuple, _Plan]] = {False: {}, True: {}}
        self._lock = threading.Lock()

    # -- the served JSON Schemas, and the publish level, built on first use --------------------------------
    @property
    def json_schema(self) -> dict:
        """The JSON Schema (draft 2020-12) of draft-level data, as served to clients."""
        return self._served_schema(publish=False)

    @property
    def publish_json_schema(self) -> dict:
        """The JSON Schema of publishable data: the draft schema plus `required` (present and non-empty)."""
        return self._served_schema(publish=True)

    def _served_schema(self, *, publish: bool) -> dict:
        if publish not in self._served:
            with self._lock:
                if publish not in self._served:
                    self._served[publish] = _Compiler(publish=publish, engine=False).compile(self._schema)[0]
        return self._served[publish]

    def _publish_level(self) -> jsonschema_rs.Draft202012Validator:
        if self._publish_validator is None:
            with self._lock:
                if self._publish_validator is None:
                    engine_schema, _ = _Compiler(publish=True, engine=True).compile(self._schema)
                    self._publish_validator = _validator(engine_schema)
        return self._publish_validator

    # -- validation -----------------------------------------------------------------------------------------
    def validate(self, data: dict, *, publish: bool = False) -> dict[str, str]:
        """Every error of `data` as `{"data.path": "message"}`; empty when valid. Orphaned keys are ignored."""
        validator = self._publish_level() if publish else self._validator
        try:
            if validator.is_valid(data):
                return {}
        except (ValueError, TypeError, OverflowError):
            return {"data": "Must contain only JSON values."}
        # Materialised first: mapping while the binding iterates is measurably slower (`bench/validate.py`).
        return self._map_errors(list(validator.iter_errors(data)), publish=publish)

    def _map_errors(self, errors: list[jsonschema_rs.ValidationError], *, publish: bool) -> dict[str, str]:
        plans = self._plans[publish]
        out: dict[str, str] = {}
        extra: dict[str, str] = {}
        for error in errors:
            kind_obj = error.kind
            kind = type(kind_obj).__name__
            parts = error.instance_path
            location = (kind, *error.evaluation_path)
            plan = plans.get(location)
            where = ""  # the API path, when `_plan` has just worked it out (else `plan.path(parts)`)
            if plan is None:
                plan, where = self._plan(error, kind, publish=publish)
                if len(plans) < PLAN_LIMIT:
                    plans[location] = plan
            message = plan.message
            if message is not None:
                if plan.may_be_empty and _is_empty(error.instance):
                    message = REQUIRED_MESSAGE
                out.setdefault(where or plan.path(parts), message)
                continue
            # The messages that depend on the value or on the error's detail, worked out every time.
            node = plan.node
            rest = tuple(parts[len(parts) - plan.depth :]) if plan.depth else ()
            if kind == "Not":  # an extra check (see `_Compiler._field` and `_plan`)
                # The type's Python check words the message. If it finds nothing, the value is broken in a way
                # a JSON Schema keyword reports too.
                field, ftype = node.definition()
                message = ftype.extra_check(field, error.instance)
                if message:
                    extra.setdefault(where or plan.path(parts), message)
                continue
            detail = kind_obj.as_dict()
            if kind == "AdditionalProperties":
                for key in detail.get("unexpected", ()):
                    out.setdefault(format_path("data", (*parts, key)), UNKNOWN_FIELD)
                continue
            # Required
            missing: str = detail["property"]  # a Required error always names the key
            target = format_path("data", (*parts, missing))
            if node.children is not None and missing in node.children:
                out.setdefault(target, REQUIRED_MESSAGE)
            else:
                field, ftype = node.definition()
                out.setdefault(target, ftype.message(field, kind, detail, (*rest, missing), None))
        for where, message in extra.items():
            out.setdefault(where, message)  # a value that is wrong in two ways: the JSON Schema message first
        return out

    def _plan(self, error: jsonschema_rs.ValidationError, kind: str, *, publish: bool) -> tuple[_Plan, str]:
        """How to report errors of `kind` raised by the keyword at `error.evaluation_path`: the field they
        point into and, when it depends on nothing but the schema, the message. Kept per keyword location
        (`_map_errors`), so a second error there (in another item, another document) costs a dict lookup.
        The evaluation path, not the schema path: a keyword inside `$defs` is reached from several fields,
        through a `$ref` that only the evaluation path records. Also returns this error's API path."""
        node, rest, where = self._locate(error.instance_path)
        unknown_key = kind == "Not" and bool(rest)  # `additionalProperties: {"not": {}}` (see `_for_engine`)
        plan = _Plan(node, len(rest), _NEVER if unknown_key else _LATER)
        field, ftype = node.field, node.ftype  # both None at the root (the schema itself)
        if kind == "Not":
            if unknown_key:
                plan.message = UNKNOWN_FIELD
                return plan, where
            if field is not None and ftype is not None and ftype.needs_extra_check(field):
                return plan, where  # an extra check (see `_Compiler._field`): worded from the value, every time
        if kind in ("AdditionalProperties", "Required"):
            return plan, where  # the detail names the key, which differs from one error to the next
        detail = error.kind.as_dict() if kind not in _NO_DETAIL else {}
        if field is None or ftype is None:
            plan.message = generic_message(kind, detail, "an object")
            return plan, where
        plan.message = ftype.message(field, kind, detail, rest, None)
        plan.may_be_empty = (
            publish and not rest and bool(field.get("required")) and kind in ("MinLength", "MinItems", "MinProperties")
        )
        return plan, where

    def _locate(self, parts: list) -> tuple[_Node, tuple, str]:
        """The deepest field node along the error path `parts`, the part of the path below it (inside the
        value: an image's `alt`, a key nobody defined), and the path as the API shows it
        (`data.navLinks[1].url`); one pass."""
        node = self._root
        text = "data"
        for i, part in enumerate(parts):
            if type(part) is int:
                nxt = node.items
                text += _INDEX_TEXT[part] if part < len(_INDEX_TEXT) else f"[{part}]"
            else:
                nxt = node.children.get(part) if node.children is not None else None
                text += "." + part
            if nxt is None:
                return node, tuple(parts[i:]), _path_text(parts)
            node = nxt
        return node, (), text

    # -- writes ---------------------------------------------------------------------------------------------
    def apply_patch(self, current: dict, patch: object) -> dict:
        """The new data after a write of `patch` (docs/fields.md "Writing data"); raises ValidationFailed.

        Top-level merge: keys not sent are kept, a sent value replaces the old one whole, `null` removes the
        key (orphaned keys too). Unknown keys and dataSource keys are refused. Richtext is sanitised, then
        the merged document is validated at draft level. `current` is never changed.
        """
        if not isinstance(patch, dict):
            raise ValidationFailed(fields={"data": "Must be an object."})
        fields = self._root.children or {}
        merged = dict(current or {})
        errors: dict[str, str] = {}
        for key, value in patch.items():
            errors.update(value_problems(value, format_path("data", (key,))))
        if errors:
            # Out of bounds (a number past 2^53 - 1, a value nested past 32 levels): told alone, before the
            # sanitiser or the engine look at the value.
            raise ValidationFailed("The data did not validate.", fields=errors)
        for key, value in patch.items():
            node = fields.get(key)
            if node is None or node.definition()[1].name == "dataSource":
                if value is None and key in merged:
                    del merged[key]  # an orphaned key, or a stale value where a dataSource now is
                else:
                    errors[format_path("data", (key,))] = UNKNOWN_FIELD if node is None else READ_ONLY
                continue
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _clean(node, value)
        for where, message in self.validate(merged).items():
            errors.setdefault(where, message)
        if errors:
            raise ValidationFailed("The data did not validate.", fields=errors)
        return merged

    def clean(self, data: dict) -> dict:
        """`data` with every value in its stored form (richtext sanitised); a new dict, orphans kept."""
        if not isinstance(data, dict):
            return data
        fields = self._root.children or {}
        return {key: (_clean(fields[key], value) if key in fields else value) for key, value in data.items()}

    def orphaned_fields(self, data: dict) -> list[str]:
        """Top-level keys of `data` that the schema does not (or no longer) define."""
        if not isinstance(data, dict):
            return []
        fields = self._root.children or {}
        return [key for key in data if key not in fields]


def _clean(node: _Node, value: Any) -> Any:
    if not node.clean:
        return value
    if node.children is not None and isinstance(value, dict):
        return {k: (_clean(node.children[k], v) if k in node.children else v) for k, v in value.items()}
    if node.items is not None and isinstance(value, list):
        return [_clean(node.items, item) for item in value]
    field, ftype = node.definition()
    return ftype.normalize(field, value)


def _path_text(parts: list) -> str:
    """`data.navLinks[1].url` for the error path `["navLinks", 1, "url"]` (`format_path`, made faster: this
    runs for every error)."""
    try:
        return "data" + "".join([_INDEX_TEXT[p] if type(p) is int else "." + p for p in parts])
    except IndexError:
        return format_path("data", parts)


def _is_empty(value: Any) -> bool:
    return value in ("", [], {}) and not isinstance(value, bool)


@dataclass
class CacheInfo:
    """How the compiled-schema cache is doing: `compiles` counts every compile of a JSON Schema level (the
    draft level on first use of a schema version, the publish level on its first publish), so a test can
    prove that a second validation compiles nothing."""

    hits: int = 0
    misses: int = 0
    compiles: int = 0
    size: int = 0


_stats = CacheInfo()
_cache: OrderedDict[str, CompiledSchema] = OrderedDict()
_cache_lock = threading.Lock()


def cache_info() -> CacheInfo:
    """A snapshot of the cache counters (see `CacheInfo`)."""
    with _cache_lock:
        return CacheInfo(_stats.hits, _stats.misses, _stats.compiles, len(_cache))


def schema_key(schema: list[dict]) -> str:
    """The content hash that identifies a schema version (key order inside a definition does not matter)."""
    return hashlib.sha256(jsonbytes.dumps(schema, sort_keys=True)).hexdigest()


def compiled_for(schema: list[dict]) -> CompiledSchema:
    """The compiled form of a checked `schema`, compiled once per process per schema content."""
    key = schema_key(schema)
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _stats.hits += 1
            _cache.move_to_end(key)
            return compiled
        _stats.misses += 1
    compiled = CompiledSchema(jsonbytes.copy(schema))
    with _cache_lock:
        compiled = _cache.setdefault(key, compiled)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def clear_cache() -> None:
    """Forget every compiled schema and reset the counters (tests; a process never needs it, it is bounded)."""
    with _cache_lock:
        _cache.clear()
        _stats.hits = _stats.misses = _stats.compiles = 0
