"""Releases in the admin: the list, a release's page with its items, and the confirm steps of its actions.

Every page and button goes through `releases.services` (and `scheduling.releases` for the schedule), so the
admin obeys the API's rules: the roles (viewers read; translators add and remove their locales' copies;
editors and owners do everything), `If-Match` (each form posts the release's version: a release changed by
someone else meanwhile is refused as stale), one transaction per publish, conflicts named before publishing.
Each action that changes the live site (Publish now, Schedule, Cancel schedule, Roll back, Delete) first shows
a page that says what will happen. A failed publish is shown on the release's page per item and field, in the
words of the block's form ("Pricing (fr) · Title: Must be present and non-empty.").

A block joins a release from its own page ("Add to release…" in the action bar's More menu).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.access import actor_for, site_roles, sites_where
from accounts.models import Site
from accounts.permissions import Action, Actor
from accounts.preview import mint_preview_token, preview_url_for
from blocks.models import SiteBlock
from cms import errors
from cms.conf import cms_setting
from cms.digits import parse_decimal
from editor.dataform import render_data_form
from editor.problems import label_path, parse_path
from releases import services
from releases.models import ItemAction, Release, ReleaseItem, ReleaseStatus
from releases.selectors import release_items
from scheduling.releases import release_schedule
from scheduling.services import read_schedule_times, site_zone

ITEM_KEY = re.compile(r"^items\[(\d+)\](?:\.(.+))?$")
STALE = (
    "The release changed since you opened it (someone else added, removed or published): nothing was done. "
    "Review it and retry."
)


def local_words(when: datetime | None, zone: ZoneInfo) -> str:
    """A moment on the site's clock, with the zone named: "8 Dec 2026, 09:00 (Europe/Paris)"."""
    if when is None:
        return ""
    local = when.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} ({zone.key})"


def release_state(release: Release, zone: ZoneInfo) -> str:
    """The release's state in words, the same in the list and on its page."""
    if release.status == ReleaseStatus.PUBLISHED:
        return f"Published {local_words(release.published_at, zone)}"
    if release.status == ReleaseStatus.ROLLED_BACK:
        return f"Rolled back {local_words(release.rolled_back_at, zone)}"
    if release.scheduled_at:
        return f"Open · scheduled to publish {local_words(release.scheduled_at, zone)}"
    return "Open"


def may_change_item(actor: Actor, block: SiteBlock) -> bool:
    """Who may add or remove this copy: the service's rule (`releases.services._require_item_right`)."""
    return actor.can(Action.PUBLISH) or (actor.can(Action.TRANSLATE) and block.locale != actor.site.default_locale)


@dataclass
class Problem:
    """One reason a publish was refused, in the words of the page: which item, which field, what is wrong."""

    item: str
    field: str
    message: str
    block_id: int | None = None


