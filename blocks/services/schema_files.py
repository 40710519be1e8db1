"""Schema files: a site's content model as a JSON file kept in git, compared and applied (docs/schema-files.md).

    {
      "format": "cms-schemas/1",
      "sites": {
        "acme": {
          "blocks": {
            "promo": {"schema": [{"id": "k3J9x-Qa0bE", "name": "title", "type": "string"}, …]}
          }
        }
      }
    }

Keyed by site slug and block slug; a block is its translation group, addressed through its copy in the
site's default locale (schemas are kept in step across copies), else its oldest copy. The target schema
carries the field ids (`manage.py schema_diff --export` writes them), so a rename or a move in the file is
recognised as one. Applying a file is, block by block, exactly `PUT /site-blocks/{slug}/schema` (the same
diff, dry run, conversions and orphans: `block_replace_schema`), all blocks in one transaction: a problem in
any block writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from accounts.models import Role, Site
from accounts.permissions import Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services.content import block_replace_schema
from cms import errors
from schema import check_schema
from schema.identity import with_ids

FORMAT = "cms-schemas/1"


@dataclass
class SchemaTarget:
    """One block of a schema file: where it is in the file, the block it addresses, the schema it wants."""

    where: str
    site: Site
    block: SiteBlock
    schema: list


def _groups(site: Site) -> dict[str, SiteBlock]:
    """`{slug: block}`: each translation group of `site` once, by its default-locale copy (else its oldest)."""
    chosen: dict = {}
    for block in SiteBlock.objects.filter(site=site).order_by("pk"):
        current = chosen.get(block.translation_key)
        if current is None or (block.locale == site.default_locale and current.locale != site.default_locale):
            chosen[block.translation_key] = block
    by_slug: dict[str, SiteBlock] = {}
    for block in sorted(chosen.values(), key=lambda b: (b.locale != site.default_locale, b.pk)):
        by_slug.setdefault(block.slug, block)  # a slug two groups share (in two locales): the default's wins
    return dict(sorted(by_slug.items()))


def export_schemas(sites: list[Site], *, blocks: list[str] | None = None) -> dict:
    """The schema file of `sites` (only the block slugs in `blocks`, when given), every field with its id."""
    out: dict = {}
    for site in sorted(sites, key=lambda s: s.slug):
        groups = _groups(site)
        out[site.slug] = {
            "blocks": {
                slug: {"schema": with_ids(block.schema or [])}
                for slug, block in groups.items()
                if blocks is None or slug in blocks
            }
        }
    return {"format": FORMAT, "sites": out}


def read_schema_file(
    document: object, *, sites: list[str] | None = None, blocks: list[str] | None = None
) -> list[SchemaTarget]:
    """The targets of a parsed schema file (only the sites and block slugs asked for, when given); every
    problem of the file at once, each at its place (`sites.acme.blocks.promo.schema[2].type`)."""
    problems: dict[str, str] = {}
    targets: list[SchemaTarget] = []
    if not isinstance(document, dict):
        raise errors.ValidationFailed("Not a schema file.", fields={"": "Must be a JSON object."})
    if document.get("format") != FORMAT:
        problems["format"] = f'Must be "{FORMAT}".'
    unknown = sorted(set(document) - {"format", "sites"})
    problems.update({key: "Unknown key." for key in unknown})
    entries = document.get("sites")
    if not isinstance(entries, dict):
        problems["sites"] = "Must be an object: {site slug: {blocks: {block slug: {schema: […]}}}}."
        entries = {}
    found = {site.slug: site for site in Site.objects.filter(slug__in=list(entries))}
    for site_slug, entry in entries.items():
        if sites is not None and site_slug not in sites:
            continue
        at = f"sites.{site_slug}"
        site = found.get(site_slug)
        if site is None:
            problems[at] = f"No site `{site_slug}`."
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("blocks"), dict) or set(entry) != {"blocks"}:
            problems[at] = "Must be an object with one key, `blocks`."
            continue
        groups = _groups(site)
        for slug, target in entry["blocks"].items():
            if blocks is not None and slug not in blocks:
                continue
            here = f"{at}.blocks.{slug}"
            block = groups.get(slug)
            if block is None:
                problems[here] = f"No block `{slug}` in site `{site_slug}`."
            elif not isinstance(target, dict) or set(target) != {"schema"} or not isinstance(target["schema"], list):
                problems[here] = "Must be an object with one key, `schema`, a list of fields."
            else:
                try:
                    check_schema(target["schema"], previous=with_ids(block.schema or []))
                except errors.ValidationFailed as exc:
                    for path, message in (exc.fields or {}).items():
                        problems[here + "." + path] = message
                else:
                    block.site = site  # loaded already: no query per block for its default locale
                    targets.append(SchemaTarget(here, site, block, target["schema"]))
    if problems:
        raise errors.ValidationFailed("The schema file is not valid; nothing was changed.", fields=problems)
    return targets


def schema_file_apply(targets: list[SchemaTarget], *, user: User | None = None, dry_run: bool = False) -> list[dict]:
    """Apply (or, with `dry_run`, only report) each target's schema, all in one transaction, as the owner of
    each site; answers one report per block: `{site, block, locale, changed, schemaChange}`."""
    reports: list[dict] = []
    with transaction.atomic(), events.together():
        for target in targets:
            actor = Actor(user=user, site=target.site, role=Role.OWNER)
            current = with_ids(target.block.schema or [])
            changed = check_schema(target.schema, previous=current) != target.block.schema
            _, report = block_replace_schema(
                actor=actor, block=target.block, schema=target.schema, expected_version=None, dry_run=dry_run
            )
            reports.append(
                {
                    "site": target.site.slug,
                    "block": target.block.slug,
                    "locale": target.block.locale,
                    "changed": changed,
                    "schemaChange": report,
                }
            )
    return reports
