"""The translator's workspace on a locale copy's content form: each localized field's state in words
(untranslated / outdated / translated) beside its label, the source's value beside the control, old → new for
an outdated field, a "Keep" button, each shared field locked and marked "shared with <source>" (at every
depth), one summary line above the fields with "Re-sync shared fields" for an editor when they diverge.

The states are `blocks.translation_units`' (the API's `GET …/translations` gives the same); the rule that a
copy cannot change a shared value is the write path's, so this only says it where the translator works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from blocks.translation_units import has_units, is_empty
from schema.labels import field_label
from schema.sanitize import sanitize_html

STATE_WORDS = {
    "untranslated": "Untranslated: still the copied {source} text",
    "outdated": "Outdated: the {source} source changed since it was translated",
    "translated": "Translated",
    "machine": "Machine-translated: check it, then keep or edit it",
}


@dataclass
class CopyNotes:
    """One copy's notes: its source's locale, each unit's state by data path (`plans[1].name`)."""

    source_locale: str
    states: dict[str, str]
    state: dict = dc_field(default_factory=dict)
    #: the source's current value of each unit, and of each shared value, by data path
    source_values: dict[str, Any] = dc_field(default_factory=dict)
    source_shared: dict[str, Any] = dc_field(default_factory=dict)
    #: for an outdated unit, the source's value it was translated from (`blocks.selectors.translated_from`)
    previous: dict[str, Any] = dc_field(default_factory=dict)
    #: the viewer may keep units (writes this copy's data) and re-sync shared fields (an editor)
    can_keep: bool = False
    can_sync: bool = False
    #: the copy's Review tab, where "Ready for review" submits it to the site's reviewers (editor/reviews.py)
    review_url: str = ""

    def note(self, field: dict, where: str, *, top_level: bool) -> tuple[str, str, bool] | None:
        """`(kind, words, locked)` for the field at API path `where` (`data.plans[1].name`), or None.
        (`top_level` is kept for callers; shared fields are locked at every depth.)"""
        key = where.removeprefix("data.")
        if key in self.states:
            kind = self.states[key]
            return kind, STATE_WORDS[kind].format(source=self.source_locale), False
        if field.get("type") != "dataSource" and not has_units(field):
            # Locked at every depth: a nested one (a plan's price) is read back from the copy's data on save.
            return (
                "shared",
                f"Shared with {self.source_locale}: read-only here, edited in the {self.source_locale} copy",
                True,
            )
        return None

    def workspace(self, field: dict, where: str, value: Any, control: SafeString, *, disabled: bool) -> SafeString:
        """The translator's workspace around one field's control: for a unit, the source's value beside it
        (read only), what changed in the source for an outdated one (old → new) and a "Keep" button; for a
        shared field whose value differs from the source's, the source's value. Otherwise the control."""
        key = where.removeprefix("data.")
        label = field_label(field)
        if key not in self.states:
            if key in self.source_shared and self.source_shared[key] != value:
                return format_html(
                    '{}<p class="cms-tr-diverged">This copy differs from the {} source, which has {}.{}</p>',
                    control,
                    self.source_locale,
                    present(self.source_shared[key], field),
                    " Re-sync shared fields (above) to follow it." if self.can_sync else " An editor can re-sync it.",
                )
            return control
        state = self.states[key]
        source = format_html(
            '<div class="cms-tr-source" role="group" aria-label="{} in {} (source, read only)">'
            '<span class="cms-tr-source-label" aria-hidden="true">{} source</span>'
            '<div class="cms-tr-source-value">{}</div></div>',
            label,
            self.source_locale,
            self.source_locale,
            present(self.source_values.get(key), field),
        )
        change = ""
        if state == "outdated":
            old = self.previous.get(key, _ABSENT)
            change = format_html(
                '<div class="cms-tr-change"><span class="cms-tr-change-title">Changed in {}:</span> {}</div>',
                self.source_locale,
                format_html(
                    '<del class="cms-tr-old" aria-label="before">{}</del> <span aria-hidden="true">→</span> '
                    '<ins class="cms-tr-new" aria-label="now">{}</ins>',
                    present(old, field),
                    present(self.source_values.get(key), field),
                )
                if old is not _ABSENT
                else format_html(
                    "now {} (the earlier value is no longer in its history)",
                    present(self.source_values.get(key), field),
                ),
            )
        keep = ""
        if self.can_keep and not disabled and state != "translated" and not is_empty(value):
            keep = format_html(
                '<button type="submit" name="_keep" value="{}" class="button cms-tr-keep" aria-label="Keep {}: {}">'
                "Keep: {}</button>",
                key,
                label,
                "still right for the new source" if state == "outdated" else "right as it is",
                "still right for the new source" if state == "outdated" else "right as it is",
            )
        return format_html(
            '<div class="cms-tr-pair">{}<div class="cms-tr-target"><span class="cms-tr-target-label"'
            ' aria-hidden="true">your translation</span>{}</div></div>{}{}',
            source,
            control,
            change,
            keep,
        )

    def fixed_rows(self, field: dict) -> bool:
        """A list of objects holding shared values: in a copy its rows are the source's (not added, moved or
        removed), so each row's shared values can be read back from the copy by position."""
        items = field.get("items") if field.get("type") == "array" else None
        if not isinstance(items, dict) or items.get("type") != "object":
            return False
        subs = [sub for sub in items.get("fields", []) if isinstance(sub, dict) and sub.get("type") != "dataSource"]
        return any(not has_units(sub) for sub in subs)

    def locked_fields(self, schema: list[dict]) -> set[str]:
        """The top-level fields shown locked (what `note` locks): the form does not read them back."""
        return {
            item["name"]
            for item in schema
            if isinstance(item, dict) and item.get("type") != "dataSource" and not has_units(item)
        }

    def summary(self, locale: str) -> SafeString:
        """One line above the fields: the counts in words, and the shared fields that differ from the source."""
        counts = self.state.get("counts", {})
        total = self.state.get("totalFields", 0)
        line = format_html(
            '<p class="cms-tr-summary" id="cms-tr-summary">This {} copy translates {}: <strong>{} of {} fields '
            "translated</strong>, {} outdated, {} untranslated.{}</p>",
            locale,
            self.source_locale,
            counts.get("translated", 0),
            total,
            counts.get("outdated", 0),
            counts.get("untranslated", 0),
            format_html(
                " Shared fields that differ from {}: {} (an editor can re-sync them from {}).",
                self.source_locale,
                format_html_join(", ", "<code>{}</code>", ((path,) for path in self.state["divergedSharedFields"])),
                self.source_locale,
            )
            if self.state.get("divergedSharedFields")
            else "",
        )
        sync = (
            format_html(
                '<p class="cms-tr-sync"><button type="submit" name="_sync_shared" value="1" class="button">'
                "Re-sync shared fields from {}</button> Saves this page, then sets every shared field of this copy "
                "to the {} value.</p>",
                self.source_locale,
                self.source_locale,
            )
            if self.can_sync and self.state.get("divergedSharedFields")
            else ""
        )
        # The hand-off: a translated copy goes to the site's reviewers from its Review tab, with a comment.
        handoff = (
            format_html(
                '<p class="cms-tr-handoff" id="cms-tr-handoff"><a class="button" href="{}">Ready for review…</a>'
                " Sends this copy to the site's reviewers with a comment (save your changes first).</p>",
                self.review_url,
            )
            if self.review_url and self.can_keep
            else ""
        )
        return format_html("{}{}{}", line, sync, handoff)


_ABSENT: Any = object()  # no value at that path (told apart from a `null` value)


def present(value: Any, field: dict) -> SafeString:
    """A source value shown read only: rich text rendered (sanitised again: it becomes live HTML here), text
    with its line breaks, other values in short words; an absent or empty one says so."""
    if value is _ABSENT or is_empty(value):
        return mark_safe('<span class="cms-tr-empty">(empty)</span>')
    if field.get("type") == "richtext" and isinstance(value, str):
        return format_html('<div class="cms-tr-rich">{}</div>', mark_safe(sanitize_html(value)))
    if isinstance(value, bool):
        return mark_safe("yes" if value else "no")
    if isinstance(value, str):
        return format_html('<span class="cms-tr-text">{}</span>', value)
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return format_html("{}", ", ".join(str(item) for item in value))
    if isinstance(value, dict) and ("alt" in value or "assetId" in value):
        return format_html("{}", value.get("alt") or f"asset {value.get('assetId')}")
    return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False))
