"""Query-string filters of `GET /site-blocks` (django-filter): type, status, tags, locale, search, ordering;
and the field filters, field order and keyset cursor it shares with the delivery list (`blocks.fieldquery`),
applied to the working copies (`FieldListQuery`).

`tags` is "any of" a comma list. JSON array membership differs per database: PostgreSQL uses jsonb's `?|`
(served by a GIN index), SQLite `json_each`. Both live in `SiteBlockQuerySet.with_any_tag`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import django_filters
from django.db.models import Q

from blocks import fieldquery
from blocks.models import BlockStatus, BlockType, SiteBlock
from cms import errors

ORDERING_FIELDS = {"name": "name", "updatedAt": "updated_at", "createdAt": "created_at"}
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")


class SiteBlockFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=BlockType.choices)
    status = django_filters.ChoiceFilter(choices=BlockStatus.choices)
    tags = django_filters.CharFilter(method="filter_tags", max_length=1100)
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    locale = django_filters.CharFilter(method="filter_locale", max_length=35)
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        choices=[(key, key) for name in ORDERING_FIELDS for key in (name, f"-{name}")],
    )

    class Meta:
        model = SiteBlock
        fields: list[str] = []

    def __init__(self, data=None, *args, default_locale: str = "en", **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("locale"):
            data["locale"] = default_locale
        super().__init__(data, *args, **kwargs)

    def filter_tags(self, queryset, name, value):
        tags = [tag.strip() for tag in value.split(",") if tag.strip()]
        return queryset.with_any_tag(tags) if tags else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(path__icontains=value))

    def filter_locale(self, queryset, name, value):
        return queryset.filter(locale=value)

    def filter_ordering(self, queryset, name, value):
        field = ORDERING_FIELDS[value.lstrip("-")]
        prefix = "-" if value.startswith("-") else ""
        return queryset.order_by(f"{prefix}{field}", f"{prefix}id")


def _bad(param: str, message: str) -> errors.BadRequest:
    return errors.BadRequest(f"`{param}`: {message}", fields={param: message})


@dataclass
class FieldListQuery:
    """`schemaOf`, `data.<path>[<op>]`, `order` and `cursor` of the management list, checked for syntax (no
    query); `apply` types them by the `schemaOf` block's working schema and filters the working copies."""

    query: fieldquery.FieldQuery | None
    cursor: fieldquery.Cursor | None
    ordering: str  # the `ordering=` sent (`-updatedAt`), or ""

    @classmethod
    def parse(cls, params) -> FieldListQuery:
        schema_of = params.get("schemaOf") or None
        if schema_of is not None and not SLUG_RE.match(schema_of):
            raise _bad("schemaOf", "Must be a block slug.")
        query = fieldquery.parse(params, schema_of, params.get("order") or None)
        ordering = params.get("ordering") or ""
        if query is not None and query.order is not None and ordering:
            raise _bad("order", "Send `order` (a field) or `ordering`, not both.")
        cursor = None
        raw = params.get("cursor")
        if raw:
            if params.get("page"):
                raise _bad("cursor", "Send `cursor` or `page`, not both.")
            cursor = fieldquery.read_cursor(raw)
            if cursor.order != cls._order_name(query, ordering):
                raise _bad("cursor", "This cursor was made for another order: send the same `order` as the first page.")
        return cls(query=query, cursor=cursor, ordering=ordering)

    @staticmethod
    def _order_name(query: fieldquery.FieldQuery | None, ordering: str) -> str:
        if query is not None and query.order is not None:
            return query.order_name()
        return ordering if ordering in ORDERING_CHOICES else ""

    def apply(self, rows, schema: list | None) -> tuple[object, fieldquery.SortKey, list]:
        """`(rows filtered, sort key, order)`; `schema` is the `schemaOf` block's (None: no such block)."""
        sort, order = self._default_sort()
        if self.query is None:
            return rows, sort, order
        if schema is None:
            raise _bad("schemaOf", f"No block `{self.query.schema_of}` in this locale to take the schema from.")
        compiled = fieldquery.compile_query(self.query, schema, preview=True)
        aliases = dict(compiled.aliases)
        shown = {"qorder": aliases.pop("qorder")} if "qorder" in aliases else {}
        rows = rows.alias(**aliases).annotate(**shown).filter(compiled.where)
        if compiled.order_type is None:
            return rows, sort, order
        return rows, fieldquery.field_sort(compiled, self.query), compiled.order

    def _default_sort(self) -> tuple[fieldquery.SortKey, list]:
        if self.ordering not in ORDERING_CHOICES:
            return fieldquery.SortKey(order="", column="name"), ["name", "id"]
        name = self.ordering.lstrip("-")
        column, descending = ORDERING_FIELDS[name], self.ordering.startswith("-")
        prefix = "-" if descending else ""
        kind = "string" if name == "name" else "timestamp"
        sort = fieldquery.SortKey(
            order=self.ordering, column=column, descending=descending, kind=kind, id_descending=descending
        )
        return sort, [f"{prefix}{column}", f"{prefix}id"]


ORDERING_CHOICES = frozenset(key for name in ORDERING_FIELDS for key in (name, f"-{name}"))
