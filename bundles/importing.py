"""Applying a bundle to a site: `import_bundle(files, …)` answers a `Report` of what changed (or would).

Everything is matched by stable keys, never by database ids: the site by slug, locales by code, assets by key
(their checksum), blocks by translation key and locale (then by locale and slug, adopting the bundle's
translation key). Every write goes through the product's own services: sites and locales (`locales.sites`,
`locales.services`), assets (`media.importing.asset_import` for new ones, `media.services.asset_update` for
metadata), blocks (`blocks.services.importing.block_import`, in the one write path, whose no-op rule makes a
second import change nothing) and histories (`block_history_replace`).

The whole import is one transaction: a problem anywhere (a shape, a value a service refuses, a slug taken)
rolls everything back and is reported at its file and path; a dry run runs the same writes and rolls back, so
its report is exactly what the import would do. Files stored for new assets are removed again on a rollback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Role, Site
from accounts.permissions import Action, Actor
from blocks.assets import rewrite_refs
from blocks.models import SiteBlock
from blocks.services.importing import ImportedBlock, ImportedRevision, block_history_replace, block_import
from bundles import format
from bundles.exporting import asset_keys, describe_revision
from bundles.reading import Bundle, read_bundle
from cms import errors
from locales.selectors import fallback_map
from locales.services import site_locale_enable, site_locale_update
from locales.sites import site_create, site_update
from media import services as media_services
from media.importing import asset_import, discard_files
from media.models import Asset
from revisions.selectors import histories

KINDS = ("site", "locales", "assets", "blocks", "revisions")
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class Report:
    """What an import changed (or, in a dry run, would change): counts per kind, and each change by key."""

    site: str
    dry_run: bool
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(OUTCOMES, 0) for kind in KINDS}
    )
    changes: list[dict[str, str]] = field(default_factory=list)

    def note(self, kind: str, key: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1
        if outcome != "unchanged":
            self.changes.append({"kind": kind, "key": key, "outcome": outcome})

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "dryRun": self.dry_run, "counts": self.counts, "changes": self.changes}


class _Rollback(Exception):
    """Leaves the import's transaction after a dry run (the report is kept)."""


def _in_file(exc: errors.CmsError, file: str, prefix: str = "") -> format.BundleInvalid:
    """A service's refusal, reported at the bundle file (and path) it came from."""
    fields = {format.where(file, prefix + key if prefix else key): value for key, value in (exc.fields or {}).items()}
    return format.BundleInvalid(f"`{file}` cannot be imported: {exc.message}", fields=fields or {file: exc.message})


def import_bundle(
    files: format.Files, *, actor: Actor | None = None, slug: str | None = None, dry_run: bool = False
) -> Report:
    """Apply the bundle `files` to the site of `actor` (the API: an owner of the site) or, with no actor (the
    command), to the site `slug` (default: the bundle's), created if it does not exist. All or nothing."""
    if actor is not None:
        actor.require(Action.MANAGE, "Only the site's owners import bundles.")
    bundle = read_bundle(files)
    target = actor.site.slug if actor is not None else (slug or bundle.site["slug"])
    report = Report(site=target, dry_run=dry_run)
    stored: list[str] = []
    try:
        with transaction.atomic():
            _apply(bundle, files, report, stored, actor=actor, slug=target)
            if dry_run:
                raise _Rollback
    except _Rollback:
        discard_files(stored)
    except BaseException:
        discard_files(stored)
        raise
    return report


def _apply(
    bundle: Bundle, files: format.Files, report: Report, stored: list[str], *, actor: Actor | None, slug: str
) -> None:
    actor, created = _site_step(bundle, actor=actor, slug=slug)
    _locale_step(bundle, report, actor)
    _settings_step(bundle, report, actor, created=created)
    ids = _asset_step(bundle, files, report, stored, actor)
    blocks = _block_step(bundle, report, actor, ids)
    if bundle.has_revisions:
        _history_step(bundle, report, actor, ids, blocks)


def _site_step(bundle: Bundle, *, actor: Actor | None, slug: str) -> tuple[Actor, bool]:
    """The target site (created with the bundle's locales when it does not exist) and whether it was created."""
    values = bundle.site
    codes = [entry["code"] for entry in bundle.locales]
    site = actor.site if actor is not None else Site.objects.filter(slug=slug).first()
    try:
        if site is None:
            site = site_create(
                slug=slug,
                name=values["name"],
                locales=codes,
                default_locale=values["defaultLocale"],
                timezone_name=values["timezone"],
            )
            return Actor(user=None, site=site, role=Role.OWNER), True
    except errors.CmsError as exc:
        raise _in_file(exc, format.SITE) from None
    return actor or Actor(user=None, site=site, role=Role.OWNER), False


