"""Field filters, field ordering and keyset cursors of the block lists: the delivery list (docs/delivery-api.md
"Filtering and ordering") and the management list (docs/management-api.md), which filters the working copies.

`?schemaOf=pricing-basic&data.price[lte]=30&data.cta.label[match]=buy&order=-data.date`

Why `schemaOf`: every block carries its own schema, so a filter needs one schema that decides what
`data.price` is (a number compares as a number, a date as a date). The rule chosen is the simplest sound
one: the published block named by `schemaOf` (along the locale chain) lends its schema, and a filter (or
the order) on `data.price` keeps only blocks whose published schema has the same field at the same place
(same name and type at every step of the path: `same_field`). Every kept block was validated against such
a definition when it was published, so its value there always has the type the filter parses for: no
cross-type comparison (nor a failing cast) can happen in SQL, and the Python oracle in the tests is exact.
Blocks made from one schema (copies, one template) share the places; ids, labels and options may differ.

Work is split in two so that hostile parameters cost no query: `parse` (pure Python, in the view's
`check`) refuses bad syntax, unknown operators, over-long values and NUL; `compile_query` (on a cache
miss, with the reference schema) refuses unknown fields, operators the type does not support and values
that do not parse, and turns the rest into database expressions (JSON key transforms with casts, the same
on SQLite and PostgreSQL).

Keyset cursors (`cursor=`): a list ordered by `(key, id)` hands out the last row's key and id, signed
(`django.core.signing`, so a tampered or forged cursor is a 400, not a query on what someone typed) and
bound to the order it was made for. The next page is the rows strictly after that pair in the same order:
a publish between two requests moves only the rows it touches, so no unchanged row is skipped or repeated,
however deep the page (an offset would shift by one for every row published before it).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Expression,
    F,
    FloatField,
    OrderBy,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Concat, Substr, Upper
from django.db.models.lookups import Exact

from cms import errors, messages
from schema.options import choice_values
from schema.types.date_type import parse_date
from schema.types.datetime_type import parse_datetime

#: `data.cta.label[match]`: field names as schemas allow them (`schema.patterns.NAME_RE`), at most 5 deep
FILTER_RE = re.compile(r"^data\.([A-Za-z][A-Za-z0-9_]{0,63}(?:\.[A-Za-z][A-Za-z0-9_]{0,63}){0,4})(?:\[([^\]]*)\])?$")
ORDER_RE = re.compile(r"^(-?)data\.([A-Za-z][A-Za-z0-9_]{0,63}(?:\.[A-Za-z][A-Za-z0-9_]{0,63}){0,4})$")
OPERATORS = ("eq", "ne", "in", "nin", "lt", "lte", "gt", "gte", "exists", "match")
MAX_FILTERS = 10
MAX_VALUE_LENGTH = 1000
MAX_LIST_ITEMS = 100
NUMBER_RE = re.compile(r"^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$")

_RANGE = frozenset({"eq", "ne", "in", "nin", "lt", "lte", "gt", "gte", "exists"})
_EQUALITY = frozenset({"eq", "ne", "in", "nin", "exists"})
#: the operators each field type supports; every other type (object, array, image, ...) only `exists`
SUPPORTED: dict[str, frozenset[str]] = {
    "number": _RANGE,
    "date": _RANGE,
    "datetime": _RANGE,
    "string": _EQUALITY | {"match"},
    "text": _EQUALITY | {"match"},
    "email": _EQUALITY,
    "url": _EQUALITY,
    "color": _EQUALITY,
    "select": _EQUALITY,
    "boolean": frozenset({"eq", "ne", "exists"}),
}
#: the types a list can be ordered by (their order is the same on every database: no collation involved)
ORDERABLE = frozenset({"number", "date", "datetime"})


@dataclass(frozen=True)
class Filter:
    param: str  # the query parameter as sent, for the error envelope
    path: tuple[str, ...]
    op: str
    raw: str


@dataclass(frozen=True)
class FieldQuery:
    """What the list was asked beyond type and tags, parsed but not yet typed by a schema."""

    schema_of: str
    filters: tuple[Filter, ...]
    order: tuple[str, ...] | None  # the field path, or None for the default order (name, id)
    descending: bool = False

    def order_name(self) -> str:
        """The order as sent (`-data.date`), or "" for the list's default: what a cursor is bound to."""
        return ("-" if self.descending else "") + "data." + ".".join(self.order) if self.order else ""

    def ident(self) -> str:
        """The normalised query, for the cache key: filters sorted, so parameter order does not matter."""
        parts = sorted(f"{'.'.join(f.path)}[{f.op}]={f.raw}" for f in self.filters)
        order = ("-" if self.descending else "") + ".".join(self.order) if self.order else ""
        return "\x1f".join([self.schema_of, order, *parts])


