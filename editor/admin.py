"""The block admin: the editors' list of blocks and their editing pages.

Scoping: a user sees only the blocks of sites they are a member of, and the powers of their role on the
block's site decide what they may do there (`editor.access`, the same `Actor` the API uses). Every
write goes through `blocks.services`; nothing here saves a model directly. Other apps hook in by adding
mixins to `BlockAdmin`'s bases (history) or columns through `extra_list_display`.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin

from accounts.admin_filters import MemberSiteFilter
from accounts.permissions import Action
from accounts.preview import mint_preview_token, preview_url_for
from blocks.models import BlockStatus, SiteBlock
from blocks.selectors import block_completion
from blocks.services import block_delete, block_publish, block_unpublish
from blocks.services.translation import block_copy_to_locale
from cms import errors
from cms.conf import cms_setting
from editor import (
    block_templates,  # noqa: F401  (registers the templates admin beside the block admin)
    compare,
    presence,
    richtext,
)
from editor.access import actor_for, can_edit_data, site_roles, sites_where, visible_blocks
from editor.dataform import preview_html, render_data_form
from editor.filters import LocaleFilter, StatusFilter, TagFilter
from editor.forms import PUBLISH_BUTTON, BlockAddForm, BlockChangeForm, BlockSchemaForm, CopyToLocaleForm
from editor.history import BlockHistoryMixin
from editor.media_library import MediaLibraryAdmin  # noqa: F401  (registers the media library's pages)
from editor.problems import label_path, parse_path, summary
from editor.releases import may_change_item  # (also registers the releases' pages)
from editor.reviews import BlockReviewMixin
from editor.schema_review import review, schema_error_label, totals
from editor.translation_exchange import TranslationExchangeAdmin  # noqa: F401  (registers the exchange page)
from editor.translation_marks import TranslationColumnMixin
from locales.selectors import enabled_locale_codes
from reviews.selectors import block_review_state
from scheduling.admin import BlockScheduleMixin
from scheduling.services import site_zone

LIST_DEFERRED = ("schema", "data", "published_snapshot")
UNPUBLISH_CONSEQUENCE = (
    "The delivery API stops serving it at once and webhooks announce it. The content stays here as a draft; "
    "you can publish it again later."
)
PUBLISH_CONSEQUENCE = (
    "The working copy of each block goes live on the delivery API at once. A block with fields that block "
    "publishing is left as it is and named in a message; a block already live as it is is left untouched."
)


def status_label(block: SiteBlock) -> str:
    """The block's state in words, the same in the list, the action bar and the preview."""
    if block.status != BlockStatus.PUBLISHED:
        return "Draft"
    return "Published, with unpublished changes" if block.has_unpublished_changes else "Published"


def state_words(block: SiteBlock) -> str:
    """The action bar's state: `status_label` and what is scheduled, at the site's wall-clock time (the zone
    the schedule page takes times in), e.g. "Draft · Scheduled to publish 8 Dec 2026, 09:00 (Europe/Paris)"."""
    zone = site_zone(block.site)
    parts = [status_label(block)]
    for verb, when in (("publish", block.scheduled_publish_at), ("unpublish", block.scheduled_unpublish_at)):
        if when:
            local = when.astimezone(zone)
            parts.append(f"Scheduled to {verb} {local.day} {local:%b %Y, %H:%M} ({zone.key})")
    return " · ".join(parts)


def copy_targets(actor, block: SiteBlock) -> list[str]:
    """The locales `actor` may copy `block` into: "Copy to locale" is offered only when there is one (a
    translator may not write the default-locale copy, so it is not offered to them)."""
    if not actor.can(Action.COPY_TO_LOCALE):
        return []
    default = block.site.default_locale
    return [
        code
        for code in enabled_locale_codes(block.site)
        if code != block.locale and (code != default or actor.can(Action.WRITE))
    ]


