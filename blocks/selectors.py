"""Reads of blocks for the management API and the admin: one block by slug, a filtered page of blocks.

Selectors own the query shape (what is deferred, what is joined) so query counts stay flat; views never
build querysets themselves.
"""

from __future__ import annotations

from django.db.models import Count

from accounts.permissions import Action, Actor
from blocks.exchange import check_format, check_target_locale, export_units, write_file
from blocks.models import SiteBlock
from blocks.translation_units import (
    copy_state,
    fingerprint,
    group_states,
    pick_source,
    shared_values,
    unit_states,
    unit_values,
)
from blocks.typescript import site_types
from blueprints.models import BlockTemplate
from blueprints.selectors import template_for_actor, templates_for_actor
from cms import errors
from locales.models import SiteLocale
from locales.selectors import enabled_locale_codes
from revisions.selectors import histories_since
from schema.completion import completion

LIST_DEFERRED = ("schema", "data", "published_snapshot", "translation_hashes")


def block_for_actor(actor: Actor, slug: str, locale: str | None = None) -> SiteBlock:
    """The block `slug` of the actor's site in `locale` (default: the site's default), or `not_found`."""
    actor.require(Action.READ)
    code = locale or actor.site.default_locale
    # The schedule (a reverse one-to-one) is joined for `meta.scheduleFailure`: no second query.
    block = SiteBlock.objects.filter(site=actor.site, locale=code, slug=slug).select_related("schedule").first()
    if block is None:
        raise errors.NotFound(f"No block `{slug}` in locale `{code}` of this site.")
    block.site = actor.site  # already loaded with the token: no second query
    return block


def working_schema(actor: Actor, slug: str, locale: str) -> list | None:
    """The working copy's schema of block `slug` in `locale` (what `schemaOf` names on the management list),
    or None when the site has no such block. One query, the schema column only."""
    actor.require(Action.READ)
    found = SiteBlock.objects.filter(site=actor.site, locale=locale, slug=slug).values_list("schema", flat=True)
    schema = found.first()
    return schema if isinstance(schema, list) else ([] if schema is not None else None)


def types_module(actor: Actor) -> str:
    """The TypeScript types of the actor's site's delivery answers (`blocks.typescript`)."""
    actor.require(Action.READ)
    return site_types(actor.site)


def block_completion(block: SiteBlock, *, every_locale: bool = False) -> dict:
    """`meta.completion` (docs/fields.md "Completion") of the addressed copy, computed from the row in hand (no
    query); `every_locale` adds `locales`, each locale copy's, in one query whatever the number of fields."""
    own = completion(block.schema or [], block.data)
    if not every_locale:
        return own
    others = (
        SiteBlock.objects.filter(site_id=block.site_id, translation_key=block.translation_key)
        .exclude(pk=block.pk)
        .only("id", "locale", "schema", "data")
    )
    by_locale = {block.locale: own, **{copy.locale: completion(copy.schema or [], copy.data) for copy in others}}
    return {**own, "locales": dict(sorted(by_locale.items()))}


def blocks_for_list(actor: Actor):
    """The actor's site's blocks, without the heavy JSON columns lists never show."""
    actor.require(Action.READ)
    return SiteBlock.objects.for_site(actor.site).defer(*LIST_DEFERRED)


# Translation status (the rules are in `blocks.translation_units`). Both selectors run a fixed number of queries:
# the site's enabled locales, then every copy of the blocks asked about, whatever their number.

TRANSLATION_COLUMNS = ("id", "site_id", "locale", "translation_key", "schema", "data", "translation_hashes")


def translation_status(actor: Actor, block: SiteBlock) -> dict[str, dict]:
    """`{locale: state}` for every enabled locale (the shape is `blocks.translation_units._state`'s)."""
    actor.require(Action.READ)
    copies = list(
        SiteBlock.objects.filter(site_id=block.site_id, translation_key=block.translation_key)
        .only(*TRANSLATION_COLUMNS)
        .order_by("pk")
    )
    return group_states(copies, enabled_locale_codes(actor.site), actor.site.default_locale)


