"""Creating, renaming/re-tagging/re-pathing and deleting blocks."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import BlockType, SiteBlock
from blocks.services.common import check_locale, check_path, clean_tags, path_taken
from blocks.services.writing import block_write, insert_block, lock_block
from cms import errors
from revisions.recording import delete_block_revisions
from schema import check_schema, compiled_for

MAX_NAME_LENGTH = 200
MAX_SLUG_LENGTH = 200


def _check_name(name: object) -> dict[str, str]:
    if not isinstance(name, str) or not name.strip():
        return {"name": "Required: a non-empty string."}
    if len(name) > MAX_NAME_LENGTH:
        return {"name": f"At most {MAX_NAME_LENGTH} characters."}
    return {}


def _unique_slug(site: Site, locale: str, base: str) -> str:
    """`about-page`, then `about-page-2`, `-3`… within the site and locale, in one query."""
    base = base[: MAX_SLUG_LENGTH - 6] or "block"
    taken = set(
        SiteBlock.objects.filter(site=site, locale=locale, slug__startswith=base).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def block_create(
    *,
    actor: Actor,
    name: str | None,
    type: str | None,
    schema: list[dict] | None = None,
    data: dict | None = None,
    path: str | None = None,
    slug: str | None = None,
    tags: list[str] | None = None,
    locale: str | None = None,
) -> SiteBlock:
    """Create a draft block. Every problem in the request is reported at once, each with its path.

    The API hands the body's values as sent (`blocks.api.inputs.BlockCreateInput`), so each rule also checks
    the value's type: one pass here names every problem of a request, whoever the caller."""
    actor.require(Action.WRITE)
    site = actor.site
    problems: dict[str, str] = {}
    problems.update(_check_name(name))
    if type not in BlockType.values:
        problems["type"] = "Must be `global` or `page`."
    if type == BlockType.PAGE:
        problems.update(check_path(path) if path is not None else {"path": "Required for page blocks."})
    elif path is not None and type == BlockType.GLOBAL:
        problems["path"] = "Only page blocks have a path."
    cleaned_tags, tag_problems = clean_tags([] if tags is None else tags)
    problems.update(tag_problems)
    if slug is not None:
        if not isinstance(slug, str) or not slug or slugify(slug) != slug or len(slug) > MAX_SLUG_LENGTH:
            problems["slug"] = "Must be lowercase letters, digits and hyphens (like `about-page`)."
    elif not problems.get("name") and not slugify(str(name)):
        problems["name"] = "Must contain at least one letter or digit to make a slug from."
    try:
        locale_code = check_locale(site, locale)
    except errors.ValidationFailed as exc:
        problems.update(exc.fields or {})
        locale_code = None
    checked_schema: list = []
    try:
        checked_schema = check_schema([] if schema is None else schema)
    except errors.ValidationFailed as exc:
        problems.update(exc.fields or {})
    clean_data: dict = {}
    if not any(key == "schema" or key.startswith("schema[") for key in problems):
        try:
            clean_data = compiled_for(checked_schema).apply_patch({}, {} if data is None else data)
        except errors.ValidationFailed as exc:
            problems.update(exc.fields or {})
    if problems:
        raise errors.ValidationFailed(fields=problems)
    # Every check passed, so the values have the types the model needs (until an input layer types them).
    assert isinstance(name, str) and isinstance(type, str) and locale_code is not None
    assert slug is None or isinstance(slug, str)
    page_path = path if type == BlockType.PAGE else None  # checked: a string for a page
    assert page_path is None or isinstance(page_path, str)

    with transaction.atomic(), events.together():
        if slug is None:
            final_slug = _unique_slug(site, locale_code, slugify(str(name)))
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
            tags=cleaned_tags,
            schema=checked_schema,
            data=clean_data,
            created_by=user,
            updated_by=user,
            created_at=now,
            updated_at=now,
        )
        insert_block(block, actor=actor, comment="Created", event="block.created")
    return block


def block_update_meta(*, actor: Actor, block: SiteBlock, expected_version: int | None, changes: dict) -> SiteBlock:
    """Rename, re-tag or move a block (`name`, `tags`, `path`): the fields PATCH may touch."""
    actor.require(Action.WRITE)
    cleaned_tags, problems = check_meta(block, changes)
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
        apply_meta(write.block, changes, cleaned_tags)
    return write.block


def check_meta(block: SiteBlock, changes: dict) -> tuple[list[str] | None, dict[str, str]]:
    """The problems of a `name` / `tags` / `path` change, each with its field, and the cleaned tags (if given)."""
    problems: dict[str, str] = {}
    if "name" in changes:
        problems.update(_check_name(changes["name"]))
    cleaned_tags = None
    if "tags" in changes:
        cleaned_tags, tag_problems = clean_tags(changes["tags"])
        problems.update(tag_problems)
    if "path" in changes:
        if block.type != BlockType.PAGE:
            problems["path"] = "Only page blocks have a path."
        else:
            problems.update(check_path(changes["path"]))
    return cleaned_tags, problems


def apply_meta(block: SiteBlock, changes: dict, cleaned_tags: list[str] | None) -> None:
    """Set the checked `name`, `tags` and `path` on a locked block; a path another block has is `conflict`."""
    if "name" in changes:
        block.name = changes["name"].strip()
    if cleaned_tags is not None:
        block.tags = cleaned_tags
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
