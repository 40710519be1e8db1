"""A schema change across a translation group, worked out once: the dry run reports it, the write applies it.

`plan(blocks, new_schema, old_schema)` migrates each copy's data (`schema.evolution.migrate`: renamed and moved
fields keep their values, types convert, what cannot follow is kept as an orphan) and carries each copy's
translation fingerprints along with its values (`carried_hashes`), so translation status does not reset
because a field moved. A field that stops being localized takes the source's value in every copy; a copy's
own value is kept as an orphan (`share_source_values`). One that becomes localized needs nothing: each copy
keeps its own value. Pure: it reads the rows given and changes none; `SchemaChange.apply` sets the new
schema, data and fingerprints on a locked row, which its caller then saves through the one write path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services.writing import rewrite_locked
from blocks.translation_units import fingerprint, pick_source, unit_values
from schema.evolution import Migration, field_changes, migrate, share_source_values, unlocalized_paths
from schema.identity import with_ids


@dataclass
class SchemaChange:
    """The new schema, what happens to each field, and per copy (by pk) its new data and fingerprints."""

    schema: list[dict]
    fields: list[dict]
    order: list[SiteBlock] = field(default_factory=list)
    migrations: dict[int, Migration] = field(default_factory=dict)
    hashes: dict[int, dict[str, str]] = field(default_factory=dict)

    def apply(self, block: SiteBlock) -> None:
        """Give a (locked) row the new schema, its migrated data and its carried fingerprints."""
        block.schema = self.schema
        block.data = self.migrations[block.pk].data
        block.translation_hashes = self.hashes[block.pk]

    def write_copies(self, copies: list[SiteBlock], *, actor: Actor, comment: str) -> None:
        """Save the addressed block's (locked) locale copies with their migrated data, one revision each.
        Call it inside the caller's `block_write`, after finishing the addressed block."""
        for copy in copies:
            rewrite_locked(
                copy,
                actor=actor,
                comment=comment,
                event="block.schema_updated",
                schema=self.schema,
                data=self.migrations[copy.pk].data,
                translation_hashes=self.hashes[copy.pk],
            )

    def report(self, *, dry_run: bool) -> dict:
        """`meta.schemaChange` (docs/fields.md "Changing a schema")."""
        return {
            "dryRun": dry_run,
            "fields": self.fields,
            "copies": [{"locale": b.locale, **self.migrations[b.pk].report()} for b in self.order],
        }


def plan(blocks: list[SiteBlock], schema: list[dict], *, old_schema: list[dict], default_locale: str) -> SchemaChange:
    """The change of `blocks` (the addressed block first, then its locale copies) to the checked `schema`.

    `old_schema` is the addressed block's schema with ids (`with_ids`); a copy's own schema is given the same
    ids by name, so a group whose rows predate field ids still lines up."""
    change = SchemaChange(schema=schema, fields=field_changes(old_schema, schema))
    change.order = [blocks[0], *sorted(blocks[1:], key=lambda b: b.locale)]
    olds = {b.pk: with_ids(b.schema or [], old_schema) for b in blocks}
    for b in blocks:
        change.migrations[b.pk] = migrate(olds[b.pk], schema, b.data)
    source = pick_source(blocks, default_locale)
    shared = unlocalized_paths(old_schema, schema)
    for b in blocks:
        if shared and b.pk != source.pk:
            share_source_values(change.migrations[b.pk], change.migrations[source.pk].data, shared)
    before = unit_values(olds[source.pk], source.data)
    after = unit_values(schema, change.migrations[source.pk].data)
    for b in blocks:
        change.hashes[b.pk] = carried_hashes(
            b.translation_hashes or {}, change.migrations[b.pk].moves(), source_before=before, source_after=after
        )
    return change


def carried_hashes(
    hashes: dict[str, str], moves: dict[str, str], *, source_before: dict, source_after: dict
) -> dict[str, str]:
    """A copy's fingerprints after its values moved (`moves`: old data path → new data path).

    A value that was up to date with the source stays up to date: its fingerprint becomes the one of the
    source's value at the new path (which a conversion may have changed, `5` → `"5"`). One that was outdated
    keeps its old fingerprint, so it stays outdated. Fingerprints of values that did not follow are dropped.
    """
    out: dict[str, str] = {}
    for old_key, new_key in moves.items():
        if old_key not in hashes:
            continue
        current = hashes[old_key] == fingerprint(source_before.get(old_key))
        out[new_key] = fingerprint(source_after.get(new_key)) if current else hashes[old_key]
    return out
