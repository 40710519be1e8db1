"""Blocks that follow a template: a template's changes carried into every follower, detaching, and refusals.

A block that follows a template (`SiteBlock.template`, and all its locale copies with it) has the template's
schema, at the version it records (`template_ref`). So:

- changing a template's schema (`template_update`) is a schema change of every follower and of each of its
  locale copies, planned by the same code as a block's (`blocks.services.schema_change.plan`: renamed and
  moved fields keep their values and fingerprints, types convert, what cannot follow is an orphan, listed),
  and applied in ONE transaction with the template: a failure in one block writes nothing, the template's
  version included. `dry_run` answers the same report, per block and locale, and writes nothing;
- a follower's own schema write is refused (`require_own_schema`), naming the template;
- detaching (`block_detach_template`) leaves the schema as it is, now the block's own;
- a template that blocks follow cannot be deleted (`template_delete`).

Every block row is written through the one write path (`rewrite_locked`, `block_write`): a version bump, a
revision and a `block.schema_updated` event each, all in one outbox row. The published snapshots stay as they
were until each block's next publish.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services.schema_change import SchemaChange, plan
from blocks.services.writing import block_write, locked_copies, rewrite_locked, rewrite_locked_many
from blueprints.models import BlockTemplate
from blueprints.selectors import template_in_site
from blueprints.services import check_template
from cms import errors
from cms.jsonsame import same_json
from schema import compiled_for
from schema.evolution import field_changes
from schema.identity import with_ids

SCHEMA_FIELD = "schema"


def following_message(block: SiteBlock) -> str:
    """Why a follower's own schema cannot be written, and what to do instead."""
    ref = block.template_ref or {}
    slug = ref.get("slug", "?")
    return (
        f"This block follows the template `{slug}` (version {ref.get('version', '?')}): its schema is the "
        f"template's. Change the template (PUT /api/v1/templates/{slug}) or detach the block from it first."
    )


def require_own_schema(block: SiteBlock) -> None:
    """Refuse a direct schema write to a block that follows a template (`conflict`, naming the template)."""
    if block.template_id is not None:
        raise errors.Conflict(following_message(block), fields={SCHEMA_FIELD: "Follows a template."})


def template_choice(site: Site, slug: str) -> tuple[BlockTemplate | None, dict[str, str]]:
    """The template a new block is to follow, or the problem of `template` (no such template)."""
    template = template_in_site(site, slug)
    if template is None:
        return None, {"template": f"No template `{slug}` in this site."}
    return template, {}


@dataclass
class TemplateChange:
    """A template's schema change across its followers: one `SchemaChange` per translation group."""

    schema: list[dict]
    fields: list[dict]
    groups: list[SchemaChange] = field(default_factory=list)

    def report(self, *, dry_run: bool) -> dict:
        """`meta.templateChange` (docs/templates.md): what happens to each field, then per block and locale
        which values move, convert, fail to convert and become orphans."""
        return {
            "dryRun": dry_run,
            "fields": self.fields,
            "blocks": [
                {"slug": change.order[0].slug, "copies": change.report(dry_run=dry_run)["copies"]}
                for change in self.groups
            ],
        }


def plan_template_change(
    followers: list[SiteBlock], schema: list[dict], *, old_schema: list[dict], default_locale: str
) -> TemplateChange:
    """Plan the change of every follower (grouped by translation key, the default-locale copy first, groups
    by slug) to `schema`. Pure: reads the rows given."""
    groups: dict[str, list[SiteBlock]] = defaultdict(list)
    for block in followers:
        groups[str(block.translation_key)].append(block)
    change = TemplateChange(schema=schema, fields=field_changes(old_schema, schema))
    ordered = (sorted(group, key=lambda b: (b.locale != default_locale, b.locale, b.pk)) for group in groups.values())
    for group in sorted(ordered, key=lambda g: (g[0].slug, g[0].pk)):
        change.groups.append(plan(group, schema, old_schema=old_schema, default_locale=default_locale))
    return change


def lock_template(template: BlockTemplate, expected_version: int | None) -> BlockTemplate:
    """Re-read `template` under a row lock and refuse a stale write (inside `transaction.atomic()`)."""
    try:
        locked = BlockTemplate.objects.select_for_update().get(pk=template.pk)
    except BlockTemplate.DoesNotExist:
        raise errors.NotFound("This template no longer exists.") from None
    if expected_version is not None and locked.version != expected_version:
        raise errors.StaleWrite()
    return locked