def publish_problems(items: list[ReleaseItem], exc: errors.CmsError) -> list[Problem]:
    """The service names problems `items[i]` (a conflict) or `items[i].data.…` (a field): here each names the
    block and locale, and the field by its label path, as the block's own form does."""
    found = []
    for key, message in (exc.fields or {}).items():
        match = ITEM_KEY.match(key)
        if match is None or int(match.group(1)) >= len(items):
            found.append(Problem(item="", field="", message=message))
            continue
        block = items[int(match.group(1))].block
        where = match.group(2)
        field = label_path(block.schema, parse_path(where)) if where and where.startswith("data") else ""
        text = message.split(": ", 1)[1] if message.startswith(f"`{block.slug}` ({block.locale}): ") else message
        found.append(Problem(item=f"{block.name} ({block.locale})", field=field, message=text, block_id=block.pk))
    return found or [Problem(item="", field="", message=exc.message)]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("name", "status_column", "items_column", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "description")
    list_per_page = 50
    ordering = ("-created_at", "-id")

    class Media:
        css = {"all": ["editor/editor.css"]}

    # -- the list --------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        return (
            Release.objects.filter(site_id__in=list(site_roles(request)))
            .select_related("site")
            .annotate(item_count=Count("items"))
        )

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        return [columns[0], "site", *columns[1:]] if len(site_roles(request)) > 1 else columns

    @admin.display(description="state", ordering="status")
    def status_column(self, release: Release) -> str:
        css = {"open": "draft", "published": "published", "rolled_back": "changed"}[release.status]
        return format_html(
            '<span class="cms-status cms-status-{}">{}</span>', css, release_state(release, site_zone(release.site))
        )

    @admin.display(description="items", ordering="item_count")
    def items_column(self, release: Release) -> int:
        return getattr(release, "item_count", 0)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Releases", **(extra_context or {})})

    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(site_roles(request)) if obj is None else obj.site_id in site_roles(request)

    def has_add_permission(self, request) -> bool:
        return bool(sites_where(request, Action.PUBLISH))

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a release changes through its page's actions, never a model form

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting has its own confirm page (`delete_release_view`), through the service

    # -- pages -----------------------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = "releases_release_{}".format
        return [
            path("add/", wrap(self.add_release_view), name=name("add")),
            path("<int:pk>/change/", wrap(self.release_view), name=name("change")),
            path("<int:pk>/publish/", wrap(self.publish_view), name=name("publish")),
            path("<int:pk>/schedule/", wrap(self.schedule_view), name=name("schedule")),
            path("<int:pk>/unschedule/", wrap(self.unschedule_view), name=name("unschedule")),
            path("<int:pk>/rollback/", wrap(self.rollback_view), name=name("rollback")),
            path("<int:pk>/delete/", wrap(self.delete_release_view), name=name("delete")),
            path("<int:pk>/preview/", wrap(self.preview_view), name=name("preview")),
            path("<int:pk>/items/<int:item_pk>/remove/", wrap(self.remove_item_view), name=name("remove_item")),
            path("<int:pk>/items/<int:item_pk>/review/", wrap(self.review_item_view), name=name("review_item")),
            path("add-block/<int:block_pk>/", wrap(self.add_block_view), name=name("add_block")),
            *super().get_urls(),
        ]

    def _release(self, request, pk: int) -> tuple[Release, Actor]:
        release = get_object_or_404(self.get_queryset(request), pk=pk)
        return release, actor_for(request, release.site)

    def _url(self, release: Release) -> str:
        return reverse("admin:releases_release_change", args=[release.pk])

    def _context(self, request, release: Release, actor: Actor, **extra) -> dict:
        zone = site_zone(release.site)
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "release": release,
            "zone": zone.key,
            "state": release_state(release, zone),
            "can_manage": actor.can(Action.PUBLISH),
            "media": self.media,
            **extra,
        }

    def _version(self, request) -> int | None:
        return parse_decimal(request.POST.get("version", ""))

    def release_view(self, request, pk: int, problems: list[Problem] | None = None, extra_context=None):
        """The release: its state, its items with their conflicts, and its actions."""
        release, actor = self._release(request, pk)
        items = release_items(release)
        rows = [
            {
                "item": item,
                "block": item.block,
                "conflict": item.block.version != item.version_added,
                "may_change": release.status == ReleaseStatus.OPEN and may_change_item(actor, item.block),
            }
            for item in items
        ]
        zone = site_zone(release.site)
        context = self._context(
            request,
            release,
            actor,
            title=release.name,
            rows=rows,
            conflicts=sum(row["conflict"] for row in rows),
            problems=problems or [],
            scheduled_words=local_words(release.scheduled_at, zone),
            failure=release.schedule_failure,
            failure_problems=publish_problems(items, errors.CmsError(**_failure_args(release.schedule_failure)))
            if release.schedule_failure
            else [],
        )
        return TemplateResponse(request, "admin/releases/release/detail.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pk = parse_decimal(object_id)
        if pk is None:
            raise PermissionDenied
        return self.release_view(request, pk)

    def add_release_view(self, request):
        """A new, open release on one of the sites where the user may publish."""
        site_ids = sites_where(request, Action.PUBLISH)
        if not site_ids:
            raise PermissionDenied
        sites = list(Site.objects.filter(pk__in=site_ids).order_by("name"))
        problems: dict[str, str] = {}
        if request.method == "POST":
            site = next((one for one in sites if str(one.pk) == request.POST.get("site")), None)
            if site is None:
                problems["site"] = "Choose a site."
            else:
                try:
                    release = services.release_create(
                        actor=actor_for(request, site),
                        values={
                            "name": request.POST.get("name", ""),
                            "description": request.POST.get("description", ""),
                        },
                    )
                except errors.CmsError as exc:
                    problems.update(exc.fields or {"name": exc.message})
                else:
                    self.message_user(request, f"Release “{release.name}” created: add blocks to it from their pages.")
                    return HttpResponseRedirect(self._url(release))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "New release",
            "sites": sites,
            "chosen_site": request.POST.get("site") or (str(sites[0].pk) if len(sites) == 1 else ""),
            "name": request.POST.get("name", ""),
            "description": request.POST.get("description", ""),
            "problems": problems,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/releases/release/add.html", context)

    # -- actions ----------------------------------------------------------------------------------------------
    def _confirm(self, request, release: Release, actor: Actor, *, title: str, consequence: str, button: str, **extra):
        items = release_items(release)
        context = self._context(
            request,
            release,
            actor,
            title=title,
            consequence=consequence,
            button=button,
            items=items,
            conflicts=[item for item in items if item.block.version != item.version_added],
            **extra,
        )
        return TemplateResponse(request, "admin/releases/release/confirm.html", context)

    def _run(self, request, release: Release, action, done: str, *, show_problems: bool = False):
        """Run a release service; a refusal is said on the release's page (per item and field for a publish)."""
        try:
            action()
        except errors.StaleWrite:
            self.message_user(request, STALE, messages.WARNING)
        except errors.CmsError as exc:
            if show_problems and exc.fields:
                self.message_user(request, f"Nothing was published: {exc.message}", messages.ERROR)
                problems = publish_problems(release_items(release), exc)
                return self.release_view(request, release.pk, problems=problems)
            self.message_user(request, f"Not done: {exc.message}", messages.ERROR)
            for where, message in (exc.fields or {}).items():
                self.message_user(request, f"{where}: {message}", messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._url(release))

    def publish_view(self, request, pk: int):
        release, actor = self._release(request, pk)
        if not actor.can(Action.PUBLISH):
            raise PermissionDenied
        if request.method == "POST":
            accept = request.POST.get("accept_changes") == "yes"
            return self._run(
                request,
                release,
                lambda: services.release_publish(
                    actor=actor, release=release, expected_version=self._version(request), accept_changes=accept
                ),
                f"Published “{release.name}”: every item went live in one transaction.",
                show_problems=True,
            )
        return self._confirm(
            request,
            release,
            actor,
            title=f"Publish “{release.name}” now?",
            consequence=(
                "Every item below goes live at once, in one transaction: working copies are published, blocks "
                "marked “unpublish” leave the live site. If one item cannot go live, nothing is published and "
                "the problems are listed per item and field. Webhooks announce the release."
            ),
            button="Yes, publish now",
            action_url=reverse("admin:releases_release_publish", args=[release.pk]),
            offer_accept=True,
        )

    def schedule_view(self, request, pk: int):
        """A wall-clock time on the site's clock (DST gaps and overlaps refused, as in the API)."""
        release, actor = self._release(request, pk)
        if not actor.can(Action.PUBLISH):
            raise PermissionDenied
        zone = site_zone(release.site)
        problems: dict[str, str] = {}
        if request.method == "POST":
            try:
                times = read_schedule_times(release.site, publish_at_local=request.POST.get("publish_at") or "")
                release_schedule(
                    actor=actor,
                    release=release,
                    publish_at=times["publish_at"],
                    accept_changes=request.POST.get("accept_changes") == "yes",
                    expected_version=self._version(request),
                )
            except errors.StaleWrite:
                self.message_user(request, STALE, messages.WARNING)
                return HttpResponseRedirect(self._url(release))
            except errors.CmsError as exc:
                problems = {"publish_at": " ".join((exc.fields or {"": exc.message}).values())}
            else:
                release.refresh_from_db()
                self.message_user(
                    request,
                    f"Scheduled: “{release.name}” is published {local_words(release.scheduled_at, zone)}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._url(release))
        local = release.scheduled_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if release.scheduled_at else ""
        context = self._context(
            request,
            release,
            actor,
            title=f"Schedule “{release.name}”",
            publish_at=request.POST.get("publish_at", local),
            accept_changes=request.POST.get("accept_changes") == "yes" or release.schedule_accepts_changes,
            item_count=release.items.count(),
            problems=problems,
        )
        return TemplateResponse(request, "admin/releases/release/schedule.html", context)

    def unschedule_view(self, request, pk: int):
        release, actor = self._release(request, pk)
        if not actor.can(Action.PUBLISH):
            raise PermissionDenied
        if request.method == "POST":
            return self._run(
                request,
                release,
                lambda: release_schedule(
                    actor=actor, release=release, publish_at=None, expected_version=self._version(request)
                ),
                "The schedule was cancelled: the release stays open, with its items.",
            )
        when = local_words(release.scheduled_at, site_zone(release.site))
        return self._confirm(
            request,
            release,
            actor,
            title=f"Cancel the schedule of “{release.name}”?",
            consequence=(
                f"It will not be published {when}. The release stays open with its items; nothing changes on "
                "the live site."
            ),
            button="Yes, cancel the schedule",
            action_url=reverse("admin:releases_release_unschedule", args=[release.pk]),
        )

    def rollback_view(self, request, pk: int):
        release, actor = self._release(request, pk)
        if not actor.can(Action.PUBLISH):
            raise PermissionDenied
        if request.method == "POST":
            return self._run(
                request,
                release,
                lambda: services.release_rollback(
                    actor=actor, release=release, expected_version=self._version(request)
                ),
                f"Rolled back “{release.name}”: what was live before is live again.",
            )
        return self._confirm(
            request,
            release,
            actor,
            title=f"Roll back “{release.name}”?",
            consequence=(
                "For every block below, what was live before this release went live is served again, in one "
                "transaction: an earlier version comes back, a block that was not live leaves the live site, an "
                "unpublished one comes back. Each block gets one new revision. Working copies are kept as they are."
            ),
            button="Yes, roll back",
            action_url=reverse("admin:releases_release_rollback", args=[release.pk]),
        )

    def delete_release_view(self, request, pk: int):
        release, actor = self._release(request, pk)
        if not actor.can(Action.PUBLISH):
            raise PermissionDenied
        if request.method == "POST":
            try:
                services.release_delete(actor=actor, release=release)
            except errors.CmsError as exc:
                self.message_user(request, f"Not deleted: {exc.message}", messages.ERROR)
                return HttpResponseRedirect(self._url(release))
            self.message_user(request, f"Release “{release.name}” deleted; its blocks are untouched.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:releases_release_changelist"))
        return self._confirm(
            request,
            release,
            actor,
            title=f"Delete “{release.name}”?",
            consequence="The release and its list of items are deleted. The blocks themselves are not changed.",
            button="Yes, delete the release",
            action_url=reverse("admin:releases_release_delete", args=[release.pk]),
        )

    def remove_item_view(self, request, pk: int, item_pk: int):
        release, actor = self._release(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        item = get_object_or_404(release.items.select_related("block"), pk=item_pk)
        name = f"{item.block.name} ({item.block.locale})"
        return self._run(
            request,
            release,
            lambda: services.release_remove_item(
                actor=actor, release=release, item=item, expected_version=self._version(request)
            ),
            f"Removed {name} from the release; the block is untouched.",
        )

    def review_item_view(self, request, pk: int, item_pk: int):
        """Mark a changed block as reviewed: it is added again, so its current version is the one published."""
        release, actor = self._release(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        item = get_object_or_404(release.items.select_related("block"), pk=item_pk)
        return self._run(
            request,
            release,
            lambda: services.release_add_item(
                actor=actor,
                release=release,
                block=item.block,
                action=item.action,
                expected_version=self._version(request),
            ),
            f"{item.block.name} ({item.block.locale}): version {item.block.version} is now the reviewed one.",
        )

    def preview_view(self, request, pk: int):
        """The site's preview URL with a token scoped to the release, or the built-in preview without one."""
        release, actor = self._release(request, pk)
        items = release_items(release)
        site = release.site
        if site.preview_url and items:
            token, _ = mint_preview_token(actor=actor, release_id=release.pk)
            first = next((item.block for item in items if item.action == ItemAction.PUBLISH), items[0].block)
            url = preview_url_for(site.preview_url, slug=first.slug, locale=first.locale, path=first.path, token=token)
            return HttpResponseRedirect(url)
        previews = [
            {
                "item": item,
                "block": item.block,
                "form": render_data_form(item.block.schema, item.block.data, disabled=True)[0]
                if item.action == ItemAction.PUBLISH
                else None,
            }
            for item in items
        ]
        context = self._context(
            request,
            release,
            actor,
            title=f"Preview: {release.name}",
            previews=previews,
            has_url=bool(site.preview_url),
            minutes=cms_setting("PREVIEW_TOKEN_SECONDS") // 60,
        )
        return TemplateResponse(request, "admin/releases/release/preview.html", context)

    # -- from a block's page ------------------------------------------------------------------------------------
    def add_block_view(self, request, block_pk: int):
        """Add this block's copy to an open release of its site (or to a new one)."""
        block = get_object_or_404(
            SiteBlock.objects.filter(site_id__in=list(site_roles(request))).select_related("site"), pk=block_pk
        )
        actor = actor_for(request, block.site)
        if not may_change_item(actor, block):
            raise PermissionDenied
        releases = list(Release.objects.filter(site=block.site, status=ReleaseStatus.OPEN).order_by("-created_at"))
        current = dict(
            ReleaseItem.objects.filter(block=block, release__in=releases).values_list("release_id", "action")
        )
        problems: dict[str, str] = {}
        if request.method == "POST":
            action = request.POST.get("action", ItemAction.PUBLISH)
            chosen = request.POST.get("release", "")
            try:
                if chosen == "new":
                    release = services.release_create(actor=actor, values={"name": request.POST.get("new_name", "")})
                else:
                    release = next(one for one in releases if str(one.pk) == chosen)
                services.release_add_item(
                    actor=actor, release=release, block=block, action=action, expected_version=None
                )
            except StopIteration:
                problems["release"] = "Choose a release."
            except errors.CmsError as exc:
                fields = exc.fields or {"release": exc.message}
                problems.update({"new_name" if key == "name" else key: message for key, message in fields.items()})
            else:
                verb = "publish its working copy" if action == ItemAction.PUBLISH else "unpublish it"
                self.message_user(
                    request,
                    format_html(
                        'Added to <a href="{}">“{}”</a>: the release will {} (version {} is the one reviewed).',
                        self._url(release),
                        release.name,
                        verb,
                        block.version,
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:blocks_siteblock_change", args=[block.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Add “{block.name}” ({block.locale}) to a release",
            "cms_block": block,
            "releases": [(release, current.get(release.pk)) for release in releases],
            "can_create": actor.can(Action.PUBLISH),
            "chosen": request.POST.get("release", str(releases[0].pk) if releases else "new"),
            "action": request.POST.get("action", ItemAction.PUBLISH),
            "new_name": request.POST.get("new_name", ""),
            "problems": problems,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/releases/release/add_block.html", context)


def _failure_args(failure: dict | None) -> dict:
    failure = failure or {}
    return {"message": failure.get("message", ""), "fields": failure.get("fields") or None}
