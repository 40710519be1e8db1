"""Creating, renaming/re-tagging/re-pathing and deleting blocks."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks import events, rules
from blocks.models import BlockType, SiteBlock
from blocks.services.common import check_locale, path_taken, require_data_write
from blocks.services.templates import template_choice
from blocks.services.writing import block_write, insert_block, lock_block
from blueprints.models import BlockTemplate
from cms import errors
from revisions.recording import delete_block_revisions
from schema import check_schema, compiled_for


class BlockMeta(TypedDict, total=False):
    """A change of a block's `name`, `tags` or `path` (PATCH, the admin's form); a key left out is kept."""

    name: str
    tags: list[str]
    path: str


@dataclass
class NewBlock:
    """The checked values of a new block: its locale, cleaned tags, checked schema and validated data."""

    locale: str = ""
    tags: list[str] = field(default_factory=list)
    schema: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    template: BlockTemplate | None = None


#: How many slugs a create made from a name tries when concurrent creates keep taking the one it chose.
MAX_SLUG_TRIES = 100


def _unique_slug(site: Site, locale: str, base: str, *, also_taken: Collection[str] = ()) -> str:
    """`about-page`, then `about-page-2`, `-3`… within the site and locale, in one query; `also_taken` names
    slugs a concurrent write took that this transaction cannot see yet."""
    base = base[: rules.MAX_SLUG_LENGTH - 6] or "block"
    taken = set(
        SiteBlock.objects.filter(site=site, locale=locale, slug__startswith=base).values_list("slug", flat=True)
    ) | set(also_taken)
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def check_new_block(
    *,
    actor: Actor,
    name: str | None,
    type: str | None,
    schema: list | None = None,
    data: dict | None = None,
    path: str | None = None,
    slug: str | None = None,
    tags: list[str] | None = None,
    locale: str | None = None,
    template: str | None = None,
    unreadable: Collection[str] = (),
) -> tuple[NewBlock, dict[str, str]]:
    """The checked values of a new block and every problem of them, each with its path (`schema[0].name`).

    `unreadable` names values a caller could not read (sent with the wrong type, already reported): the rules
    that read them are left out, those that hold whatever the value (a path on a global block) still speak.
    The actor must be allowed to write before any value is looked at. `template`: the slug of a template the
    block follows (its schema is then the template's, so a `schema` beside it is a problem)."""
    actor.require(Action.WRITE)
    site = actor.site
    checked = NewBlock()
    problems: dict[str, str] = {}
    if "name" not in unreadable:
        problems.update(rules.name_problems(name) if name is not None else {"name": rules.NAME_MESSAGE})
    if "type" not in unreadable and type not in BlockType.values:
        problems["type"] = rules.TYPE_MESSAGE
    path_given = path is not None or "path" in unreadable
    if type == BlockType.PAGE and "path" not in unreadable:
        problems.update(rules.path_problems(path) if path is not None else {"path": "Required for page blocks."})
    elif type == BlockType.GLOBAL and path_given:
        problems["path"] = rules.PATH_ON_GLOBAL
    if tags is not None and "tags" not in unreadable:
        problems.update(rules.tags_problems(tags))
        checked.tags = rules.clean_tags(tags)
    slug_from_name = slug is None and "slug" not in unreadable and name and "name" not in {*problems, *unreadable}
    if slug is not None and "slug" not in unreadable:
        problems.update(rules.slug_problems(slug))
    elif slug_from_name and not slugify(str(name)):
        problems["name"] = "Must contain at least one letter or digit to make a slug from."
    if "locale" not in unreadable:
        try:
            checked.locale = check_locale(site, locale)
        except errors.ValidationFailed as exc:
            problems.update(exc.fields or {})
    if template is not None and "template" not in unreadable:
        checked.template, template_problems = template_choice(site, template)
        problems.update(template_problems)
        if schema is not None or "schema" in unreadable:
            problems["schema"] = (
                "Give a schema or a template, not both: a block that follows a template has its schema."
            )
        elif checked.template is not None:
            schema = checked.template.schema
    if "template" in unreadable or (template is not None and checked.template is None):
        unreadable = {*unreadable, "data"}  # no schema to read the data by: nothing is said of it
    if "schema" not in unreadable:
        try:
            checked.schema = check_schema([] if schema is None else schema)
        except errors.ValidationFailed as exc:
            problems.update(exc.fields or {})
    schema_ok = "schema" not in unreadable and not any(key == "schema" or key.startswith("schema[") for key in problems)
    if schema_ok and "data" not in unreadable:
        try:
            checked.data = compiled_for(checked.schema).apply_patch({}, {} if data is None else data)
        except errors.ValidationFailed as exc:
            problems.update(exc.fields or {})
    return checked, problems


def block_create(
    *,
    actor: Actor,
    name: str,
    type: str,
    schema: list | None = None,
    data: dict | None = None,
    path: str | None = None,
    slug: str | None = None,
    tags: list[str] | None = None,
    locale: str | None = None,
    template: str | None = None,
) -> SiteBlock:
    """Create a draft block (following the template `template`, when given). Every problem in the request is
    reported at once, each with its path."""
    checked, problems = check_new_block(
        actor=actor,
        name=name,
        type=type,
        schema=schema,
        data=data,
        path=path,
        slug=slug,
        tags=tags,
        locale=locale,
        template=template,
    )
    if problems:
        raise errors.ValidationFailed(fields=problems)
    site = actor.site
    locale_code = checked.locale
    page_path = path if type == BlockType.PAGE else None

    with transaction.atomic(), events.together():
        tried: set[str] = set()
        while True:
            if slug is None:
                final_slug = _unique_slug(site, locale_code, slugify(name), also_taken=tried)
            elif SiteBlock.objects.filter(site=site, locale=locale_code, slug=slug).exists():
                raise errors.Conflict(
                    f"The slug `{slug}` is already taken in this site and locale.", fields={"slug": "Taken."}
                )
            else:
                final_slug = slug
            if page_path is not None and path_taken(site, locale_code, page_path):
                raise errors.Conflict(
                    f"The path `{path}` is already taken in this site and locale.", fields={"path": "Taken."}
                )
            now = timezone.now()
            user = actor.user if getattr(actor.user, "pk", None) else None
            block = SiteBlock(
                site=site,
                locale=locale_code,
                name=name.strip(),
                slug=final_slug,
                type=type,
                path=page_path,
                tags=checked.tags,
                schema=checked.schema,
                data=checked.data,
                template=checked.template,
                template_ref=checked.template.ref if checked.template is not None else None,
                created_by=user,
                updated_by=user,
                created_at=now,
                updated_at=now,
            )
            try:
                insert_block(block, actor=actor, comment="Created", event="block.created")
            except errors.Conflict:
                # A concurrent create took the slug (or the path) between the check and the insert, and has
                # committed by now (the insert waited for it); the insert's savepoint left this transaction
                # usable. So go round again: a slug made from the name is chosen anew (the contract promises
                # `-2`, `-3`, not a conflict), and an explicit slug or a path now taken meets its own check,
                # whose answer names the field.
                tried.add(final_slug)
                if len(tried) >= MAX_SLUG_TRIES:
                    raise
                continue
            return block


def block_update_meta(*, actor: Actor, block: SiteBlock, expected_version: int | None, changes: BlockMeta) -> SiteBlock:
    """Rename, re-tag or move a block (`name`, `tags`, `path`): the fields PATCH may touch. Each locale copy
    has its own (`/pricing` in en, `/tarifs` in fr), so a translator may change them in a copy."""
    require_data_write(actor, block)
    problems = check_meta(block, changes)
    if problems:
        raise errors.ValidationFailed(fields=problems)

    with block_write(
        actor=actor,
        block=block,
        expected_version=expected_version,
        comment="Updated name, tags or path",
        event="block.updated",
        conflict_message="The path was taken by a concurrent write; retry.",
    ) as write:
        apply_meta(write.block, changes)
    return write.block


def check_meta(block: SiteBlock, changes: BlockMeta, *, unreadable: Collection[str] = ()) -> dict[str, str]:
    """The problems of a `name` / `tags` / `path` change, each with its field (`unreadable`: see
    `check_new_block`)."""
    problems: dict[str, str] = {}
    if "name" in changes and "name" not in unreadable:
        problems.update(rules.name_problems(changes["name"]))
    if "tags" in changes and "tags" not in unreadable:
        problems.update(rules.tags_problems(changes["tags"]))
    if "path" in changes or "path" in unreadable:
        if block.type != BlockType.PAGE:
            problems["path"] = rules.PATH_ON_GLOBAL
        elif "path" in changes and "path" not in unreadable:
            problems.update(rules.path_problems(changes["path"]))
    return problems


def apply_meta(block: SiteBlock, changes: BlockMeta) -> None:
    """Set the checked `name`, `tags` and `path` on a locked block; a path another block has is `conflict`."""
    if "name" in changes:
        block.name = changes["name"].strip()
    if "tags" in changes:
        block.tags = rules.clean_tags(changes["tags"])
    if "path" in changes and block.type == BlockType.PAGE:
        if path_taken(block.site, block.locale, changes["path"], exclude_pk=block.pk):
            raise errors.Conflict(
                f"The path `{changes['path']}` is already taken in this site and locale.", fields={"path": "Taken."}
            )
        block.path = changes["path"]


def block_delete(*, actor: Actor, block: SiteBlock, expected_version: int | None) -> None:
    """Delete this locale's block and its revisions (as the reference says); other locale copies stay."""
    actor.require(Action.WRITE)
    with transaction.atomic(), events.together():
        block = lock_block(block, expected_version)
        events.emit("block.deleted", block, user=actor.user)
        delete_block_revisions(block)
        block.delete()
