"""The site bundle's format: file names, the JSON spelling, reading and writing a bundle, and its errors.

A bundle is a set of files, each a relative POSIX path and its bytes (`Files`): a directory on disk for the
commands, a zip archive for the API (same paths inside). JSON files are pretty-printed with sorted keys, two
spaces, non-ASCII kept as is, and a trailing newline, so two exports of the same content are byte-identical
and a diff between two environments is readable. docs/environments.md is the reference of every file.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from cms import errors

FORMAT = "cms-site-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SITE = "site.json"
LOCALES = "locales.json"
ASSETS = "assets.json"
ASSET_DIR = "assets/"
BLOCK_DIR = "blocks/"
REVISION_DIR = "revisions/"
#: what one bundle may hold at most (a zip bomb or a runaway directory is refused before it is read whole)
MAX_FILES = 20_000
MAX_TOTAL_BYTES = 2 * 1024**3
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # zip entries carry a date: a fixed one keeps archives of the same bundle equal

Files = dict[str, bytes]


class BundleInvalid(errors.CmsError):
    """A bundle this instance cannot apply: each problem keyed `file` or `file:path` (`blocks/en/x.json:data`)."""

    code, status, default_message = "invalid_bundle", 422, "The bundle is not valid; nothing was imported."


class BundleVersionUnsupported(errors.CmsError):
    code, status = "unsupported_bundle_version", 422
    default_message = f"This instance reads site bundles of format version {FORMAT_VERSION} only."


def dump(value: Any) -> bytes:
    """One JSON file of a bundle, spelt the one deterministic way."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode()


def load(files: Files, name: str) -> Any:
    """The JSON value of bundle file `name`; `invalid_bundle` naming the file when it is missing or not JSON."""
    if name not in files:
        raise BundleInvalid(f"The bundle has no `{name}`.", fields={name: "Missing."})
    try:
        return orjson.loads(files[name])
    except orjson.JSONDecodeError as exc:
        raise BundleInvalid(f"`{name}` is not valid JSON: {exc}.", fields={name: f"Not valid JSON: {exc}."}) from None


def where(name: str, path: str = "") -> str:
    """The key of a problem: the file, and the path inside it when there is one."""
    return f"{name}:{path}" if path else name


def _checked_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BundleInvalid(f"`{name}` is not a path inside the bundle.", fields={name: "Not a relative path."})
    return path.as_posix()


def read_dir(folder: Path) -> Files:
    """Every file under `folder` (hidden ones skipped), by its path relative to it."""
    if not folder.is_dir():
        raise BundleInvalid(f"{folder} is not a folder.", fields={"bundle": "Not a folder."})
    files: Files = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        files[relative.as_posix()] = content = path.read_bytes()
        total += len(content)
        _check_size(len(files), total)
    return files


def write_dir(files: Files, folder: Path) -> None:
    """Write the bundle under `folder`, which must be empty or absent (an old export is never mixed in)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise errors.BadRequest(f"{folder} exists and is not an empty folder.", fields={"dir": "Not empty."})
    for name, content in sorted(files.items()):
        target = folder / _checked_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def to_zip(files: Files) -> bytes:
    """The bundle as one zip archive (sorted entries, fixed dates: the same bundle makes the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def from_zip(content: bytes) -> Files:
    """The files of a zip archive; `invalid_bundle` when it is not one, or holds too much or unsafe names."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise BundleInvalid(
            "The body is not a zip archive of a site bundle.", fields={"bundle": "Not a zip."}
        ) from None
    files: Files = {}
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        _check_size(len(entries), sum(info.file_size for info in entries))
        for info in entries:
            name = _checked_name(info.filename)
            if any(part.startswith(".") for part in PurePosixPath(name).parts):
                continue
            files[name] = archive.read(info)
    return files


def _check_size(count: int, total: int) -> None:
    if count > MAX_FILES:
        raise BundleInvalid(f"The bundle has more than {MAX_FILES} files.", fields={"bundle": "Too many files."})
    if total > MAX_TOTAL_BYTES:
        raise BundleInvalid(f"The bundle is over {MAX_TOTAL_BYTES} bytes.", fields={"bundle": "Too large."})
