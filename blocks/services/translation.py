"""Locale copies of a block: copy to a locale, keep shared fields in step, keep translation fingerprints.

    block_copy_to_locale(actor=, block=, locale=, overwrite=False)  a draft copy (or, with overwrite, the
                                                                    existing copy replaced, one revision);
                                                                    every unit of it starts untranslated
    block_keep_translations(actor=, block=, fields=)               a copy's units confirmed as right for the
                                                                    source's current values ("keep")
    block_sync_shared_fields(actor=, block=, locales=None)          the source's non-localized values → the
                                                                    other copies (re-sync after divergence)
    site_copy_to_locale(actor=, locale=, source_locale=None, ...)    every block of a site, one transaction

    after_data_write(block, before=)      called by data writes: a copy's units whose value the write changed
                                          are now translated from the source's current value
    after_data_replaced(block, before)    called by whole-data replacements (restore): changed units lose
                                          their fingerprint and read as untranslated until written or kept

Shared (non-localized) values are kept in step by the write path itself (`blocks.services.writing`): a write
of the source carries them into every copy, a write that changes one in a copy is refused.

The fingerprints and the status they give are explained in `blocks.translation_units`.
"""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils import timezone

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import BlockStatus, BlockType, SiteBlock
from blocks.services.common import require_data_write
from blocks.services.writing import BlockWrite, block_write, insert_block, lock_block, locked_copies, rewrite_locked
from blocks.translation_units import (
    forget_changed,
    is_empty,
    kept,
    pick_source,
    refingerprint,
    synced_data,
    unit_states,
    unit_values,
)
from cms import errors
from locales.codes import InvalidLocaleCode, canonical_code
from locales.selectors import enabled_locale_codes


def group_source(block: SiteBlock, *, default_locale: str | None = None) -> SiteBlock | None:
    """The source copy of `block`'s translation group (see `blocks.translation_units.pick_source`), one query."""
    default_locale = default_locale or Site.objects.values_list("default_locale", flat=True).get(pk=block.site_id)
    if block.locale == default_locale:
        return block
    copies = list(
        SiteBlock.objects.filter(site_id=block.site_id, translation_key=block.translation_key)
        .only("id", "locale", "schema", "data", "translation_key", "site_id")
        .order_by("pk")
    )
    return pick_source(copies, default_locale)


def after_data_write(block: SiteBlock, *, before: dict) -> None:
    """A data write on a copy re-fingerprints the units whose value it changed (from `before`); the caller
    saves. Writes to the source itself change nothing here: the copies' fingerprints now differ from the
    source's values, which is exactly what makes them outdated.
    """
    if block.locale == block.site.default_locale or before == block.data:
        return  # the source, or nothing written: no query
    source = group_source(block, default_locale=block.site.default_locale)
    if source is None or source.pk == block.pk:
        return
    block.translation_hashes = refingerprint(
        block.translation_hashes or {}, schema=block.schema, before=before, after=block.data, source_data=source.data
    )


def after_data_replaced(block: SiteBlock, before_data: dict) -> None:
    """A whole-data replacement (a restore) keeps fingerprints only where the unit's value did not change."""
    block.translation_hashes = forget_changed(
        block.translation_hashes or {}, schema=block.schema, before=before_data, after=block.data
    )


COPY_CONFLICT = "The copy, its slug or its path was taken by a concurrent write; retry."


def _target_locale(site: Site, block: SiteBlock, locale: str) -> str:
    if not locale:
        raise errors.ValidationFailed(fields={"locale": "Required: a locale code such as `fr`."})
    try:
        locale = canonical_code(locale)  # `fr-ca` names the `fr-CA` locale
    except InvalidLocaleCode as exc:
        raise errors.ValidationFailed(fields={"locale": str(exc)}) from None
    if locale not in enabled_locale_codes(site):
        raise errors.ValidationFailed(fields={"locale": f"`{locale}` is not a locale this site enables."})
    if locale == block.locale:
        raise errors.ValidationFailed(fields={"locale": f"The block is already in `{locale}`; choose another locale."})
    return locale


def _require_copy(actor: Actor, site: Site, locale: str) -> None:
    """Translators may copy into non-default locales; writing the default-locale copy needs `write`."""
    actor.require(Action.COPY_TO_LOCALE)
    if locale == site.default_locale and not actor.can(Action.WRITE):
        actor.require(Action.WRITE, f"Only editors may write the default-locale (`{locale}`) copy.")


