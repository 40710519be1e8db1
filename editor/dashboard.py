"""The admin index's dashboard: a small registry of panels, each a selector and a template.

A panel is registered once with `register_panel(name, selector, template)`. On the index page every panel's
selector is called with the `Viewer` (the request's user, their roles per site, shared lookups) and answers its
rows; a panel with no rows for this user is not shown, so an editor sees their drafts and a translator what
waits in their locales without either seeing the other's empty boxes. Selectors read through querysets sliced
to `PANEL_ROWS` and shared lookups cached on the viewer, so the page's queries stay flat in site size.

"Reviews waiting for me" comes first: it is the one panel where someone else waits on the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from accounts.models import Role
from accounts.permissions import Action, role_allows
from blocks.models import BlockStatus, SiteBlock
from blocks.selectors import translation_backlog
from reviews.selectors import translations_waiting, waiting_for
from revisions.models import BlockRevision
from scheduling.services import site_zone

#: rows a panel shows at most (each panel links to the full list where there is one)
PANEL_ROWS = 10


@dataclass
class Viewer:
    """Who the dashboard is for: the user and `{site_id: role}` (`accounts.access.site_roles`)."""

    user: Any
    roles: dict[int, str]

    def sites_where(self, action: Action) -> list[int]:
        return [pk for pk, role in self.roles.items() if role_allows(role, action)]

    @cached_property
    def backlog(self) -> list[dict]:
        """`blocks.selectors.translation_backlog` of every site the user may read, worked out once per page."""
        return translation_backlog(list(self.roles))


@dataclass(frozen=True)
class Panel:
    name: str
    selector: Callable[[Viewer], list]
    template: str


@dataclass
class ShownPanel:
    name: str
    template: str
    rows: list = field(default_factory=list)


PANELS: dict[str, Panel] = {}


def register_panel(name: str, selector: Callable[[Viewer], list], template: str) -> None:
    """Add (or replace, by `name`) a panel; panels are shown in the order they were first registered."""
    PANELS[name] = Panel(name=name, selector=selector, template=template)


def panels_for(viewer: Viewer) -> list[ShownPanel]:
    """The panels with rows for `viewer`, in registration order."""
    shown = []
    for panel in PANELS.values():
        rows = list(panel.selector(viewer))
        if rows:
            shown.append(ShownPanel(name=panel.name, template=panel.template, rows=rows))
    return shown


# -- the editors' panels -----------------------------------------------------------------------------------------


def _editable(viewer: Viewer):
    return SiteBlock.objects.filter(site_id__in=viewer.sites_where(Action.WRITE)).select_related("site")


def my_drafts(viewer: Viewer) -> list[SiteBlock]:
    """Drafts I changed last, newest first."""
    query = _editable(viewer).filter(status=BlockStatus.DRAFT, updated_by=viewer.user).defer(*_HEAVY)
    return list(query.order_by("-updated_at", "-pk")[:PANEL_ROWS])


def changed_since_publish(viewer: Viewer) -> list[SiteBlock]:
    """Published blocks whose working copy differs from what is live, oldest change first (longest waiting)."""
    query = _editable(viewer).filter(status=BlockStatus.PUBLISHED, has_unpublished_changes=True).defer(*_HEAVY)
    return list(query.order_by("updated_at", "pk")[:PANEL_ROWS])


def scheduled(viewer: Viewer) -> list[dict]:
    """What is scheduled to publish or unpublish, soonest first, each time on its site's wall clock."""
    rows = []
    query = _editable(viewer).exclude(scheduled_publish_at=None, scheduled_unpublish_at=None).defer(*_HEAVY)
    for block in query.order_by("scheduled_publish_at", "scheduled_unpublish_at", "pk")[:PANEL_ROWS]:
        zone = site_zone(block.site)
        for verb, when in (("Publish", block.scheduled_publish_at), ("Unpublish", block.scheduled_unpublish_at)):
            if when:
                local = when.astimezone(zone)
                when_words = f"{local.day} {local:%b %Y, %H:%M}"
                rows.append({"block": block, "verb": verb, "when": when_words, "zone": zone.key})
    return rows


def outdated_translations(viewer: Viewer) -> list[dict]:
    """Locale copies on my sites whose source changed since they were translated, longest waiting first."""
    sites = set(viewer.sites_where(Action.WRITE))
    return [row for row in viewer.backlog if row["counts"]["outdated"] and row["site"].pk in sites][:PANEL_ROWS]


def recent_activity(viewer: Viewer) -> list[BlockRevision]:
    """The last revisions of blocks on my sites, by anyone, newest first."""
    query = BlockRevision.objects.filter(block__site_id__in=list(viewer.roles)).select_related("author", "block")
    return list(query.defer(*(f"block__{name}" for name in _HEAVY)).order_by("-created_at")[:PANEL_ROWS])


# -- the translators' panel --------------------------------------------------------------------------------------


def waiting_in_my_locales(viewer: Viewer) -> list[dict]:
    """For a translator: every copy missing, untranslated or outdated in the locales of the sites where they
    translate (every enabled locale but the default), oldest first. Editors have their own panels."""
    sites = {pk for pk, role in viewer.roles.items() if role == Role.TRANSLATOR}
    return [row for row in viewer.backlog if row["site"].pk in sites][:PANEL_ROWS]


_HEAVY = ("schema", "data", "published_snapshot", "translation_hashes")


def reviews_waiting(viewer: Viewer) -> list:
    """Review requests this user may decide (not their own), oldest first (`reviews.selectors.waiting_for`)."""
    return list(waiting_for(viewer.user)[:PANEL_ROWS])


def translations_ready(viewer: Viewer) -> list:
    """Locale copies their translators marked ready for review, on sites where the viewer edits but does not
    review (the reviewers have them in "Reviews waiting for me"): the editors hear of the hand-off too."""
    return list(translations_waiting(viewer.user, viewer.sites_where(Action.WRITE))[:PANEL_ROWS])


register_panel("reviews_waiting", reviews_waiting, "admin/dashboard/reviews.html")
register_panel("translations_ready", translations_ready, "admin/dashboard/translations_ready.html")
register_panel("translator_waiting", waiting_in_my_locales, "admin/dashboard/waiting.html")
register_panel("my_drafts", my_drafts, "admin/dashboard/my_drafts.html")
register_panel("changed_since_publish", changed_since_publish, "admin/dashboard/changed.html")
register_panel("scheduled", scheduled, "admin/dashboard/scheduled.html")
register_panel("outdated_translations", outdated_translations, "admin/dashboard/outdated.html")
register_panel("recent_activity", recent_activity, "admin/dashboard/activity.html")

__all__ = ["PANELS", "Viewer", "panels_for", "register_panel"]
