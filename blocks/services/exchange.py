"""Import of translation files (XLIFF, PO) back into a site's locale copies.

    translations_import(actor=, fmt=, content=, dry_run=False) -> dict (the report)

The file names its target locale; each unit names its block (translation key) and data path
(`blocks.exchange`). Per block copy, in one revision through the one write path (`block_write`, as
`block_update_data` writes), so an import is exactly a person's data write in that locale: written values
count as translated (`after_data_write`). Each unit ends in one list of the report:

- **applied**: its target differs from the copy's value and was written;
- **kept**: its target is the copy's value as it is, not flagged fuzzy / needs-translation by the tool,
  and the unit was untranslated or outdated: the translator confirmed it (as `keep` does);
- **unchanged**: nothing to do (the same value, already translated, or still flagged as not final);
- **outdated**: the source changed since the export (its fingerprint differs): not applied, export again;
- **invalid**: not a unit of this site, or a value the block's schema refuses (`path` says where);
- **skipped**: an empty target, or another unit of the same block is invalid (a block is all or nothing).

A second import of the same file finds every unit `unchanged` and writes nothing (no version bump).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Site
from accounts.permissions import Actor
from blocks import exchange
from blocks.models import SiteBlock
from blocks.services.common import require_data_write
from blocks.services.translation import after_data_write
from blocks.services.writing import block_write
from blocks.translation_units import TRANSLATED, SourceView, kept, machine_marked, unit_states, unit_values
from cms import errors
from schema import compiled_for

BLOCKED = "Another unit of this block is invalid."
LISTS = ("applied", "kept", "unchanged", "outdated", "invalid", "skipped")


@dataclass
class _Plan:
    """What importing a block's units would do, worked out against one state of the copy."""

    patch: dict = field(default_factory=dict)
    keep: list[str] = field(default_factory=list)
    lists: dict[str, list] = field(default_factory=lambda: {name: [] for name in LISTS})


def plan_units(source: SiteBlock, target: SiteBlock, units: list[exchange.ImportUnit]) -> _Plan:
    plan = _Plan()
    view = SourceView(source)
    states = unit_states(source, target, view=view)
    own = unit_values(target.schema, target.data)
    wanted: dict[str, Any] = {}  # data path → the value the file asks for
    by_key: dict[str, str] = {}
    new_data = json.loads(json.dumps(target.data))
    for unit in units:
        key = exchange.split_id(unit.id)[1]
        if key not in states:
            plan.lists["invalid"].append(
                {
                    "id": unit.id,
                    "path": key,
                    "message": f"Not a localized field the `{source.locale}` source has a value for.",
                }
            )
            continue
        if unit.problem:
            plan.lists["invalid"].append({"id": unit.id, "path": key, "message": unit.problem})
            continue
        if unit.target is None:
            plan.lists["skipped"].append({"id": unit.id, "reason": "No target: nothing translated."})
            continue
        if unit.fingerprint != view.print_of(key):
            plan.lists["outdated"].append(unit.id)
            continue
        try:
            value = json.loads(unit.target) if unit.is_json else unit.target
        except ValueError:
            plan.lists["invalid"].append({"id": unit.id, "path": key, "message": "Must be JSON (its `format: json`)."})
            continue
        if not _set(new_data, exchange.path_parts(key), value):
            plan.lists["invalid"].append(
                {"id": unit.id, "path": key, "message": f"The `{target.locale}` copy has no such place in its data."}
            )
            continue
        wanted[key], by_key[key] = value, unit.id
        if value == own.get(key) and not unit.fuzzy and states[key] != TRANSLATED:
            plan.keep.append(key)
    if wanted:
        tops = {exchange.path_parts(key)[0] for key in wanted}
        patch = {top: new_data[top] for top in tops}
        try:
            merged = compiled_for(target.schema).apply_patch(target.data, patch)
        except errors.ValidationFailed as exc:
            _blame(plan, exc.fields or {"data": exc.message}, by_key)
            return plan
        after = unit_values(target.schema, merged)
        changed = {key for key in wanted if after.get(key) != own.get(key)}
        if changed:
            plan.patch = patch
        for key, unit_id in by_key.items():
            if key in changed:
                plan.lists["applied"].append(unit_id)
            elif key in plan.keep:
                plan.lists["kept"].append(unit_id)
            else:
                plan.lists["unchanged"].append(unit_id)
    if plan.lists["invalid"]:
        _block_all(plan)
    return plan


def _set(data: Any, parts: tuple, value: Any) -> bool:
    """Put `value` at `parts` inside `data` (in place); False when a step on the way is not there."""
    for step in parts[:-1]:
        in_list = isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data)
        in_object = isinstance(step, str) and isinstance(data, dict) and step in data
        if not (in_list or in_object):
            return False
        data = data[step]
    if not parts or not isinstance(data, dict) or not isinstance(parts[-1], str):
        return False
    data[parts[-1]] = value
    return True