def copy_translation(block: SiteBlock) -> dict | None:
    """For a locale copy's own page: its source's locale, each unit's state (`untranslated` / `outdated` /
    `translated`), the shared field paths and those that diverge from the source. None for the source
    itself, or a block with no other copy. One query (the group; the site is the block's, loaded)."""
    copies = list(
        SiteBlock.objects.filter(site_id=block.site_id, translation_key=block.translation_key)
        .only(*TRANSLATION_COLUMNS)
        .order_by("pk")
    )
    source = pick_source(copies, block.site.default_locale)
    if source is None or source.pk == block.pk:
        return None
    mine = next((copy for copy in copies if copy.pk == block.pk), block)
    states = unit_states(source, mine)
    outdated = {key: (mine.translation_hashes or {}).get(key, "") for key, word in states.items() if word == "outdated"}
    return {
        "source_locale": source.locale,
        "source_pk": source.pk,
        "states": states,
        "state": copy_state(source, mine),
        "shared": set(shared_values(source.schema, source.data)) | set(shared_values(mine.schema, mine.data)),
        "source_values": unit_values(source.schema, source.data),
        "source_shared": shared_values(source.schema, source.data),
        "previous": translated_from(source, outdated),
    }


#: how far back in the source's history `translated_from` looks for the value a translation was made from
SOURCE_HISTORY_DEPTH = 50


def translated_from(source: SiteBlock, wanted: dict[str, str]) -> dict[str, object]:
    """`{unit path: the source's value a translation was made from}` for the outdated units `wanted` (each with
    the fingerprint the copy stored), found in the source's recent revisions (newest first): the "old" of an
    outdated field's "old → new". A value no longer in the last `SOURCE_HISTORY_DEPTH` revisions is absent.
    Two queries whatever the number of units (none when nothing is outdated)."""
    if not wanted:
        return {}
    found: dict[str, object] = {}
    paths = set(wanted)
    for state in histories_since(source.pk, limit=SOURCE_HISTORY_DEPTH):
        values = unit_values(state.get("schema") or source.schema, state.get("data") or {})
        for key in paths - set(found):
            if key in values and fingerprint(values[key]) == wanted[key]:
                found[key] = values[key]
        if len(found) == len(paths):
            break
    return found


def translation_marks(blocks, *, site=None) -> dict[int, dict[str, dict]]:
    """`{block id: {locale: state}}` for a page of blocks, in two queries whatever its size.

    The blocks may come from several sites (the admin list): each is judged against its own site's enabled
    locales and default. Pass `site` when they all belong to it; otherwise `block.site` must be loaded.
    """
    blocks = list(blocks)
    if not blocks:
        return {}
    sites = {site.pk: site} if site is not None else {block.site_id: block.site for block in blocks}
    locales: dict[int, list[str]] = {site_id: [] for site_id in sites}
    enabled = SiteLocale.objects.filter(site_id__in=list(sites), is_enabled=True).order_by("locale__code")
    for site_id, code in enabled.values_list("site_id", "locale__code"):
        locales[site_id].append(code)
    groups: dict = {}
    copies = (
        SiteBlock.objects.filter(
            site_id__in=list(sites), translation_key__in={block.translation_key for block in blocks}
        )
        .only(*TRANSLATION_COLUMNS)
        .order_by("pk")
    )
    for copy in copies:
        groups.setdefault((copy.site_id, copy.translation_key), []).append(copy)
    return {
        block.pk: group_states(
            groups.get((block.site_id, block.translation_key), []),
            locales[block.site_id],
            sites[block.site_id].default_locale,
            diverged=False,  # the block's own page says where shared fields diverge
        )
        for block in blocks
    }


BACKLOG_COLUMNS = ("name", "slug", "type", "created_at", "updated_at", "site__default_locale", "site__name")


