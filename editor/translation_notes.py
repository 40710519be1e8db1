"""What a locale copy's content form says about translation, in words: each localized field's state
(untranslated / outdated / translated) beside its label, each shared field marked "shared with <source>"
(a top-level one locked, read-only), and one summary line above the fields.

The states are `blocks.translation_units`' (the API's `GET …/translations` gives the same); the rule that a
copy cannot change a shared value is the write path's, so this only says it where the translator works.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from blocks.translation_units import has_units

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

    def note(self, field: dict, where: str, *, top_level: bool) -> tuple[str, str, bool] | None:
        """`(kind, words, locked)` for the field at API path `where` (`data.plans[1].name`), or None."""
        key = where.removeprefix("data.")
        if key in self.states:
            kind = self.states[key]
            return kind, STATE_WORDS[kind].format(source=self.source_locale), False
        if field.get("type") != "dataSource" and not has_units(field):
            if top_level:
                return (
                    "shared",
                    f"Shared with {self.source_locale}: read-only here, edited in the {self.source_locale} copy",
                    True,
                )
            return "shared", f"Shared with {self.source_locale}: keep it as the {self.source_locale} copy has it", False
        return None

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
        return line