def _bad(param: str, message: str) -> errors.BadRequest:
    return errors.BadRequest(f"`{param}`: {message}", fields={param: message})


def parse(params, schema_of: str | None, order: str | None) -> FieldQuery | None:
    """The field part of a list request, checked for syntax only (no query). None when nothing was asked."""
    names = [name for name in params if name.startswith("data.")]
    if not names and not order:
        return None
    if len(names) > MAX_FILTERS:
        raise errors.BadRequest(
            "Too many field filters.", fields={names[MAX_FILTERS]: messages.too_many(MAX_FILTERS, "field filters")}
        )
    found = []
    for name in names:
        match = FILTER_RE.match(name) if len(name) <= 400 and "\x00" not in name else None
        if match is None:
            raise _bad(name[:400], "Not a field filter: use `data.<field>[<operator>]=<value>`.")
        op = match.group(2) if match.group(2) is not None else "eq"
        if op not in OPERATORS:
            raise _bad(name, "Unknown operator: use one of " + ", ".join(OPERATORS) + ".")
        raw = params.get(name)
        if len(raw) > MAX_VALUE_LENGTH:
            raise _bad(name, messages.too_long(MAX_VALUE_LENGTH))
        if "\x00" in raw:
            raise _bad(name, "Must not contain NUL characters.")
        found.append(Filter(param=name, path=tuple(match.group(1).split(".")), op=op, raw=raw))
    order_path, descending = None, False
    if order:
        match = ORDER_RE.match(order) if len(order) <= 400 else None
        if match is None:
            raise _bad("order", "Must be `data.<field>` or `-data.<field>`.")
        order_path, descending = tuple(match.group(2).split(".")), match.group(1) == "-"
    if not schema_of:
        param = found[0].param if found else "order"
        raise _bad(param, "Filtering or ordering by a field needs `schemaOf=<slug>`: the block whose schema types it.")
    return FieldQuery(schema_of=schema_of, filters=tuple(found), order=order_path, descending=descending)


# -- typing by the schema (on a cache miss) -------------------------------------------------------------------
@dataclass
class Compiled:
    """What `delivery.selectors.block_page` applies: aliases, one condition, and the ordering."""

    aliases: dict[str, Expression]
    where: Q
    order: list[OrderBy | str]
    #: the field order's type (number, date, datetime), None for the default order by name
    order_type: str | None = None
    descending: bool = False


def field_at(schema: list, path: tuple[str, ...]) -> tuple[dict, list[int]] | None:
    """The field definition at `path` (object fields nested through `fields`) and its index at each step."""
    fields: Any = schema
    found: dict = {}
    indexes: list[int] = []
    for step in path:
        if not isinstance(fields, list):
            return None
        index = next((i for i, f in enumerate(fields) if isinstance(f, dict) and f.get("name") == step), None)
        if index is None:
            return None
        found = fields[index]
        indexes.append(index)
        fields = found.get("fields") if found.get("type") == "object" else None
    return found, indexes


def same_field(schema: list, path: tuple[str, ...], indexes: list[int], *, preview: bool) -> Q:
    """Blocks whose schema has the same field at the same place: the same name and type at every step.

    This is the narrowing that makes a filter's types sound: such a block was validated against that
    definition when published, so its value at `path` is of that type (or absent). Field ids, labels and
    options may differ (they do not change what a value is)."""
    key = "schema" if preview else "published_snapshot__schema"
    condition = Q()
    fields: list = schema
    for step, index in zip(path, indexes, strict=True):
        field = fields[index]
        key = f"{key}__{index}"
        condition &= Q(**{f"{key}__name": step, f"{key}__type": field.get("type")})
        key = f"{key}__fields"
        fields = field.get("fields") or []
    return condition


def _json(base: str, path: tuple[str, ...]) -> KeyTransform:
    expression: Any = base
    for step in path:
        expression = KeyTransform(step, expression)
    return expression


def _text(base: str, path: tuple[str, ...]) -> KeyTextTransform:
    return KeyTextTransform(path[-1], _json(base, path[:-1]) if len(path) > 1 else base)


