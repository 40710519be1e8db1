"""The block list keeps a block's locale copies together: the source first, its copies under it (indented,
each with its own translation state in words), whatever column the list is sorted by.

Sorting a column sorts the *groups* by their source's value in that column (the source is the copy in the
site's default locale, else the oldest, as in `blocks.translation_units.pick_source`); inside a group the source
comes first, then the copies by locale. All of it is ordering expressions on the one list query (correlated
subqueries), so the page costs the same number of queries however many copies it shows.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, OrderBy, OuterRef, Subquery, Value, When
from django.db.models.expressions import BaseExpression

from blocks.models import SiteBlock


def _group_sources():
    """The rows of the outer row's group, its source first."""
    return SiteBlock.objects.filter(site_id=OuterRef("site_id"), translation_key=OuterRef("translation_key")).order_by(
        Case(When(locale=F("site__default_locale"), then=Value(0)), default=Value(1), output_field=IntegerField()),
        "pk",
    )


def group_value(field: str) -> Subquery:
    """The outer row's group source's value of `field` (what the group sorts by)."""
    return Subquery(_group_sources().values(field)[:1])


def grouped_ordering(ordering: list) -> list:
    """The change list's ordering made group-aware: each plain field sorts by the group source's value, then
    the group itself (site, translation key), the source before its copies, the copies by locale."""
    out: list = []
    for item in ordering:
        if isinstance(item, str) and item.lstrip("-") not in ("pk", "id"):
            name = item.lstrip("-")
            out.append(OrderBy(group_value(name), descending=item.startswith("-")))
        elif isinstance(item, BaseExpression | OrderBy) and not isinstance(item, str):
            out.append(item)
    is_copy = Case(
        When(pk=Subquery(_group_sources().values("pk")[:1]), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return [*out, "site_id", "translation_key", is_copy, "locale", "pk"]


def is_copy_row(block: SiteBlock, marks: dict[str, dict]) -> bool:
    """Whether a listed row is a copy shown under its group's source: not in the default locale, and the group
    has a default-locale copy (its `marks`, one state per enabled locale, say so)."""
    default = block.site.default_locale
    return block.locale != default and marks.get(default, {}).get("status", "missing") != "missing"
