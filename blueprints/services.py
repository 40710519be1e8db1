"""Creating a template: the one template write that reaches no block.

Changing or deleting a template reaches the blocks that follow it, so those writes are the blocks layer's
(`blocks.services.templates`), through its one write path. Both check values with `check_template`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.permissions import Action, Actor
from blueprints import rules
from blueprints.models import BlockTemplate
from cms import errors
from schema import check_schema, compiled_for
from schema.identity import with_ids


@dataclass
class CheckedTemplate:
    """The checked values of a template write (only the ones given are set)."""

    name: str | None = None
    description: str | None = None
    schema: list[dict] | None = None
    problems: dict[str, str] = field(default_factory=dict)


def check_template(
    *,
    name: str | None = None,
    description: str | None = None,
    schema: list | None = None,
    previous_schema: list | None = None,
    unreadable: Collection[str] = (),
) -> CheckedTemplate:
    """Every problem of the values given, each with its path (`schema[0].name`). `previous_schema`: the
    template's schema now, so fields sent without ids keep theirs (matched by name, `schema.identity`)."""
    checked = CheckedTemplate()
    if name is not None and "name" not in unreadable:
        checked.problems.update(rules.name_problems(name))
        checked.name = name.strip()
    if description is not None and "description" not in unreadable:
        checked.problems.update(rules.description_problems(description))
        checked.description = description
    if schema is not None and "schema" not in unreadable:
        try:
            previous = with_ids(previous_schema) if previous_schema else None
            checked.schema = check_schema(schema, previous=previous)
        except errors.ValidationFailed as exc:
            checked.problems.update(exc.fields or {})
    return checked


def check_new_template(
    *,
    actor: Actor,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    schema: list | None = None,
    unreadable: Collection[str] = (),
) -> tuple[CheckedTemplate, dict[str, str]]:
    """The checked values of a new template and every problem of them (`unreadable`: values sent with the
    wrong type, reported already). Editors and owners only."""
    actor.require(Action.WRITE)
    checked = check_template(
        name=name, description=description, schema=[] if schema is None else schema, unreadable=unreadable
    )
    problems = dict(checked.problems)
    if name is None and "name" not in unreadable:
        problems["name"] = rules.NAME_MESSAGE
    if slug is not None and "slug" not in unreadable:
        problems.update(rules.slug_problems(slug))
    elif slug is None and name and "name" not in {*problems, *unreadable} and not slugify(name):
        problems["name"] = "Must contain at least one letter or digit to make a slug from."
    return checked, problems


def template_create(
    *,
    actor: Actor,
    name: str,
    slug: str | None = None,
    description: str | None = None,
    schema: list | None = None,
) -> BlockTemplate:
    """Create a template at version 1. A slug made from the name gets `-2`, `-3` when taken; an explicit slug
    that is taken is `conflict`."""
    checked, problems = check_new_template(actor=actor, name=name, slug=slug, description=description, schema=schema)
    if problems:
        raise errors.ValidationFailed(fields=problems)
    schema_checked = checked.schema or []
    compiled_for(schema_checked)
    site = actor.site
    user = actor.user if getattr(actor.user, "pk", None) else None
    base = slug or slugify(name)
    for attempt in range(1, 50):
        candidate = base if attempt == 1 else f"{base}-{attempt}"
        now = timezone.now()
        template = BlockTemplate(
            site=site,
            name=checked.name or name.strip(),
            slug=candidate,
            description=checked.description or "",
            schema=schema_checked,
            created_by=user,
            updated_by=user,
            created_at=now,
            updated_at=now,
        )
        try:
            with transaction.atomic():
                template.save(force_insert=True)
        except IntegrityError:
            if slug is not None:
                raise errors.Conflict(
                    f"The slug `{slug}` is already taken by a template of this site.", fields={"slug": "Taken."}
                ) from None
            continue
        return template
    raise errors.Conflict("No free slug could be made from this name; give one.", fields={"slug": "Taken."})
