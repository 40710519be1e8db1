"""The block admin: the editors' list of blocks and their editing pages.

Scoping: a user sees only the blocks of sites they are a member of, and the powers of their role on the
block's site decide what they may do there (`blocks.editor.access`, the same `Actor` the API uses). Every
write goes through `blocks.services`; nothing here saves a model directly. Other apps hook in by adding
mixins to `BlockAdmin`'s bases (history) or columns through `extra_list_display`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from accounts.permissions import Action
from blocks.editor.access import actor_for, can_edit_data, site_roles, sites_where, visible_blocks
from blocks.editor.filters import LocaleFilter, SiteFilter, StatusFilter, TagFilter
from blocks.models import BlockStatus, SiteBlock
from blocks.services import block_publish, block_unpublish
from cms import errors

LIST_DEFERRED = ("schema", "data", "published_snapshot")


def status_label(block: SiteBlock) -> str:
    if block.status != BlockStatus.PUBLISHED:
        return "Draft"
    return "Published, unpublished changes" if block.has_unpublished_changes else "Published"


@admin.register(SiteBlock)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "type", "path", "locale", "status_column", "updated_at")
    list_filter = (SiteFilter, "type", StatusFilter, LocaleFilter, TagFilter)
    search_fields = ("name", "slug", "path")
    list_select_related = ("site",)
    list_per_page = 50
    ordering = ("name", "id")
    actions = ("publish_selected", "unpublish_selected")
    readonly_fields = ("site", "locale", "name", "slug", "type", "path", "tags", "status_column", "version")

    # -- list --------------------------------------------------------------------------------------------
    @admin.display(description="status", ordering="status")
    def status_column(self, block: SiteBlock) -> str:
        label = status_label(block)
        css = "changed" if block.has_unpublished_changes else block.status
        return format_html('<span class="cms-status cms-status-{}">{}</span>', css, label)

    def get_queryset(self, request):
        queryset = visible_blocks(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name and match.url_name.endswith("_changelist"):
            queryset = queryset.defer(*LIST_DEFERRED)
        return queryset

    def get_list_display(self, request):
        """Sites' names lead the columns when the user belongs to more than one site."""
        columns = list(super().get_list_display(request))
        if len(site_roles(request)) > 1 and "site" not in columns:
            columns.insert(1, "site")
        return columns

    # -- powers ------------------------------------------------------------------------------------------
    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        roles = site_roles(request)
        return obj.site_id in roles if obj is not None else bool(roles)

    def has_add_permission(self, request) -> bool:
        return bool(sites_where(request, Action.WRITE))

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return bool(sites_where(request, Action.WRITE) or sites_where(request, Action.TRANSLATE))
        return can_edit_data(actor_for(request, obj.site), obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is None:
            return bool(sites_where(request, Action.WRITE))
        return actor_for(request, obj.site).can(Action.WRITE)

    def has_publish_permission(self, request, obj=None) -> bool:
        if obj is None:
            return bool(sites_where(request, Action.PUBLISH))
        return actor_for(request, obj.site).can(Action.PUBLISH)

    # -- bulk actions ------------------------------------------------------------------------------------
    def _bulk(self, request, queryset, service, verb: str) -> None:
        done, failed = 0, []
        for block in queryset.select_related("site"):
            try:
                service(actor=actor_for(request, block.site), block=block, expected_version=None)
                done += 1
            except errors.CmsError as exc:
                problems = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
                failed.append(f"{block.name} ({block.locale}): {exc.message}{' ' + problems if problems else ''}")
        if done:
            self.message_user(request, f"{verb} {done} block(s).", messages.SUCCESS)
        for line in failed:
            self.message_user(request, f"Not {verb.lower()}: {line}", messages.ERROR)

    @admin.action(description="Publish selected blocks", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, block_publish, "Published")

    @admin.action(description="Unpublish selected blocks", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, block_unpublish, "Unpublished")