def _typed(ftype: str, base: str, path: tuple[str, ...], guard: Q) -> Expression:
    """The value at `path` as its type, for blocks that pass `guard` (`same_field`), else NULL.

    Why a CASE and not only the guard in WHERE: PostgreSQL may evaluate the conditions of a WHERE in any
    order, and `'cheap'::double precision` (a string field of another schema) would fail the whole query.
    A CASE evaluates its branch only when its condition holds."""
    text: Any = _text(base, path)
    output: Any = TextField()  # a plain text expression: Django's JSON-specific lookups do not apply
    if ftype == "number":
        output = FloatField()
    elif ftype == "date":
        output = DateField()
    elif ftype == "datetime":
        output = DateTimeField()
        text = _rfc3339(text)
    return Case(When(guard, then=Cast(text, output)), default=None, output_field=output)


def _rfc3339(text: Any) -> Expression:
    """A stored datetime as both databases parse it the way `parse_datetime` does: `t`/`z` upper-cased
    (SQLite reads no lower-case `t`), a leap second (`:60`) as the minute's last second (SQLite reads none,
    PostgreSQL reads it as the next minute)."""
    upper = Upper(text)
    leap = Concat(Substr(upper, 1, 17), Value("59"), Substr(upper, 20), output_field=TextField())
    return Case(When(Exact(Substr(upper, 18, 2), Value("60")), then=leap), default=upper, output_field=TextField())


def _value(ftype: str, field: dict, param: str, raw: str) -> Any:
    """`raw` parsed as the field's type, as the right-hand side of a comparison; 400 when it does not parse."""
    if ftype == "number":
        if not NUMBER_RE.match(raw):
            raise _bad(param, "Must be a number, such as 30 or -2.5.")
        return float(raw)
    if ftype == "date":
        day = parse_date(raw)
        if day is None:
            raise _bad(param, "Must be a date, such as 2026-01-31.")
        return day
    if ftype == "datetime":
        moment = parse_datetime(raw)
        if moment is None:
            raise _bad(param, "Must be a date and time with an offset or Z, such as 2026-01-31T12:00:00Z.")
        # as the database reads the stored side, so both are normalised by the same function
        return Cast(Value(moment.isoformat()), DateTimeField())
    if ftype == "boolean":
        if raw not in ("true", "false"):
            raise _bad(param, "Must be `true` or `false`.")
        return raw == "true"
    if ftype == "select":
        options = choice_values(field.get("options") or [])
        if raw not in options:
            raise _bad(param, "Must be one of the options: " + ", ".join(str(o) for o in options[:10]) + ".")
        return raw
    return raw


def _condition(name: str, ftype: str, field: dict, item: Filter) -> Q:
    param, op, raw = item.param, item.op, item.raw
    if op == "exists":
        if raw not in ("true", "false"):
            raise _bad(param, "Must be `true` or `false`.")
        return Q(**{f"{name}__isnull": raw == "false"})
    if op == "match":
        if not raw:
            raise _bad(param, "Must not be empty.")
        return Q(**{f"{name}__icontains": raw})
    if ftype == "boolean":  # compared as JSON: `true` is 1 in SQLite's text view and 'true' in PostgreSQL's
        same = Q(**{f"{name}_json": _value(ftype, field, param, raw)})
        return same if op == "eq" else ~same | Q(**{f"{name}__isnull": True})
    if op in ("in", "nin"):
        items = raw.split(",")
        if len(items) > MAX_LIST_ITEMS:
            raise _bad(param, messages.too_many(MAX_LIST_ITEMS, "values"))
        if any(not one for one in items):
            raise _bad(param, "Must be a comma-separated list of values, none empty.")
        values = [_value(ftype, field, param, one) for one in items]
        if ftype == "datetime":  # expressions cannot go in an IN list
            any_of = Q()
            for one in values:
                any_of |= Q(**{name: one})
        else:
            any_of = Q(**{f"{name}__in": values})
        return any_of if op == "in" else ~any_of | Q(**{f"{name}__isnull": True})
    value = _value(ftype, field, param, raw)
    if op == "ne":  # a block without the field is not equal to the value
        return ~Q(**{name: value}) | Q(**{f"{name}__isnull": True})
    return Q(**{name if op == "eq" else f"{name}__{op}": value})


def _nested(path: tuple[str, ...], leaf: Any) -> Any:
    for step in reversed(path):
        leaf = {step: leaf}
    return leaf


