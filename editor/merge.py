"""The editor's answer to a conflict: a field-level three-way merge instead of "open it again and redo".

When a save is refused because someone saved the block since the form was opened (`stale_write`), the form
knows three states: the **base** (the version it was opened at, read from the revisions), **theirs** (the block
now) and **mine** (what the form holds). Per top-level field (and name, path, tags):

- only I changed it: my value goes on top of theirs;
- only they changed it, or we both made the same change: theirs stays;
- we both changed it differently: a conflict, shown with both values; nothing is saved.

Without conflicts the merge is saved at once, as one write over their version. With conflicts the form comes
back holding theirs plus my changes (my value where we both changed), at their version: the editor settles the
fields named in the summary and saves again, and that save goes through. Nothing typed is lost either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blocks.models import SiteBlock
from editor.compare import shown
from editor.problems import label_path
from revisions.selectors import state_at_version


@dataclass(frozen=True)
class Conflict:
    label: str
    mine: str
    theirs: str
    where: str  # `data.title`, or `name`/`path`/`tags`: where the form marks it


@dataclass
class Merge:
    """What the merge found. `patch` and `meta` are my changes only; `data` is theirs with them applied."""

    author: str  # who saved since the form was opened (the newest revision's author)
    since: int  # the version the form was opened at
    data: dict
    patch: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    theirs: list[str] = field(default_factory=list)  # labels of what they changed
    conflicts: list[Conflict] = field(default_factory=list)


def _same(a: Any, b: Any) -> bool:
    return ((a in (None, "", [], {})) and (b in (None, "", [], {}))) or a == b


def three_way(block: SiteBlock, since: int, mine_data: dict, present: list[str], mine_meta: dict) -> Merge | None:
    """Merge the form's values (`mine_data` for the `present` top-level keys, `mine_meta` for name/path/tags)
    over `block` as it is now, against the block at version `since`. None when that version is no longer in
    the recent revisions (nothing to merge against: the plain refusal stands)."""
    found = state_at_version(block.pk, since)
    if found is None:
        return None
    base, _ = found
    newest = block.revisions.order_by("-number").select_related("author").first()
    author = newest.author.get_username() if newest is not None and newest.author else "someone"
    current = dict(block.data or {})
    merge = Merge(author=author, since=since, data=dict(current))
    base_data = base.get("data") or {}
    for key in present:
        mine, theirs, was = mine_data.get(key), current.get(key), base_data.get(key)
        label = label_path(block.schema, (key,))
        if not _same(theirs, was):
            merge.theirs.append(label)
        if _same(mine, was) or _same(mine, theirs):
            continue
        merge.data[key] = mine
        merge.patch[key] = mine
        if not _same(theirs, was):
            merge.conflicts.append(Conflict(label, shown(mine), shown(theirs), f"data.{key}"))
    for key, label in (("name", "Name"), ("path", "Path"), ("tags", "Tags")):
        if key not in mine_meta:
            continue
        mine, theirs, was = mine_meta[key], getattr(block, key), base.get(key)
        if not _same(theirs, was):
            merge.theirs.append(label)
        if _same(mine, was) or _same(mine, theirs):
            continue
        merge.meta[key] = mine
        if not _same(theirs, was):
            merge.conflicts.append(Conflict(label, shown(mine), shown(theirs), key))
    return merge
