"""The admin list's translation column: one mark per enabled locale of the block's site, in words.

Each mark says what `GET …/translations` says (`fr: 3/16 translated, 2 outdated`), as visible text: no
tooltip-only information (unreachable by keyboard and touch). Which fields are outdated is on the copy's page.

Marks for the whole page are computed once, after the page of rows is read (`translation_marks`: two
queries whatever the page size), and attached to each row; the column only renders them.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html, format_html_join

from blocks.selectors import translation_marks
from editor.locale_groups import grouped_ordering, is_copy_row

SYMBOLS = {"complete": "✓", "partial": "½", "outdated": "!", "missing": "\u2013"}  # an en dash


def mark_kind(state: dict) -> str:
    if state["status"] == "partial" and state["outdated"]:
        return "outdated"
    return state["status"]


def mark_words(code: str, state: dict) -> str:
    """What the mark says, shown (not a tooltip): the same counts `GET …/translations` gives, in words."""
    if state["status"] in ("missing", "complete"):
        return f"{code}: {state['status']}"
    words = f"{code}: {state['translatedFields']}/{state['totalFields']} translated"
    if state["outdated"]:
        words += f", {len(state['outdatedFields'])} outdated"
    machine = state.get("counts", {}).get("machine", 0)
    if machine:
        words += f", {machine} machine-translated"
    return words


class TranslationMarksChangeList(ChangeList):
    def get_ordering(self, request, queryset):
        """Whatever the sort, a block's locale copies stay together under their source (`editor.locale_groups`)."""
        return grouped_ordering(super().get_ordering(request, queryset))

    def get_results(self, request):
        super().get_results(request)
        marks = translation_marks(self.result_list)
        for block in self.result_list:
            block.translation_marks = marks.get(block.pk, {})
            block.is_locale_copy = is_copy_row(block, block.translation_marks)


class TranslationColumnMixin:
    """Adds `translations_column` to a block ModelAdmin (put it in `list_display`)."""

    def get_changelist(self, request, **kwargs):
        return TranslationMarksChangeList

    @admin.display(description="name", ordering="name")
    def name_column(self, block) -> str:
        """The name; a copy's is indented under its source's row and says which locale's copy it is."""
        if getattr(block, "is_locale_copy", False):
            return format_html(
                '<span class="cms-copy-row"><span aria-hidden="true">↳ </span>{} <span class="cms-copy-of">({} copy)'
                "</span></span>",
                block.name,
                block.locale,
            )
        return format_html("{}", block.name)

    @admin.display(description="translations")
    def translations_column(self, block) -> str:
        marks = getattr(block, "translation_marks", None) or {}
        if getattr(block, "is_locale_copy", False):  # a copy's row: its own state; the source's row has them all
            marks = {code: state for code, state in marks.items() if code == block.locale}
        return format_html_join(
            " ",
            '<span class="cms-tr cms-tr-{}"><span aria-hidden="true">{}</span> {}</span>',
            ((mark_kind(state), SYMBOLS[mark_kind(state)], mark_words(code, state)) for code, state in marks.items()),
        ) or format_html("{}", "")