def _locale_step(bundle: Bundle, report: Report, actor: Actor) -> None:
    site = actor.site
    current = fallback_map(site)
    created: set[str] = set()
    for index, entry in enumerate(bundle.locales):
        if entry["code"] not in current:
            try:
                site_locale_enable(actor=actor, code=entry["code"], site=site)
            except errors.CmsError as exc:
                raise _in_file(exc, format.LOCALES, f"[{index}].") from None
            created.add(entry["code"])
    current = fallback_map(site)
    for index, entry in enumerate(bundle.locales):
        code = entry["code"]
        changed = current.get(code) != entry["fallback"]
        if changed:
            try:
                site_locale_update(actor=actor, code=code, fallback=entry["fallback"], site=site)
            except errors.CmsError as exc:
                raise _in_file(exc, format.LOCALES, f"[{index}].") from None
        report.note("locales", code, "created" if code in created else "updated" if changed else "unchanged")


def _settings_step(bundle: Bundle, report: Report, actor: Actor, *, created: bool) -> None:
    """The site's settings, once its locales are there (the default locale must be one it enables)."""
    values, site = bundle.site, actor.site
    site.refresh_from_db()
    wanted = (values["name"], values["timezone"], values["isPublic"], values["defaultLocale"])
    changed = (site.name, site.timezone, site.is_public, site.default_locale) != wanted
    if changed:
        try:
            site_update(
                actor=actor,
                name=values["name"],
                timezone_name=values["timezone"],
                is_public=values["isPublic"],
                default_locale=values["defaultLocale"],
            )
        except errors.CmsError as exc:
            raise _in_file(exc, format.SITE) from None
        site.refresh_from_db()
    report.note("site", site.slug, "created" if created else "updated" if changed else "unchanged")


def _asset_values(entry: dict[str, Any]) -> media_services.AssetValues:
    return {
        "title": entry["title"],
        "alt": entry["alt"],
        "tags": entry["tags"],
        "focal_point": entry["focalPoint"],
    }


def _asset_step(bundle: Bundle, files: format.Files, report: Report, stored: list[str], actor: Actor) -> dict[str, int]:
    """Match or create every asset; answers the bundle's asset keys mapped to this site's asset ids."""
    existing = list(Asset.objects.for_site(actor.site).select_related("site"))
    existing_keys = asset_keys(existing)
    by_key = {existing_keys[asset.pk]: asset for asset in existing}
    ids: dict[str, int] = {}
    for index, entry in enumerate(bundle.assets):
        key = entry["key"]
        asset = by_key.get(key)
        try:
            if asset is None:
                upload = media_services.Upload(files[entry["file"]], entry["originalName"])
                asset = asset_import(
                    actor=actor, sha256=key.partition("-")[0], upload=upload, values=_asset_values(entry)
                )
                stored.append(asset.file.name or "")
                outcome = "created"
            else:
                focal = None if asset.focal_x is None else {"x": asset.focal_x, "y": asset.focal_y}
                now = (asset.title, asset.alt, list(asset.tags), focal)
                if now != (entry["title"], entry["alt"], entry["tags"], entry["focalPoint"]):
                    media_services.asset_update(actor=actor, asset=asset, values=_asset_values(entry))
                    outcome = "updated"
                else:
                    outcome = "unchanged"
        except errors.CmsError as exc:
            raise _in_file(exc, format.ASSETS, f"[{index}].") from None
        ids[key] = asset.pk
        report.note("assets", key, outcome)
    return ids


def _to_ids(file: str, where: str, ids: dict[str, int]):
    def convert(path: tuple, value: Any) -> Any:
        if isinstance(value, str):
            if value not in ids:
                spelled = where + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
                raise format.BundleInvalid(
                    f"`{file}` names an asset the bundle does not carry: `{value}`.",
                    fields={format.where(file, f"{spelled}.asset"): f"No asset `{value}` in assets.json."},
                )
            return ids[value]
        return value

    return convert


