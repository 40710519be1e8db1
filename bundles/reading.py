"""Reading a bundle: every file's shape checked before anything is written, each problem at its file and path.

`read_bundle(files)` answers a `Bundle` of plain values or raises: `unsupported_bundle_version` for a manifest
of another format version (before anything else is read), `invalid_bundle` naming every problem found
(`blocks/en/about.json:data`: "Must be an object."). Whether the values make sense (a schema, the data under
it, a locale code) is the services' business when the bundle is applied; their problems are reported at the
same file and path.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bundles import format

Problems = dict[str, str]
STR, BOOL, INT, LIST, DICT = (str,), (bool,), (int,), (list,), (dict,)
NULL = (type(None),)
BLOCK_FILE = re.compile(r"^(blocks|revisions)/([^/]+)/([^/]+)\.json$")
ASSET_FILE = re.compile(r"^assets/[^/]+$")
KEY = re.compile(r"^[0-9a-f]{64}(-[1-9][0-9]*)?$")

SITE_SHAPE = {"slug": STR, "name": STR, "defaultLocale": STR, "timezone": STR, "isPublic": BOOL}
LOCALE_SHAPE = {"code": STR, "fallback": STR + NULL}
ASSET_SHAPE = {
    "key": STR,
    "file": STR,
    "originalName": STR,
    "mimeType": STR,
    "kind": STR,
    "size": INT,
    "width": INT + NULL,
    "height": INT + NULL,
    "title": STR,
    "alt": DICT,
    "focalPoint": DICT + NULL,
    "tags": LIST,
}
BLOCK_SHAPE = {
    "translationKey": STR,
    "locale": STR,
    "slug": STR,
    "name": STR,
    "type": STR,
    "path": STR + NULL,
    "tags": LIST,
    "status": STR,
    "schema": LIST,
    "data": DICT,
    "publishedSnapshot": DICT + NULL,
    "translationHashes": DICT,
}
REVISION_SHAPE = {"number": INT, "comment": STR, "author": STR + NULL, "createdAt": STR, "changes": LIST, "state": DICT}


@dataclass
class BundledBlock:
    file: str
    values: dict[str, Any]
    history: list[dict[str, Any]] | None = None
    history_file: str | None = None


@dataclass
class Bundle:
    site: dict[str, Any]
    locales: list[dict[str, Any]]
    assets: list[dict[str, Any]]
    blocks: list[BundledBlock] = field(default_factory=list)
    has_revisions: bool = False


def _type_name(types: tuple) -> str:
    names = {str: "a string", bool: "true or false", int: "an integer", list: "a list", dict: "an object"}
    spelled = [names[kind] for kind in types if kind in names]
    return " or ".join(spelled) + (" or null" if type(None) in types else "")


def check_shape(value: Any, shape: dict[str, tuple], file: str, path: str, problems: Problems) -> bool:
    """`value` is an object with exactly `shape`'s keys, each of its JSON type; problems noted at their path."""
    if not isinstance(value, dict):
        problems[format.where(file, path)] = "Must be an object."
        return False
    ok = True
    prefix = f"{path}." if path else ""
    for key, types in shape.items():
        if key not in value:
            problems[format.where(file, prefix + key)] = "Missing."
            ok = False
        elif type(value[key]) not in types:
            problems[format.where(file, prefix + key)] = f"Must be {_type_name(types)}."
            ok = False
    for key in sorted(set(value) - set(shape)):
        problems[format.where(file, prefix + key)] = "Unknown key."
        ok = False
    return ok


def check_version(files: format.Files) -> None:
    manifest = format.load(files, format.MANIFEST)
    problems: Problems = {}
    if check_shape(manifest, {"format": STR, "formatVersion": INT}, format.MANIFEST, "", problems):
        if manifest["format"] != format.FORMAT:
            problems[format.where(format.MANIFEST, "format")] = f"Must be `{format.FORMAT}`."
        elif manifest["formatVersion"] != format.FORMAT_VERSION:
            found = manifest["formatVersion"]
            raise format.BundleVersionUnsupported(
                f"This bundle is format version {found}; this instance reads format version "
                f"{format.FORMAT_VERSION} only. Export it again with a matching version of the CMS.",
                fields={format.where(format.MANIFEST, "formatVersion"): f"Must be {format.FORMAT_VERSION}."},
            )
    if problems:
        raise format.BundleInvalid(fields=problems)