def _blame(plan: _Plan, problems: dict[str, str], by_key: dict[str, str]) -> None:
    """Each schema error on the unit whose data path holds it (`data.plans[1].name` → `…/plans[1].name`); the
    block's other units are skipped."""
    blamed = set()
    for where, message in problems.items():
        path = where.removeprefix("data.").removeprefix("data")
        owner = next((key for key in by_key if path == key or path.startswith((key + ".", key + "["))), None)
        plan.lists["invalid"].append({"id": by_key[owner] if owner else "", "path": path, "message": message})
        blamed.add(owner)
    for key, unit_id in by_key.items():
        if key not in blamed:
            plan.lists["skipped"].append({"id": unit_id, "reason": BLOCKED})
    plan.patch, plan.keep = {}, []


def _block_all(plan: _Plan) -> None:
    """A block with an invalid unit writes nothing: its other units are skipped, said so."""
    for name in ("applied", "kept", "unchanged"):
        for unit_id in plan.lists[name]:
            plan.lists["skipped"].append({"id": unit_id, "reason": BLOCKED})
        plan.lists[name] = []
    plan.patch, plan.keep = {}, []


def translations_import(*, actor: Actor, fmt: str, content: str, dry_run: bool = False) -> dict:
    """Import a translation file into the site's copies in the file's locale; answers the report."""
    fmt = exchange.detected_format(exchange.check_format(fmt), content)
    try:
        locale, units = exchange.read_file(fmt, content)
    except exchange.FileProblem as exc:
        raise errors.ValidationFailed(fields={"content": str(exc)}) from None
    site = actor.site
    try:
        locale = exchange.check_target_locale(site, locale, name="content")
    except errors.BadRequest as exc:
        fields = exc.fields or {}
        message = f"The file's target locale: {fields['content']}"
        raise errors.ValidationFailed(fields={"content": message}) from None
    report: dict[str, Any] = {"locale": locale, "dryRun": dry_run, **{name: [] for name in LISTS}}
    groups: dict[str, list[exchange.ImportUnit]] = {}
    for unit in units:
        translation_key = exchange.split_id(unit.id)[0]
        if not translation_key:
            report["invalid"].append({"id": unit.id, "path": "", "message": "Not a unit id of this CMS (`key/path`)."})
        else:
            groups.setdefault(translation_key, []).append(unit)
    blocks = _group_blocks(site, locale, list(groups))
    for translation_key, group in groups.items():
        source, target = blocks.get((translation_key, site.default_locale)), blocks.get((translation_key, locale))
        if source is None or target is None:
            whom = "block of this site" if source is None else f"`{locale}` copy of this block: copy it first"
            for unit in group:
                report["invalid"].append(
                    {"id": unit.id, "path": exchange.split_id(unit.id)[1], "message": f"No {whom}."}
                )
            continue
        target.site = site
        require_data_write(actor, target)
        plan = plan_units(source, target, group)
        if (plan.patch or plan.keep) and not dry_run:
            plan = _write(actor, source, target, group, fmt)
        for name in LISTS:
            report[name].extend(plan.lists[name])
    report["counts"] = {name: len(report[name]) for name in LISTS}
    return report


def _group_blocks(site: Site, locale: str, keys: list[str]) -> dict[tuple[str, str], SiteBlock]:
    """The source and target copies of the blocks the file names, in one query."""
    valid = []
    for key in keys:
        try:
            valid.append(str(uuid.UUID(key)))
        except ValueError:
            continue
    copies = SiteBlock.objects.filter(
        site=site, locale__in=[site.default_locale, locale], translation_key__in=valid
    ).order_by("pk")
    return {(str(block.translation_key), block.locale): block for block in copies}


def _write(actor: Actor, source: SiteBlock, target: SiteBlock, units: list[exchange.ImportUnit], fmt: str) -> _Plan:
    return write_units(actor, source, target, units, comment=f"Imported translations ({exchange.FORMAT_NAMES[fmt]})")


def write_units(
    actor: Actor,
    source: SiteBlock,
    target: SiteBlock,
    units: list[exchange.ImportUnit],
    *,
    comment: str,
    machine: bool = False,
) -> _Plan:
    """Write one block's units as one revision; the plan is worked out again on the locked row (a concurrent
    import that already wrote them leaves nothing to change, and the write path skips a write that changes
    nothing: no version, no revision). `machine`: the values come from a machine translation step, so every
    unit written or confirmed reads `machine` (not translated) until a person keeps or edits it."""
    with block_write(actor=actor, block=target, expected_version=None, comment=comment, event="block.updated") as write:
        locked = write.block
        plan = plan_units(source, locked, units)
        before = locked.data
        if plan.patch:
            locked.data = compiled_for(locked.schema).apply_patch(locked.data, plan.patch)
            after_data_write(locked, before=before)
        hashes = locked.translation_hashes or {}
        if machine:
            written = [exchange.split_id(unit_id)[1] for unit_id in plan.lists["applied"] + plan.lists["kept"]]
            if written:
                locked.translation_hashes = machine_marked(
                    hashes, keys=written, source_data=source.data, schema=locked.schema
                )
        elif plan.keep:
            locked.translation_hashes = kept(hashes, keys=plan.keep, source_data=source.data, schema=locked.schema)
    return plan