def check_copy(*, actor: Actor, block: SiteBlock, locale: str) -> str:
    """The locale `block` may be copied into by `actor` (its canonical code); raises the one problem."""
    target_locale = _target_locale(actor.site, block, locale)
    _require_copy(actor, actor.site, target_locale)
    return target_locale


def block_copy_to_locale(
    *,
    actor: Actor,
    block: SiteBlock,
    locale: str,
    overwrite: bool = False,
    expected_version: int | None = None,
) -> SiteBlock:
    """Copy `block` into `locale` as a draft sharing its `translation_key`; an existing copy is `conflict`.

    With `overwrite=True` the existing copy takes the source's schema and data (non-localized values kept in
    step, localized ones replaced), recorded as one revision; its status and name are left as they were.
    Either way the copy's units start untranslated: a copied value is not a translation until a person, an
    import or a machine step writes one, or a translator keeps it.
    """
    site = actor.site
    target_locale = check_copy(actor=actor, block=block, locale=locale)
    with transaction.atomic(), events.together():
        block = lock_block(block, expected_version)
        existing = (
            SiteBlock.objects.select_for_update()
            .filter(site=site, translation_key=block.translation_key, locale=target_locale)
            .first()
        )
        if existing is not None and not overwrite:
            raise errors.Conflict(
                f"A `{target_locale}` copy of this block already exists; send `overwrite: true` to replace it.",
                fields={"locale": "A copy in this locale already exists."},
            )
        hashes: dict[str, str] = {}  # copied values are not translations: every unit starts untranslated
        comment = f"Copied from {block.locale}"
        extra = {"fromLocale": block.locale}
        if existing is None:
            target = _new_copy(actor, block, target_locale)
            target.translation_hashes = hashes
            return insert_block(
                target, actor=actor, comment=comment, event="block.copied", extra=extra, conflict_message=COPY_CONFLICT
            )
        existing.site = site
        write = BlockWrite(existing, actor=actor, comment=comment, event="block.copied", extra=extra)
        existing.schema = copy.deepcopy(block.schema)
        existing.data = copy.deepcopy(block.data)
        existing.translation_hashes = hashes
        return write.finish()


def _new_copy(actor: Actor, block: SiteBlock, locale: str) -> SiteBlock:
    site = actor.site
    if SiteBlock.objects.filter(site=site, locale=locale, slug=block.slug).exists():
        raise errors.Conflict(
            f"The slug `{block.slug}` is taken by another block in `{locale}`.", fields={"slug": "Taken."}
        )
    if block.type == BlockType.PAGE and SiteBlock.objects.filter(site=site, locale=locale, path=block.path).exists():
        raise errors.Conflict(
            f"The path `{block.path}` is taken by another block in `{locale}`.", fields={"path": "Taken."}
        )
    now = timezone.now()
    user = actor.user if getattr(actor.user, "pk", None) else None
    return SiteBlock(
        site=site,
        locale=locale,
        translation_key=block.translation_key,
        name=block.name,
        slug=block.slug,
        type=block.type,
        path=block.path,
        tags=list(block.tags),
        status=BlockStatus.DRAFT,
        schema=copy.deepcopy(block.schema),
        data=copy.deepcopy(block.data),
        template_id=block.template_id,  # a copy follows its block's template, as it shares its schema
        template_ref=copy.deepcopy(block.template_ref),
        created_by=user,
        updated_by=user,
        created_at=now,
        updated_at=now,
    )


def block_sync_shared_fields(
    *, actor: Actor, block: SiteBlock, locales: list[str] | None = None, expected_version: int | None = None
) -> list[tuple[SiteBlock, list[str]]]:
    """Copy the source's non-localized values (numbers, booleans, selects, colors…) into the group's other
    copies: the re-sync for copies whose shared values diverged (written before they were kept in step).

    `block` is any copy of the group (its `If-Match` applies); the values come from the group's source.
    Only copies whose data changes are written, each as one revision, all in one transaction. Answers
    `[(copy, names of the top-level fields that changed)]` for every copy considered.
    """
    actor.require(Action.WRITE)
    if locales is not None and not all(locales):
        raise errors.ValidationFailed(fields={"locales": "Must be a list of locale codes."})
    results: list[tuple[SiteBlock, list[str]]] = []
    with transaction.atomic(), events.together():  # one outbox row for every copy written
        # The source's row first, as a source's write takes it (then its copies): two such writes queue on it
        # instead of each holding a copy the other waits for.
        source = group_source(block, default_locale=actor.site.default_locale) or block
        if source.pk != block.pk:
            source = lock_block(source, None)
        addressed = lock_block(block, expected_version)
        block = addressed if source.pk == addressed.pk else source
        copies = locked_copies(block, order_by="locale")
        if locales is not None:
            known = {target.locale for target in copies}
            unknown = {
                f"locales[{i}]": "No copy of this block in this locale."
                for i, c in enumerate(locales)
                if c not in known
            }
            if unknown:
                raise errors.ValidationFailed(fields=unknown)
            copies = [target for target in copies if target.locale in set(locales)]
        for target in copies:
            new_data = synced_data(block.schema, block.data, target.data)
            changed = sorted(
                key for key in set(new_data) | set(target.data) if new_data.get(key) != target.data.get(key)
            )
            results.append((target, changed))
            if not changed:
                continue
            comment = f"Synced shared fields from {block.locale}"
            rewrite_locked(target, actor=actor, comment=comment, event="block.updated", data=new_data)
    return results