def indexed(schema: list, path: tuple[str, ...], indexes: list[int], item: Filter | None) -> Q:
    """PostgreSQL: conditions the GIN indexes of migration delivery/0004 serve (`@>` on the live schema and data),
    each implied by `same_field` and the filter's own condition, so adding them changes no answer; they only let
    the planner start from the index instead of the site's rows (docs/delivery-api.md "Index plan").

    The schema: the field by name and type at every step (`[{"name": "cta", "type": "object", "fields": [...]}]`,
    position aside). The data, for `eq` and `in` on string, text and boolean fields and selects whose options are
    strings: the value itself (numbers and dates compare as numbers and dates, which containment does not)."""
    wanted: list = []
    fields, level = schema, wanted
    for step, index in zip(path, indexes, strict=True):
        field = fields[index]
        entry: dict = {"name": step, "type": field.get("type")}
        level.append(entry)
        if field.get("type") == "object":
            entry["fields"] = level = []
            fields = field.get("fields") or []
    condition = Q(published_snapshot__schema__contains=wanted)
    if item is None or item.op not in ("eq", "in"):
        return condition
    field = field_at(schema, path)[0]  # type: ignore[index]  # located by the caller
    ftype = field.get("type")
    strings = ftype in ("string", "text") or (
        ftype == "select" and all(isinstance(one, str) for one in choice_values(field.get("options") or []))
    )
    if strings:
        values: list[Any] = item.raw.split(",") if item.op == "in" else [item.raw]
    elif ftype == "boolean" and item.raw in ("true", "false"):
        values = [item.raw == "true"]
    else:
        return condition
    any_of = Q()
    for value in values:
        any_of |= Q(published_snapshot__data__contains=_nested(path, value))
    return condition & any_of


def compile_query(query: FieldQuery, schema: list, *, preview: bool) -> Compiled:
    """The database side of `query`, typed by `schema` (the `schemaOf` block's); 400 on what does not fit."""
    base = "data" if preview else "published_snapshot__data"
    aliases: dict[str, Expression] = {}
    where = Q()
    for index, item in enumerate(query.filters):
        located = field_at(schema, item.path)
        if located is None:
            raise _bad(item.param, f"`{query.schema_of}` has no field `{'.'.join(item.path)}`.")
        field, indexes = located
        ftype = str(field.get("type"))
        if item.op not in SUPPORTED.get(ftype, frozenset({"exists"})):
            allowed = ", ".join(op for op in OPERATORS if op in SUPPORTED.get(ftype, {"exists"}))
            raise _bad(item.param, f"A {ftype} field supports: {allowed}.")
        name = f"qf{index}"
        guard = same_field(schema, item.path, indexes, preview=preview)
        aliases[name] = _typed(ftype, base, item.path, guard)
        aliases[f"{name}_json"] = _json(base, item.path)
        where &= guard & _condition(name, ftype, field, item)
        if not preview and connection.vendor == "postgresql":
            where &= indexed(schema, item.path, indexes, item)
    order: list[OrderBy | str] = ["name", "id"]
    if query.order is not None:
        located = field_at(schema, query.order)
        if located is None:
            raise _bad("order", f"`{query.schema_of}` has no field `{'.'.join(query.order)}`.")
        field, indexes = located
        ftype = str(field.get("type"))
        if ftype not in ORDERABLE:
            raise _bad("order", "Only number, date and datetime fields can order the list.")
        guard = same_field(schema, query.order, indexes, preview=preview)
        aliases["qorder"] = _typed(ftype, base, query.order, guard)
        by = F("qorder").desc(nulls_last=True) if query.descending else F("qorder").asc(nulls_last=True)
        order = [by, "id"]
        where &= guard
        if not preview and connection.vendor == "postgresql":
            where &= indexed(schema, query.order, indexes, None)
        return Compiled(aliases=aliases, where=where, order=order, order_type=ftype, descending=query.descending)
    return Compiled(aliases=aliases, where=where, order=order)


# -- keyset cursors -------------------------------------------------------------------------------------------
CURSOR_SALT = "cms.blocks.list-cursor"
MAX_CURSOR_LENGTH = 1000


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor: the order it was made for, the last row's sort key (JSON form) and id."""

    order: str
    key: Any
    id: int


@dataclass(frozen=True)
class SortKey:
    """How a list is ordered, for keyset pages: `column` (an alias or a field), then `id`.

    `nullable`: missing values sort last (a field order); `kind`: how the key travels in a cursor."""

    order: str  # the order's name as sent (`-data.date`, `-updatedAt`), or "" for the default
    column: str
    descending: bool = False
    nullable: bool = False
    kind: str = "string"  # string, number, date, datetime (a field's), timestamp (a column's)
    id_descending: bool = False  # ties: by id ascending after a field order, in the order's direction otherwise