@admin.register(SiteBlock)
class BlockAdmin(BlockScheduleMixin, BlockReviewMixin, TranslationColumnMixin, BlockHistoryMixin, admin.ModelAdmin):
    list_display = (
        *("name_column", "slug", "type", "path", "locale"),
        *("status_column", "translations_column", "updated_at"),
    )
    list_filter = (MemberSiteFilter, "type", StatusFilter, LocaleFilter, TagFilter)
    search_fields = ("name", "slug", "path")
    list_select_related = ("site",)
    list_per_page = 50
    ordering = ("name", "id")
    actions = ("publish_selected", "unpublish_selected")
    change_form_template = "admin/blocks/siteblock/change_form.html"
    save_on_top = True  # the add page's Save at the top too; the change page has the sticky action bar instead

    class Media:
        # richtext.CSS: the rich-text editor's styles; its ES modules come after the page's import map
        # (change_form.html), which Media cannot place.
        css = {"all": [*richtext.CSS, "editor/editor.css", "editor/media.css"]}
        # media.js: the image/file chooser (editor/media_library.py); live-preview.js: the frontend beside the form
        js = ["editor/editor.js", "editor/media.js", "editor/live-preview.js"]

    # -- list --------------------------------------------------------------------------------------------
    @admin.display(description="status", ordering="status")
    def status_column(self, block: SiteBlock) -> str:
        label = status_label(block)
        css = "changed" if block.has_unpublished_changes else block.status
        return format_html('<span class="cms-status cms-status-{}">{}</span>', css, label)

    @admin.display(description="template")
    def template_column(self, block: SiteBlock) -> str:
        """Which template the block follows (its schema is the template's), or that it owns its schema."""
        ref = block.template_ref
        if ref is None:
            return "None: the block owns its schema."
        return f"Follows “{ref['slug']}”, version {ref['version']}: change the schema on the template's page."

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

    # -- the add and change pages --------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        """Our forms, bound to the request's user acting on the block's site (never a generated ModelForm)."""
        if obj is None:
            site_ids = sites_where(request, Action.WRITE)
            return type("BlockAddForm", (BlockAddForm,), {"request": request, "site_ids": site_ids})
        return type("BlockChangeForm", (BlockChangeForm,), {"request": request, "actor": actor_for(request, obj.site)})

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["site", "locale", "name", "slug", "type", "path", "tags", "template"]})]
        about = ["site", "locale", "slug", "type", "template_column", "status_column", "published_at", "updated_at"]
        about.append("updated_by")
        schedule = ("Schedule", {"fields": ["schedule_summary"]})  # scheduling.admin.BlockScheduleMixin
        if not self.has_change_permission(request, obj):
            return [(None, {"fields": ["name", "path", "tags", *about]}), schedule]
        editable = ["name", "path", "tags", "version"] if obj.type == "page" else ["name", "tags", "version"]
        return [(None, {"fields": editable}), ("About", {"fields": about, "classes": ["collapse"]}), schedule]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            *("site", "locale", "slug", "type", "status_column", "published_at", "updated_at", "updated_by"),
            "template_column",
            "schedule_summary",
        )

    def save_form(self, request, form, change):
        """The services already saved in `form.clean()`; hand the admin the block they returned (with what a
        workspace button did after the save, for `response_change`)."""
        block = form.saved or form.instance
        done, field = getattr(form, "done", ""), getattr(form, "done_field", "")
        if field:
            done = done.replace("{field}", label_path(block.schema, parse_path(f"data.{field}")))
        block.cms_done = (done, getattr(form, "done_ok", True))
        return block

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def delete_model(self, request, obj: SiteBlock) -> None:
        """Deleting goes through the service too: it drops the block's revisions and announces the deletion."""
        block_delete(actor=actor_for(request, obj.site), block=obj, expected_version=None)

    def delete_queryset(self, request, queryset) -> None:
        for block in queryset.select_related("site"):
            try:
                block_delete(actor=actor_for(request, block.site), block=block, expected_version=None)
            except errors.CmsError as exc:
                self.message_user(request, f"Not deleted: {block.name} ({block.locale}): {exc.message}", messages.ERROR)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if obj is not None:
            data_html, leftovers, placed = form.data_form()
            problems = summary(
                form_errors=form.errors,
                labels={name: str(field.label or name).capitalize() for name, field in form.fields.items()},
                schema=obj.schema,
                data_placed=placed,
                data_errors=form.data_errors,
                leftovers=leftovers,
                schema_errors=form.schema_errors,
            )
            context.update(
                richtext_import_map=richtext.import_map(),
                data_form=data_html,
                data_leftover_errors={label_path(obj.schema, parse_path(k)): v for k, v in leftovers.items()},
                problems=problems,
                **self._frame(request, obj, tab="content"),
                completion=block_completion(obj),  # of the saved working copy (docs/fields.md "Completion")
                live_preview=self._live_preview(request, obj),
            )
        else:
            context.update(schema_field=form["schema_json"], schema_errors=readable_schema_errors(form))
        response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
        live = context.get("live_preview")
        if live and not live["builtin"]:
            # The admin's policy frames only itself (default-src 'self'); this page frames the site's frontend too.
            parts = urlsplit(live["src"])
            response._csp_update = {"frame-src": ["'self'", f"{parts.scheme}://{parts.netloc}"]}
        return response

    def response_change(self, request, obj):
        """After Publish the editor stays on the block, told what went live; Save keeps the admin's ways."""
        done, done_ok = getattr(obj, "cms_done", ("", True))
        if done:  # a translator's workspace button (Keep, Re-sync): back on the copy, told what happened
            self.message_user(request, done, messages.SUCCESS if done_ok else messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        if PUBLISH_BUTTON in request.POST:
            self.message_user(request, f"Saved and published “{obj.name}” (version {obj.version}).", messages.SUCCESS)
            return HttpResponseRedirect(self._change_url(obj))
        response = super().response_change(request, obj)
        # A draft may be incomplete (saved all the same); the editor hears at once what would block publishing.
        missing = [item["label"] for item in block_completion(obj).get("missingRequired", [])]
        if missing:
            count = f"{len(missing)} required field{'' if len(missing) == 1 else 's'}"
            self.message_user(
                request,
                f"Saved as a draft. Before it can be published, {count} need a value: {'; '.join(missing)}.",
                messages.WARNING,
            )
        return response

    def _frame(self, request, block: SiteBlock, *, tab: str) -> dict:
        """What every page of a block shows around its content: the name, the tabs, the state in words."""
        actor = actor_for(request, block.site)
        return {
            # The window's title names the tab too ("Pricing (en): Schema"); the page's h1 is the block's name.
            "title": f"{block.name} ({block.locale}): {tab.capitalize()}",
            "subtitle": None,
            "cms_block": block,
            "cms_tab": tab,
            "cms_state": state_words(block),
            # Review before publish in words (docs/reviews.md), on every site: a copy can be submitted anyway.
            "cms_review_words": block_review_state(block).words,
            "can_schema": actor.can(Action.WRITE),
            "can_publish": actor.can(Action.PUBLISH),
            "can_copy": bool(copy_targets(actor, block)),  # offered only where the role can use it
            "can_delete_block": actor.can(Action.WRITE),
            "can_release": may_change_item(actor, block),  # "Add to release…" (editor/releases.py)
            "publish_button": PUBLISH_BUTTON,
            # Who else has it open (a heartbeat, editor/presence.py); editor.js keeps it current.
            "cms_others": presence.beat(block.pk, request.user.pk, request.user.get_username()),
            "cms_presence_beat": presence.BEAT,
        }

    # -- the schema page: the builder, and the review of a change before it is written ---------------------
    def schema_view(self, request, pk: int):
        """The block's schema builder. A save that can touch stored content shows what happens to it in each
        locale copy first (`BlockSchemaForm`); nothing is written until that review is confirmed."""
        block = self._block_or_404(request, pk)
        actor = actor_for(request, block.site)
        if not actor.can(Action.WRITE):
            raise PermissionDenied
        form_class = type("BlockSchemaForm", (BlockSchemaForm,), {"request": request, "actor": actor})
        back = request.method == "POST" and "_back" in request.POST
        form = form_class(None if back else request.POST or None, instance=block)
        if back:  # "Back to the schema" from the review: the builder again, with the edits it was shown
            form.initial.update(schema_json=request.POST.get("schema_json", ""))
        elif request.method == "POST" and form.is_valid():
            if form.review is not None:
                return self._schema_review_page(request, form)
            if form.unchanged:
                self.message_user(request, "The schema was not changed; nothing was saved.", messages.INFO)
            else:
                self.message_user(request, schema_saved_message(form.report_ or {}), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:blocks_siteblock_schema", args=[block.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            **self._frame(request, block, tab="schema"),
            "form": form,
            "schema_field": form["schema_json"],
            "schema_errors": readable_schema_errors(form),
            # A block that follows a template shows its schema read-only: it changes on the template's page.
            "follows": self.template_column(block) if block.template_ref else None,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/blocks/siteblock/schema.html", context)

    def _schema_review_page(self, request, form: BlockSchemaForm):
        block = form.instance
        schema = form.cleaned_data["schema_json"]
        fields, copies = review(form.review or {}, old_schema=block.schema, new_schema=schema)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            **self._frame(request, block, tab="schema"),
            "fields": fields,
            "copies": copies,
            "totals": totals(copies),
            "schema_text": json.dumps(schema, ensure_ascii=False),
            "version": form.cleaned_data["version"],
            "media": self.media,
        }
        context["title"] = f"Review the schema change of “{block.name}” ({block.locale})"
        return TemplateResponse(request, "admin/blocks/siteblock/schema_review.html", context)

    # -- single-block actions: publish, unpublish, preview ---------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/publish/", wrap(self.publish_view), name="{}_{}_publish".format(*info)),
            path("<int:pk>/unpublish/", wrap(self.unpublish_view), name="{}_{}_unpublish".format(*info)),
            # Framed by the block page's live preview panel when the site has no preview URL: same origin only.
            path(
                "<int:pk>/preview/",
                wrap(xframe_options_sameorigin(self.preview_view)),
                name="{}_{}_preview".format(*info),
            ),
            path("<int:pk>/copy/", wrap(self.copy_view), name="{}_{}_copy".format(*info)),
            path("<int:pk>/schema/", wrap(self.schema_view), name="{}_{}_schema".format(*info)),
            path("<int:pk>/presence/", wrap(self.presence_view), name="{}_{}_presence".format(*info)),
            *super().get_urls(),
        ]

    def presence_view(self, request, pk: int) -> JsonResponse:
        """POST: the edit page's heartbeat (editor/presence.py); answers who else has the block open."""
        if request.method != "POST":
            raise PermissionDenied
        block = self._block_or_404(request, pk)
        return JsonResponse({"others": presence.beat(block.pk, request.user.pk, request.user.get_username())})

    def _block_or_404(self, request, pk: int) -> SiteBlock:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _change_url(self, block: SiteBlock) -> str:
        return reverse("admin:blocks_siteblock_change", args=[block.pk])

    def _single(self, request, pk: int, service, verb: str):
        if request.method != "POST":
            raise PermissionDenied
        block = self._block_or_404(request, pk)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            service(actor=actor_for(request, block.site), block=block, expected_version=version)
        except errors.StaleWrite:
            self.message_user(
                request,
                "The block changed since you opened it; nothing was done. Review it and retry.",
                messages.WARNING,
            )
        except errors.CmsError as exc:
            self.message_user(request, f"Not {verb.lower()}: {exc.message}", messages.ERROR)
            for where, message in (exc.fields or {}).items():
                self.message_user(request, f"{where}: {message}", messages.ERROR)
        else:
            self.message_user(request, f"{verb}.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(block))

    def publish_view(self, request, pk: int):
        return self._single(request, pk, block_publish, "Published")

    def unpublish_view(self, request, pk: int):
        """GET: a page that says what unpublishing does and asks to confirm; POST: unpublish."""
        if request.method == "POST":
            return self._single(request, pk, block_unpublish, "Unpublished")
        block = self._block_or_404(request, pk)
        if not self.has_publish_permission(request, block):
            raise PermissionDenied
        return self._confirm_page(
            request,
            title=f"Unpublish “{block.name}” ({block.locale})?",
            blocks=[block],
            consequence=UNPUBLISH_CONSEQUENCE,
            action_url=reverse("admin:blocks_siteblock_unpublish", args=[block.pk]),
            button="Yes, unpublish",
            hidden=[("version", str(block.version))],
            cancel_url=self._change_url(block),
        )

    def _confirm_page(self, request, *, title, blocks, consequence, action_url, button, hidden, cancel_url):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "blocks": blocks,
            "consequence": consequence,
            "action_url": action_url,
            "button": button,
            "hidden": hidden,
            "cancel_url": cancel_url,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/blocks/siteblock/confirm.html", context)

    def preview_view(self, request, pk: int):
        """The published content beside the working copy, each rendered as the read-only form."""
        block = self._block_or_404(request, pk)
        snapshot = block.published_snapshot or {}
        published = (
            render_data_form(snapshot.get("schema") or [], snapshot.get("data") or {}, disabled=True)[0]
            if snapshot
            else None
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview: {block.name} ({block.locale})",
            "cms_block": block,
            "status": status_label(block),
            "published": published,
            "working": render_data_form(block.schema, block.data, disabled=True)[0],
            "published_json": preview_html(snapshot.get("data")) if snapshot else None,
            "working_json": preview_html(block.data),
            # What the next Publish would change, value by value (editor/compare.py), above the two versions.
            "changes": (
                compare.data_changes(block.schema, snapshot.get("data") or {}, block.data or {})
                + compare.schema_changes(snapshot.get("schema") or [], block.schema or [])
            )
            if snapshot
            else [],
            "media": self.media,
            **self._frontend_preview(request, block),
        }
        # In the block page's live preview panel (?panel=1): the working copy alone, without the admin's chrome.
        template = "preview_panel.html" if request.GET.get("panel") == "1" else "preview.html"
        return TemplateResponse(request, f"admin/blocks/siteblock/{template}", context)

    def _frontend_preview(self, request, block: SiteBlock) -> dict:
        """The site's own preview route for this block, with a fresh preview token, when the site has one."""
        if not block.site.preview_url:
            return {}
        token, _ = mint_preview_token(actor=actor_for(request, block.site))
        url = preview_url_for(
            block.site.preview_url, slug=block.slug, locale=block.locale, path=block.path, token=token
        )
        return {"frontend_url": url, "frontend_minutes": cms_setting("PREVIEW_TOKEN_SECONDS") // 60}

    def _live_preview(self, request, block: SiteBlock) -> dict:
        """The live preview panel's page: the site's frontend with a fresh preview token (minting writes
        nothing), or the built-in preview when the site has no preview URL."""
        frontend = self._frontend_preview(request, block)
        if frontend:
            return {"src": frontend["frontend_url"], "builtin": False}
        return {"src": reverse("admin:blocks_siteblock_preview", args=[block.pk]) + "?panel=1", "builtin": True}

    def copy_view(self, request, pk: int):
        """Copy the block into another locale of its site (a draft sharing its translation key)."""
        block = self._block_or_404(request, pk)
        actor = actor_for(request, block.site)
        targets = copy_targets(actor, block)
        if not targets:
            raise PermissionDenied
        copies = dict(
            SiteBlock.objects.filter(site=block.site, translation_key=block.translation_key).values_list("locale", "pk")
        )
        wanted = request.GET.get("locale")  # the dashboard's "no fr copy yet" link preselects fr
        initial = {"locale": wanted} if wanted in targets else {}
        form = CopyToLocaleForm(request.POST or None, locales=targets, existing=copies, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                copy = block_copy_to_locale(
                    actor=actor,
                    block=block,
                    locale=form.cleaned_data["locale"],
                    overwrite=form.cleaned_data["overwrite"],
                )
            except errors.CmsError as exc:
                for where, message in (exc.fields or {}).items():
                    form.add_error(where if where in form.fields else None, message)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                self.message_user(request, f"Copied to {copy.locale}.", messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(copy))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Copy “{block.name}” ({block.locale}) to another locale",
            "cms_block": block,
            "form": form,
            "copies": sorted(copies.items()),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/blocks/siteblock/copy.html", context)

    # -- bulk actions ------------------------------------------------------------------------------------
    def _bulk(self, request, queryset, service, verb: str, consequence: str):
        """First a page naming the blocks and what will happen; the action runs when that page is confirmed."""
        if request.POST.get("confirmed") != "yes":
            blocks = list(queryset.select_related("site").order_by("name", "locale"))
            return self._confirm_page(
                request,
                title=f"{verb[:-2]} {len(blocks)} block(s)?",
                blocks=blocks,
                consequence=consequence,
                action_url=request.get_full_path(),
                button=f"Yes, {verb[:-2].lower()} {len(blocks)} block(s)",
                hidden=[
                    ("action", request.POST.get("action", "")),
                    ("confirmed", "yes"),
                    *((helpers.ACTION_CHECKBOX_NAME, str(block.pk)) for block in blocks),
                ],
                cancel_url=request.get_full_path(),
            )
        done, failed = 0, []
        for block in queryset.select_related("site"):
            try:
                service(actor=actor_for(request, block.site), block=block, expected_version=None)
                done += 1
            except errors.CmsError as exc:
                problems = "; ".join(
                    f"{label_path(block.schema, parse_path(k)) if k.startswith('data') else k}: {v}"
                    for k, v in (exc.fields or {}).items()
                )
                failed.append(f"{block.name} ({block.locale}): {exc.message}{' ' + problems if problems else ''}")
        if done:
            self.message_user(request, f"{verb} {done} block(s).", messages.SUCCESS)
        for line in failed:
            self.message_user(request, f"Not {verb.lower()}: {line}", messages.ERROR)
        return None

    @admin.action(description="Publish selected blocks", permissions=["publish"])
    def publish_selected(self, request, queryset):
        return self._bulk(request, queryset, publish_unless_live, "Published", PUBLISH_CONSEQUENCE)

    @admin.action(description="Unpublish selected blocks", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        return self._bulk(request, queryset, block_unpublish, "Unpublished", UNPUBLISH_CONSEQUENCE)


def readable_schema_errors(form) -> dict[str, str]:
    """The schema checks' problems keyed by where they are in words ("Field 2 (Plans), name"), for the list
    above the builder; the builder itself places them by their paths (`schema_errors_json`)."""
    if not form.schema_errors:
        return {}
    try:  # the posted text: a field with an error is no longer in `cleaned_data`
        schema = json.loads(form.data.get("schema_json") or "[]")
    except (ValueError, RecursionError):
        schema = []
    return {schema_error_label(schema, where): message for where, message in form.schema_errors.items()}


def schema_saved_message(report: dict) -> str:
    """The message after a schema save: "Schema saved.", then how many values followed their fields over all
    locale copies ("In 2 locale copies: 2 values moved, 1 converted, 1 kept aside as an orphan.")."""
    copies = report.get("copies", [])
    moved, converted, orphaned = (
        sum(len(c.get(kind, [])) for c in copies) for kind in ("moved", "converted", "orphaned")
    )
    said = [
        text
        for n, text in (
            (moved, f"{moved} value{pluralize(moved)} moved"),
            (converted, f"{converted} converted"),
            (orphaned, f"{orphaned} kept aside as {'an orphan' if orphaned == 1 else 'orphans'}"),
        )
        if n
    ]
    if not said:
        return "Schema saved."
    where = "this block" if len(copies) == 1 else f"{len(copies)} locale copies"
    return f"Schema saved. In {where}: {', '.join(said)}."


def publish_unless_live(*, actor, block: SiteBlock, expected_version: int | None) -> SiteBlock:
    """The bulk action's publish: a block already live as it is gets no empty revision."""
    return block_publish(actor=actor, block=block, expected_version=expected_version, skip_unchanged=True)
