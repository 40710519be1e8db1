"""Query-string filters of `GET /site-blocks` (django-filter): type, status, tags, locale, search, ordering.

`tags` is "any of" a comma list. JSON array membership differs per database: PostgreSQL uses jsonb's `?|`
(served by a GIN index), SQLite `json_each`. Both live in `SiteBlockQuerySet.with_any_tag`.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q

from blocks.models import BlockStatus, BlockType, SiteBlock

ORDERING_FIELDS = {"name": "name", "updatedAt": "updated_at", "createdAt": "created_at"}


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