def make_cursor(sort: SortKey, value: Any, row_id: int) -> str:
    """The opaque cursor after a row whose sort key is `value` (the row's own value, read from the database)."""
    if value is not None and sort.kind in ("date", "datetime", "timestamp"):
        value = value.isoformat()
    return signing.dumps({"o": sort.order, "k": value, "i": row_id}, salt=CURSOR_SALT, compress=False)


def read_cursor(raw: str, param: str = "cursor") -> Cursor:
    """The cursor as sent, its signature checked (no query): 400 naming `param` when it was not made by us."""
    if len(raw) > MAX_CURSOR_LENGTH or "\x00" in raw:
        raise _bad(param, "Not a cursor of this list: use the `nextCursor` of the previous page.")
    try:
        payload = signing.loads(raw, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise _bad(param, "Not a cursor of this list: use the `nextCursor` of the previous page.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("o"), str):
        raise _bad(param, "Not a cursor of this list: use the `nextCursor` of the previous page.")
    return Cursor(order=payload["o"], key=payload.get("k"), id=payload["i"])


def _cursor_value(sort: SortKey, cursor: Cursor, param: str) -> Any:
    """The cursor's key as the column's type (a cursor made for this order always converts)."""
    value = cursor.key
    if cursor.order != sort.order:
        raise _bad(param, "This cursor was made for another order: send the same `order` as the first page.")
    if value is None:
        if not sort.nullable:
            raise _bad(param, "Not a cursor of this list: use the `nextCursor` of the previous page.")
        return None
    parsed: Any = None
    if sort.kind == "string" and isinstance(value, str):
        parsed = value
    elif sort.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        parsed = float(value)
    elif sort.kind in ("date", "datetime", "timestamp") and isinstance(value, str):
        # written by `make_cursor` from the database's own value: `isoformat` back, exactly
        with contextlib.suppress(ValueError):
            parsed = (date if sort.kind == "date" else datetime).fromisoformat(value)
    if parsed is None:
        raise _bad(param, "Not a cursor of this list: use the `nextCursor` of the previous page.")
    if sort.kind == "datetime":  # compared as the field's values are: cast by the database (see `_value`)
        return Cast(Value(parsed.isoformat()), DateTimeField())
    return parsed


def after(sort: SortKey, cursor: Cursor, param: str = "cursor") -> Q:
    """The rows strictly after the cursor's row in the order `(column, id)` (missing values last).

    Written as `column beyond v OR (column = v AND id beyond i)` so the database can use an index on
    `(column, id)`; with missing values last, every row with a value is before every row without one."""
    value = _cursor_value(sort, cursor, param)
    beyond = "lt" if sort.descending else "gt"
    id_beyond = "lt" if sort.id_descending else "gt"
    column = sort.column
    if value is None:  # the cursor's row has no value: only rows without one, by id, come after it
        return Q(**{f"{column}__isnull": True, f"id__{id_beyond}": cursor.id})
    later = Q(**{f"{column}__{beyond}": value}) | Q(**{column: value, f"id__{id_beyond}": cursor.id})
    if sort.nullable:
        later |= Q(**{f"{column}__isnull": True})
    return later


def field_sort(compiled: Compiled | None, query: FieldQuery | None) -> SortKey:
    """The sort key of a list ordered by `compiled` (a field order), else by name."""
    if compiled is not None and compiled.order_type is not None and query is not None:
        return SortKey(
            order=query.order_name(),
            column="qorder",
            descending=compiled.descending,
            nullable=True,
            kind=compiled.order_type,
        )
    return SortKey(order="", column="name")


def keyset_page(
    rows: Any, sort: SortKey, order: list, cursor: Cursor | None, page: int, per_page: int
) -> tuple[list, dict]:
    """A page of `rows` (a queryset, filtered) and its meta, by page number or after `cursor`: two queries,
    the count of every match and the page. `meta.nextCursor` continues after the page's last row."""
    total = rows.count()
    meta: dict[str, Any] = {"total": total, "perPage": per_page}
    if cursor is not None:
        found = list(rows.filter(after(sort, cursor)).order_by(*order)[:per_page]) if total else []
        more = len(found) == per_page
    else:
        offset = (page - 1) * per_page
        found = list(rows.order_by(*order)[offset : offset + per_page]) if offset < total else []
        meta.update({"currentPage": page, "lastPage": max(1, -(-total // per_page))})
        more = len(found) == per_page and offset + per_page < total
    last = found[-1] if found else None
    meta["nextCursor"] = make_cursor(sort, getattr(last, sort.column), last.pk) if more and last is not None else None
    return found, meta
