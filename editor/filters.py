"""List filters of the block list. Their choices come only from the sites the user may see."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from blocks.models import BlockStatus
from editor.access import visible_blocks

MAX_TAG_CHOICES = 100


class StatusFilter(admin.SimpleListFilter):
    """Draft, published, or published with unpublished changes in the working copy."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("published", "Published"),
            ("changed", "Published, with unpublished changes"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "draft":
            return queryset.filter(status=BlockStatus.DRAFT)
        if value == "published":
            return queryset.filter(status=BlockStatus.PUBLISHED)
        if value == "changed":
            return queryset.filter(Q(status=BlockStatus.PUBLISHED) & Q(has_unpublished_changes=True))
        return queryset


class LocaleFilter(admin.SimpleListFilter):
    title = "locale"
    parameter_name = "locale"

    def lookups(self, request, model_admin):
        codes = visible_blocks(request).order_by().values_list("locale", flat=True).distinct()
        return [(code, code) for code in sorted(set(codes))]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(locale=self.value())
        return queryset


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags: set[str] = set()
        for row in visible_blocks(request).order_by().values_list("tags", flat=True).distinct()[:1000]:
            tags.update(t for t in row or () if isinstance(t, str))
        return [(tag, tag) for tag in sorted(tags)[:MAX_TAG_CHOICES]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_any_tag([self.value()])
        return queryset