def read_bundle(files: format.Files) -> Bundle:
    check_version(files)
    problems: Problems = {}
    site = format.load(files, format.SITE)
    check_shape(site, SITE_SHAPE, format.SITE, "", problems)
    locales = format.load(files, format.LOCALES)
    if not isinstance(locales, list):
        problems[format.LOCALES] = "Must be a list."
        locales = []
    for index, entry in enumerate(locales):
        check_shape(entry, LOCALE_SHAPE, format.LOCALES, f"[{index}]", problems)
    assets = format.load(files, format.ASSETS)
    if not isinstance(assets, list):
        problems[format.ASSETS] = "Must be a list."
        assets = []
    expected = {format.MANIFEST, format.SITE, format.LOCALES, format.ASSETS}
    keys: set[str] = set()
    for index, entry in enumerate(assets):
        if not check_shape(entry, ASSET_SHAPE, format.ASSETS, f"[{index}]", problems):
            continue
        if not KEY.match(entry["key"]) or entry["key"] in keys:
            problems[format.where(format.ASSETS, f"[{index}].key")] = (
                "Must be a unique SHA-256 (hex), `-2`… for copies."
            )
        keys.add(entry["key"])
        if not ASSET_FILE.match(entry["file"]) or entry["file"] not in files:
            problems[format.where(format.ASSETS, f"[{index}].file")] = "Must name a file of the bundle under assets/."
        expected.add(entry["file"])
    bundle = Bundle(site=site, locales=locales, assets=assets)
    by_name: dict[tuple[str, str], BundledBlock] = {}
    histories: dict[tuple[str, str], tuple[str, Any]] = {}
    for name in sorted(files):
        if name in expected:
            continue
        match = BLOCK_FILE.match(name)
        if match is None:
            problems[name] = "Not a file of a site bundle (see docs/environments.md)."
            continue
        folder, locale, slug = match.groups()
        value = format.load(files, name)
        if folder == "revisions":
            histories[(locale, slug)] = (name, value)
            continue
        if not check_shape(value, BLOCK_SHAPE, name, "", problems):
            continue
        if value["locale"] != locale or value["slug"] != slug:
            problems[name] = f"Its locale and slug must be `{locale}` and `{slug}`, as its path says."
        try:
            uuid.UUID(value["translationKey"])
        except ValueError:
            problems[format.where(name, "translationKey")] = "Must be a UUID."
        by_name[(locale, slug)] = block = BundledBlock(file=name, values=value)
        bundle.blocks.append(block)
    for (locale, slug), (name, value) in sorted(histories.items()):
        owner = by_name.get((locale, slug))
        if owner is None:
            problems[name] = f"No block file blocks/{locale}/{slug}.json for this history."
            continue
        if not isinstance(value, list):
            problems[name] = "Must be a list."
            continue
        for index, entry in enumerate(value):
            if not check_shape(entry, REVISION_SHAPE, name, f"[{index}]", problems):
                continue
            previous = value[index - 1] if index else {}
            last = previous.get("number", 0) if isinstance(previous, dict) else 0
            if type(last) is not int or entry["number"] <= max(last, 0):
                problems[format.where(name, f"[{index}].number")] = "Must be at least 1 and above the one before."
            try:
                datetime.fromisoformat(entry["createdAt"])
            except ValueError:
                problems[format.where(name, f"[{index}].createdAt")] = "Must be an ISO 8601 date and time."
        owner.history, owner.history_file = value, name
        bundle.has_revisions = True
    if problems:
        raise format.BundleInvalid(fields=problems)
    return bundle