KEEP_SOURCE = "`{locale}` is the source copy: its values are what the other locales translate; keep applies to them."


def block_keep_translations(
    *, actor: Actor, block: SiteBlock, fields: list[str], expected_version: int | None = None
) -> SiteBlock:
    """Confirm the units `fields` (data paths such as `title`, `plans[1].label`) of the copy `block` as right
    for the source's current values: they read as translated until the source changes again. One revision.

    For a copied value that is right as it is (a brand name) and for an outdated one whose source change does
    not change the translation; a unit the source leaves empty, or that is empty in the copy, cannot be kept.
    """
    from_locale = block.locale
    require_data_write(actor, block)
    if not fields:
        raise errors.ValidationFailed(fields={"fields": "Required: the data paths to keep, such as `title`."})
    with block_write(
        actor=actor,
        block=block,
        expected_version=expected_version,
        comment="Kept as translated: " + ", ".join(fields),
        event="block.updated",
    ) as write:
        target = write.block
        source = group_source(target, default_locale=target.site.default_locale)
        if source is None or source.pk == target.pk:
            raise errors.ValidationFailed(
                KEEP_SOURCE.format(locale=from_locale), fields={"locale": KEEP_SOURCE.format(locale=from_locale)}
            )
        states = unit_states(source, target)
        own = unit_values(target.schema, target.data)
        problems = {}
        for index, key in enumerate(fields):
            if key not in states:
                problems[f"fields[{index}]"] = (
                    f"`{key}` is not a localized field the `{source.locale}` source has a value for."
                )
            elif is_empty(own.get(key)):
                problems[f"fields[{index}]"] = f"`{key}` is empty in `{target.locale}`: write a translation instead."
        if problems:
            raise errors.ValidationFailed(fields=problems)
        target.translation_hashes = kept(
            target.translation_hashes or {}, keys=fields, source_data=source.data, schema=target.schema
        )
    return write.block


def site_copy_to_locale(
    *, actor: Actor, locale: str, source_locale: str | None = None, overwrite: bool = False
) -> tuple[int, int, int]:
    """Copy every block of the site in `source_locale` (default: the site default) into `locale`.

    One transaction: either every block is copied or none is. Blocks that already have a copy are skipped,
    or replaced with `overwrite`. Answers `(created, overwritten, skipped)`.
    """
    site = actor.site
    source_locale = source_locale or site.default_locale
    enabled = enabled_locale_codes(site)
    if source_locale not in enabled:
        raise errors.ValidationFailed(fields={"source_locale": f"`{source_locale}` is not enabled on this site."})
    if locale not in enabled or locale == source_locale:
        raise errors.ValidationFailed(fields={"locale": f"`{locale}` is not another locale this site enables."})
    created = overwritten = skipped = 0
    with transaction.atomic(), events.together():  # one outbox row for the whole site's copies
        blocks = list(SiteBlock.objects.filter(site=site, locale=source_locale).order_by("pk"))
        have = set(
            SiteBlock.objects.filter(
                site=site, locale=locale, translation_key__in=[b.translation_key for b in blocks]
            ).values_list("translation_key", flat=True)
        )
        for block in blocks:
            block.site = site
            exists = block.translation_key in have
            if exists and not overwrite:
                skipped += 1
                continue
            block_copy_to_locale(actor=actor, block=block, locale=locale, overwrite=overwrite)
            if exists:
                overwritten += 1
            else:
                created += 1
    return created, overwritten, skipped