def template_update(
    *,
    actor: Actor,
    template: BlockTemplate,
    expected_version: int | None,
    name: str | None = None,
    description: str | None = None,
    schema: list | None = None,
    dry_run: bool = False,
) -> tuple[BlockTemplate, dict | None]:
    """Change a template's name, description and/or schema; a schema change is carried into every block and
    locale copy that follows it, atomically. Answers the template and, when the schema was given, the change's
    report (`meta.templateChange`). `dry_run`: the same report, nothing written.

    Sending what the template already is writes nothing (no version bump)."""
    actor.require(Action.WRITE)
    checked = check_template(name=name, description=description, schema=schema, previous_schema=template.schema)
    if checked.problems:
        raise errors.ValidationFailed(fields=checked.problems)
    if checked.schema is not None:
        compiled_for(checked.schema)  # compile before taking locks, as a block's schema write does
    default_locale = actor.site.default_locale
    if dry_run:
        if expected_version is not None and template.version != expected_version:
            raise errors.StaleWrite()
        if checked.schema is None:
            return template, None
        followers = list(SiteBlock.objects.filter(template=template).order_by("pk"))
        change = plan_template_change(
            followers, checked.schema, old_schema=with_ids(template.schema or []), default_locale=default_locale
        )
        return template, change.report(dry_run=True)
    with transaction.atomic(), events.together():
        locked = lock_template(template, expected_version)
        schema_changes = checked.schema is not None and not same_json(checked.schema, locked.schema)
        changes = {
            key: value
            for key, value in (("name", checked.name), ("description", checked.description))
            if value is not None and value != getattr(locked, key)
        }
        report = None
        if not changes and not schema_changes:
            if checked.schema is not None:
                report = TemplateChange(schema=locked.schema, fields=[]).report(dry_run=False)
            return locked, report
        old_schema = with_ids(locked.schema or [])
        for key, value in changes.items():
            setattr(locked, key, value)
        if schema_changes:
            assert checked.schema is not None
            locked.schema = checked.schema
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.updated_by = actor.user if getattr(actor.user, "pk", None) else None
        locked.save()
        if schema_changes:
            followers = list(
                SiteBlock.objects.select_for_update(of=("self",))
                .select_related("site")
                .filter(template=locked)
                .order_by("pk")
            )
            change = plan_template_change(
                followers, locked.schema, old_schema=old_schema, default_locale=default_locale
            )
            write_followers(change, template=locked, actor=actor)
            report = change.report(dry_run=False)
        elif checked.schema is not None:
            report = TemplateChange(schema=locked.schema, fields=[]).report(dry_run=False)
    return locked, report


def write_followers(change: TemplateChange, *, template: BlockTemplate, actor: Actor) -> None:
    """Save every planned follower (locked by the caller) through the write tail, one revision and one
    `block.schema_updated` each, in bulk statements (`rewrite_locked_many`: the queries grow by batch of
    rows, never by field)."""
    rewrite_locked_many(
        [
            (
                block,
                {
                    "schema": group.schema,
                    "data": group.migrations[block.pk].data,
                    "translation_hashes": group.hashes[block.pk],
                    "template_ref": template.ref,
                },
            )
            for group in change.groups
            for block in group.order
        ],
        actor=actor,
        comment=f"Template `{template.slug}` changed to version {template.version}",
        event="block.schema_updated",
    )


def template_delete(*, actor: Actor, template: BlockTemplate, expected_version: int | None) -> None:
    """Delete a template no block follows; one that blocks follow is `conflict`, naming some of them."""
    actor.require(Action.WRITE)
    with transaction.atomic():
        locked = lock_template(template, expected_version)
        slugs = list(
            SiteBlock.objects.filter(template=locked).order_by("slug").values_list("slug", flat=True).distinct()[:6]
        )
        if slugs:
            shown = ", ".join(f"`{slug}`" for slug in slugs[:5]) + (" …" if len(slugs) > 5 else "")
            raise errors.Conflict(
                f"Blocks follow this template ({shown}); detach them first "
                "(POST /api/v1/site-blocks/{slug}/detach-template)."
            )
        locked.delete()


def block_detach_template(*, actor: Actor, block: SiteBlock, expected_version: int | None) -> SiteBlock:
    """Stop `block` and its locale copies following their template: the schema stays as it is, now their own
    (one revision each). A block that follows no template is `conflict`."""
    actor.require(Action.WRITE)
    if block.template_id is None:
        raise errors.Conflict("This block follows no template.")
    slug = (block.template_ref or {}).get("slug", "?")
    comment = f"Detached from template `{slug}`"
    with block_write(
        actor=actor, block=block, expected_version=expected_version, comment=comment, event="block.updated"
    ) as write:
        if write.block.template_id is None:
            raise errors.Conflict("This block follows no template.")
        copies = locked_copies(write.block)
        write.block.template = None
        write.block.template_ref = None
        write.finish()
        for copy in copies:
            rewrite_locked(copy, actor=actor, comment=comment, event="block.updated", template=None, template_ref=None)
    return write.block
