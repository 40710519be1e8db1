"""Reads of templates: a site's templates, one by slug. Who may read is the actor's role (`read`)."""

from __future__ import annotations

from accounts.models import Site
from accounts.permissions import Action, Actor
from blueprints.models import BlockTemplate, BlockTemplateQuerySet
from cms import errors


def templates_for_actor(actor: Actor) -> BlockTemplateQuerySet:
    """The actor's site's templates, by name."""
    actor.require(Action.READ)
    return BlockTemplate.objects.for_site(actor.site).order_by("name", "id")


def template_in_site(site: Site, slug: str) -> BlockTemplate | None:
    """The template `slug` of `site`, or None."""
    return BlockTemplate.objects.for_site(site).filter(slug=slug).first()


def template_for_actor(actor: Actor, slug: str) -> BlockTemplate:
    """The template `slug` of the actor's site, or `not_found`."""
    actor.require(Action.READ)
    template = template_in_site(actor.site, slug)
    if template is None:
        raise errors.NotFound(f"No template `{slug}` in this site.")
    return template