def _translation_keys(bundle: Bundle, site: Site) -> Callable[[str], uuid.UUID]:
    """The translation key each bundle key gets in `site`: its own, unless a block of another site of this
    instance has it (a bundle imported into a second site: keys are unique per instance), then one derived from
    it and the site's slug, the same at every import, so the next import finds the block again."""
    wanted = {uuid.UUID(bundled.values["translationKey"]) for bundled in bundle.blocks}
    taken = set(
        SiteBlock.objects.filter(translation_key__in=wanted)
        .exclude(site=site)
        .values_list("translation_key", flat=True)
    )

    def key_for(raw: str) -> uuid.UUID:
        key = uuid.UUID(raw)
        return uuid.uuid5(key, site.slug) if key in taken else key

    return key_for


def _block_step(bundle: Bundle, report: Report, actor: Actor, ids: dict[str, int]) -> dict[str, tuple[SiteBlock, str]]:
    """Create or update every block; answers each, with its outcome, by bundle file."""
    rows = list(SiteBlock.objects.for_site(actor.site).select_related("site"))
    by_key = {(row.translation_key, row.locale): row for row in rows}
    by_slug = {(row.locale, row.slug): row for row in rows}
    key_for = _translation_keys(bundle, actor.site)
    done: dict[str, tuple[SiteBlock, str]] = {}
    for bundled in bundle.blocks:
        values = bundled.values
        translation_key = key_for(values["translationKey"])
        block = by_key.get((translation_key, values["locale"])) or by_slug.get((values["locale"], values["slug"]))
        snapshot = values["publishedSnapshot"]
        if isinstance(snapshot, dict):
            live = rewrite_refs(
                snapshot.get("schema"), snapshot.get("data"), _to_ids(bundled.file, "publishedSnapshot.data", ids)
            )
            snapshot = {**snapshot, "data": live}
        imported = ImportedBlock(
            translation_key=translation_key,
            locale=values["locale"],
            slug=values["slug"],
            name=values["name"],
            type=values["type"],
            path=values["path"],
            tags=values["tags"],
            status=values["status"],
            schema=values["schema"],
            data=rewrite_refs(values["schema"], values["data"], _to_ids(bundled.file, "data", ids)),
            published_snapshot=snapshot,
            translation_hashes=values["translationHashes"],
        )
        try:
            saved, outcome = block_import(actor=actor, block=block, values=imported)
        except errors.CmsError as exc:
            raise _in_file(exc, bundled.file) from None
        done[bundled.file] = saved, outcome
        report.note("blocks", f"{saved.locale}/{saved.slug}", outcome)
    return done


def _history_step(
    bundle: Bundle, report: Report, actor: Actor, ids: dict[str, int], blocks: dict[str, tuple[SiteBlock, str]]
) -> None:
    """Give each block the bundle's history, unless it has it already (compared as an export would write it)."""
    carried = [bundled for bundled in bundle.blocks if bundled.history is not None]
    current = histories([blocks[bundled.file][0].pk for bundled in carried])
    assets = list(Asset.objects.for_site(actor.site))
    keys = asset_keys(assets)

    def to_key(_path: tuple, value: Any) -> Any:
        return keys.get(value) if type(value) is int else value

    names = {entry["author"] for bundled in carried for entry in bundled.history or [] if entry["author"]}
    users = {user.get_username(): user for user in get_user_model().objects.filter(username__in=names)}
    for bundled in carried:
        block, block_outcome = blocks[bundled.file]
        file = bundled.history_file or bundled.file
        history = bundled.history or []
        now = [describe_revision(row, state, to_key) for row, state in current.get(block.pk, [])]
        if format.dump(now) == format.dump(history):
            report.note("revisions", f"{block.locale}/{block.slug}", "unchanged")
            continue
        entries = []
        for index, entry in enumerate(history):
            state = dict(entry["state"])
            state["data"] = rewrite_refs(
                state.get("schema"), state.get("data"), _to_ids(file, f"[{index}].state.data", ids)
            )
            entries.append(
                ImportedRevision(
                    number=entry["number"],
                    comment=entry["comment"],
                    created_at=datetime.fromisoformat(entry["createdAt"]),
                    author=users.get(entry["author"] or ""),
                    changes=entry["changes"],
                    state=state,
                )
            )
        block_history_replace(block=block, history=entries)
        outcome = "created" if block_outcome == "created" else "updated"
        report.note("revisions", f"{block.locale}/{block.slug}", outcome)
