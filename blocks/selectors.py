"""Reads of blocks for the management API and the admin: one block by slug, a filtered page of blocks.

Selectors own the query shape (what is deferred, what is joined) so query counts stay flat; views never
build querysets themselves.
"""

from __future__ import annotations

from django.db.models import Count

from accounts.permissions import Action, Actor
from blocks.exchange import check_format, check_target_locale, export_units, write_file
from blocks.models import SiteBlock
from blocks.translation_units import copy_state, group_states, pick_source, shared_values, unit_states
from blocks.typescript import site_types
from blueprints.models import BlockTemplate
from blueprints.selectors import template_for_actor, templates_for_actor
from cms import errors
from locales.models import SiteLocale
from locales.selectors import enabled_locale_codes
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
    return {
        "source_locale": source.locale,
        "states": unit_states(source, mine),
        "state": copy_state(source, mine),
        "shared": set(shared_values(source.schema, source.data)) | set(shared_values(mine.schema, mine.data)),
    }


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


def translations_export(actor: Actor, *, locale: str, fmt: str, block: SiteBlock | None = None) -> bytes:
    """The translation file of the site (or of `block`'s group) for the target `locale`, in `fmt`."""
    actor.require(Action.READ)  # the same values `GET /site-blocks/{slug}` shows any reader
    fmt = check_format(fmt)
    locale = check_target_locale(actor.site, locale)
    site = actor.site
    copies = SiteBlock.objects.filter(site=site).only(*TRANSLATION_COLUMNS).order_by("pk")
    if block is not None:
        copies = copies.filter(translation_key=block.translation_key)
    sources = list(copies.filter(locale=site.default_locale))
    targets = {copy.translation_key: copy for copy in copies.filter(locale=locale)}
    units = []
    for source in sources:
        if source.translation_key in targets:
            units.extend(export_units(source, targets[source.translation_key]))
    origin = f"{site.slug}/{block.slug}" if block is not None else site.slug
    return write_file(fmt, units, source_locale=site.default_locale, target_locale=locale, origin=origin)
