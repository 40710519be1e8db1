"""Files in the storage that no asset holds any more, found and removed (`manage.py prune_media`).

Such files arise where no write can remove them at the time: the files of a deleted site (a site's rows go by
the database's cascade, which cannot reach the storage), a delete or replace whose after-commit removal met an
unreachable store (logged, `media.services`), or a process killed between writing a file and committing its
row. Walking the storage is the one way to find them all, whatever made them, and is cheap enough for a
nightly job (one listing per folder; no file is read).

What is kept: an original that an asset's `file` names; a rendition under `renditions/<site>/<asset>/` whose
asset exists in that site and whose name starts with the asset's checksum (crops of an old focal point are
removed when it moves). Anything younger than `grace` is kept too: an upload writes its file before its row
commits, and must not lose it to a prune running at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from media.errors import storage_unavailable
from media.models import Asset

GRACE = timedelta(hours=1)


def _files(folder: str) -> Iterator[str]:
    """Every file under `folder` (names relative to the storage's root), depth first."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for name in sorted(folders):
        yield from _files(f"{folder}/{name}")


def _is_kept_rendition(name: str, assets: dict[int, tuple[int, str]]) -> bool:
    parts = name.split("/")  # renditions/<site>/<asset>/<sha256[:16]>-…
    if len(parts) != 4 or not (parts[1].isdigit() and parts[2].isdigit()):
        return False
    site_and_sha = assets.get(int(parts[2]))
    return site_and_sha is not None and site_and_sha[0] == int(parts[1]) and parts[3].startswith(site_and_sha[1][:16])


def orphans(*, grace: timedelta = GRACE) -> list[str]:
    """The names of the files no asset holds, older than `grace` (see the module docstring)."""
    cutoff = timezone.now() - grace
    with storage_unavailable():
        held = set(Asset.objects.exclude(file="").values_list("file", flat=True))
        assets = {pk: (site_id, sha) for pk, site_id, sha in Asset.objects.values_list("pk", "site_id", "sha256")}
        found = [name for name in _files("sites") if name not in held]
        found += [name for name in _files("renditions") if not _is_kept_rendition(name, assets)]
        return [name for name in found if default_storage.get_modified_time(name) < cutoff]


def prune(*, grace: timedelta = GRACE, dry_run: bool = False) -> list[str]:
    """Remove the orphans (unless `dry_run`); answers their names."""
    names = orphans(grace=grace)
    if not dry_run:
        with storage_unavailable():
            for name in names:
                default_storage.delete(name)
    return names