def translation_backlog(site_ids: list[int]) -> list[dict]:
    """What waits for translators on these sites, oldest first: for each block group and each enabled locale
    other than the site's default, a copy that is missing, or has untranslated or outdated fields.

    Each row: `site`, `locale`, `source` and `copy` (None when missing), `status`, `counts` (`untranslated`,
    `outdated`, `translated`) and `since`: when it started waiting (the source's creation for a missing copy,
    the source's last change for an outdated one, the copy's creation for an untranslated one). Two queries
    whatever the number of blocks (the dashboard's panels assert it).
    """
    if not site_ids:
        return []
    locales: dict[int, list[str]] = {}
    enabled = SiteLocale.objects.filter(site_id__in=site_ids, is_enabled=True).order_by("locale__code")
    for site_id, code in enabled.values_list("site_id", "locale__code"):
        locales.setdefault(site_id, []).append(code)
    groups: dict = {}
    blocks = (
        SiteBlock.objects.filter(site_id__in=site_ids)
        .select_related("site")
        .only(*TRANSLATION_COLUMNS, *BACKLOG_COLUMNS)
        .order_by("pk")
    )
    for block in blocks:
        groups.setdefault((block.site_id, block.translation_key), []).append(block)
    rows: list[dict] = []
    for (site_id, _), copies in groups.items():
        site = copies[0].site
        wanted = [code for code in locales.get(site_id, []) if code != site.default_locale]
        if not wanted:
            continue
        source = pick_source(copies, site.default_locale)
        by_locale = {block.locale: block for block in copies}
        for code, state in group_states(copies, wanted, site.default_locale, diverged=False).items():
            if state["status"] == "complete" or (code == source.locale):
                continue
            copy = by_locale.get(code)
            if copy is None:
                since = source.created_at
            elif state["counts"]["outdated"]:
                since = source.updated_at
            else:
                since = copy.created_at
            rows.append(
                {
                    "site": site,
                    "locale": code,
                    "source": source,
                    "copy": copy,
                    "status": state["status"],
                    "counts": state["counts"],
                    "since": since,
                }
            )
    rows.sort(key=lambda row: (row["since"], row["source"].pk, row["locale"]))
    return rows


# Templates and the blocks that follow them (`blueprints` knows no block: who follows is read here).


def templates_with_followers(actor: Actor):
    """The actor's site's templates, each with `follower_count` (locale copies counted), in one query."""
    return templates_for_actor(actor).annotate(follower_count=Count("followers"))


def template_with_followers(actor: Actor, slug: str) -> tuple[BlockTemplate, list[SiteBlock]]:
    """The template `slug` (or `not_found`) and the blocks that follow it (slug, locale, template_ref only),
    in two queries."""
    template = template_for_actor(actor, slug)
    followers = list(
        SiteBlock.objects.filter(template=template)
        .only("id", "slug", "locale", "template_ref")
        .order_by("slug", "locale")
    )
    return template, followers


# Translation files (XLIFF, PO: `blocks.exchange`). Two queries whatever the number of blocks: the sources
# and the copies in the target locale. Only blocks with a copy in that locale are exported (a unit needs a
# copy to go back into: copy to the locale first).


def translations_export(
    actor: Actor, *, locale: str, fmt: str, block: SiteBlock | None = None, keys: list | None = None
) -> bytes:
    """The translation file of the site (or of `block`'s group, or of the groups whose translation keys are
    `keys`: a selection) for the target `locale`, in `fmt`."""
    actor.require(Action.READ)  # the same values `GET /site-blocks/{slug}` shows any reader
    fmt = check_format(fmt)
    locale = check_target_locale(actor.site, locale)
    site = actor.site
    copies = SiteBlock.objects.filter(site=site).only(*TRANSLATION_COLUMNS).order_by("pk")
    if block is not None:
        copies = copies.filter(translation_key=block.translation_key)
    if keys is not None:
        copies = copies.filter(translation_key__in=keys)
    sources = list(copies.filter(locale=site.default_locale))
    targets = {copy.translation_key: copy for copy in copies.filter(locale=locale)}
    units = []
    for source in sources:
        if source.translation_key in targets:
            units.extend(export_units(source, targets[source.translation_key]))
    origin = f"{site.slug}/{block.slug}" if block is not None else site.slug
    return write_file(fmt, units, source_locale=site.default_locale, target_locale=locale, origin=origin)
