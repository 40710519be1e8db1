"""What `schema_diff` and `schema_apply` share: reading a schema file, and printing a schema change report."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from blocks.services.schema_files import read_schema_file
from cms import errors


def read_file(path: str, *, sites: list[str] | None, blocks: list[str] | None) -> list:
    """The targets of the schema file at `path`; every problem of it as one CommandError, nothing written."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path} is not JSON: {exc}.") from None
    try:
        return read_schema_file(document, sites=sites, blocks=blocks)
    except errors.ValidationFailed as exc:
        lines = [f"  {where or '(the file)'}: {message}" for where, message in (exc.fields or {}).items()]
        raise CommandError("\n".join([f"{path}: {exc.message}", *lines])) from None


def _copy_lines(copy: dict) -> list[str]:
    lines = [f"      moved      {m['from']} -> {m['to']}" for m in copy["moved"]]
    lines += [f"      converted  {c['to']}: {c['fromType']} -> {c['toType']}" for c in copy["converted"]]
    lines += [f"      failed     {f['path']}: {f['reason']}" for f in copy["failed"]]
    lines += [f"      orphaned   {o['path']} (kept as {o['keptAs']}): {o['reason']}" for o in copy["orphaned"]]
    return lines


def _field_line(change: dict) -> str:
    where = change["to"] if change["from"] is None else change["from"]
    if change["from"] is not None and change["to"] is not None and change["from"] != change["to"]:
        where = f"{change['from']} -> {change['to']}"
    extra = f" ({change['fromType']} -> {change['toType']})" if "fromType" in change else ""
    if "options" in change:
        extra += " options: " + ", ".join(change["options"])
    return f"    {', '.join(change['changes'])}: {where}{extra}"


def write_report(command: BaseCommand, reports: list[dict], *, as_json: bool, dry_run: bool) -> None:
    """The report of each block (fields, then each copy's values), then one summary line."""
    if as_json:
        command.stdout.write(json.dumps({"dryRun": dry_run, "blocks": reports}, indent=2, ensure_ascii=False))
        return
    changed = [r for r in reports if r["changed"]]
    for report in reports:
        name = f"{report['site']}/{report['block']}"
        if not report["changed"]:
            command.stdout.write(f"{name}: unchanged")
            continue
        change = report["schemaChange"]
        command.stdout.write(f"{name}: {len(change['fields'])} field change(s)")
        for entry in change["fields"]:
            command.stdout.write(_field_line(entry))
        for copy in change["copies"]:
            lines = _copy_lines(copy)
            command.stdout.write(
                f"  {copy['locale']}: " + ("no value moves" if not lines else f"{len(lines)} value(s)")
            )
            for line in lines:
                command.stdout.write(line)
    verb = "Would change" if dry_run else "Changed"
    summary = f"{verb} {len(changed)} block(s); {len(reports) - len(changed)} unchanged."
    command.stdout.write(command.style.SUCCESS(summary + (" Dry run: nothing written." if dry_run else "")))
