"""The block's history in the admin: its revisions with their change lists, one revision, and restoring it.

A mixin for `BlockAdmin`: it replaces Django's generic history page (`<pk>/history/`, admin log entries) with
the block's revisions, adds `<pk>/history/<revision>/` (the revision's content, and what restoring it would
change) and `<pk>/history/<revision>/restore/` (POST; goes through `blocks.services.block_restore`, with the
version the editor saw, so a concurrent edit is refused rather than overwritten).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.permissions import Action
from blocks.models import SiteBlock
from blocks.services import block_restore
from blocks.services.restore import restored_state
from blocks.services.writing import block_state
from cms import errors
from editor import compare
from editor.access import actor_for
from editor.dataform import preview_html, render_data_form
from editor.problems import label_path, parse_path
from revisions.selectors import revision_of_block, revision_state, revisions_for_block

HISTORY_PER_PAGE = 50


if TYPE_CHECKING:
    # What type checkers see as the base: the ModelAdmin of `SiteBlock` this mixin is mixed into. At run time
    # it adds no base class.
    _BlockAdmin = admin.ModelAdmin[SiteBlock]
else:
    _BlockAdmin = object


class BlockHistoryMixin(_BlockAdmin):
    """History pages for a ModelAdmin of `SiteBlock` whose `get_queryset` scopes blocks to the user's sites."""

    history_per_page = HISTORY_PER_PAGE

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/history/compare/",
                wrap(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<int:pk>/history/<int:number>/",
                wrap(self.revision_view),
                name="{}_{}_revision".format(*info),
            ),
            path(
                "<int:pk>/history/<int:number>/restore/",
                wrap(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def _history_block(self, request, pk) -> SiteBlock:
        block = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, block):
            raise PermissionDenied
        return block

    def _context(self, request, block: SiteBlock, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "cms_block": block,
            "can_restore": actor_for(request, block.site).can(Action.WRITE),
            "can_publish": actor_for(request, block.site).can(Action.PUBLISH),
            "can_schema": actor_for(request, block.site).can(Action.WRITE),  # the Schema tab (tabs.html)
            "media": self.media,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Newest first, paginated; each revision with its stored change list (no snapshot is read)."""
        try:
            pk = int(object_id)
        except ValueError:
            raise Http404 from None
        block = self._history_block(request, pk)
        paginator = Paginator(revisions_for_block(block), self.history_per_page)
        page = paginator.get_page(request.GET.get("p"))
        context = self._context(request, block, f"History: {block.name} ({block.locale})")
        revisions = list(page.object_list)
        for revision in revisions:  # the stored change lists, each place named by today's labels
            revision.changes = [
                {**change, "label": _upper_first(_readable(block.schema, change["field"]))}
                for change in revision.changes or []
            ]
        context.update(page=page, revisions=revisions, cms_tab="history", **(extra_context or {}))
        return TemplateResponse(request, "admin/blocks/siteblock/history.html", context)

    def compare_view(self, request, pk: int):
        """Any two revisions (`?from=2&to=5`), or a revision and the working copy (`to=current`), change by
        change with the fields' labels, inside lists too (editor/compare.py)."""
        block = self._history_block(request, pk)
        older, newer = request.GET.get("from", ""), request.GET.get("to", "current")
        states = {}
        for key, number in (("from", older), ("to", newer)):
            if number == "current":
                states[key] = (f"the working copy (v{block.version})", block_state(block))
                continue
            try:
                entry = self._revision_or_404(block, int(number))
            except ValueError:
                raise Http404("Choose two revisions to compare.") from None
            states[key] = (f"revision {entry.number}", revision_state(entry))
        (old_name, old), (new_name, new) = states["from"], states["to"]
        context = self._context(request, block, f"Compare {old_name} with {new_name}: {block.name} ({block.locale})")
        context.update(
            cms_tab="history",
            old_name=old_name,
            new_name=new_name,
            meta_changes=compare.meta_changes(old, new),
            data_changes=compare.data_changes(
                new.get("schema") or old.get("schema") or [], old.get("data") or {}, new.get("data") or {}
            ),
            schema_changes=compare.schema_changes(old.get("schema") or [], new.get("schema") or []),
        )
        return TemplateResponse(request, "admin/blocks/siteblock/compare.html", context)

    def revision_view(self, request, pk: int, number: int):
        block = self._history_block(request, pk)
        entry = self._revision_or_404(block, number)
        state = revision_state(entry)
        context = self._context(request, block, f"Revision {entry.number} of {block.name} ({block.locale})")
        context.update(
            revision=entry,
            state=state,
            content=render_data_form(state["schema"], state["data"], disabled=True)[0],
            data_json=preview_html(state["data"]),
            schema_json=preview_html(state["schema"]),
            # What restoring would do to the working copy: its data carried to today's schema, as the
            # restore does by default (`blocks.services.restore`); what no longer maps is listed.
            **self._restore_preview(block, entry.number),
        )
        return TemplateResponse(request, "admin/blocks/siteblock/revision.html", context)

    @staticmethod
    def _restore_preview(block: SiteBlock, number: int) -> dict:
        try:
            mapped = restored_state(block, number)
        except errors.CmsError as exc:
            return {"restore_changes": [], "restore_refused": exc.message, "restore_orphans": []}
        return {
            # Each value that would change, inside lists too, named by the labels of the schema it restores under.
            "restore_changes": compare.data_changes(mapped.schema, block.data or {}, mapped.data or {}),
            "restore_refused": None,
            "restore_orphans": (mapped.mapping or {}).get("orphaned", []),
        }

    def restore_view(self, request, pk: int, number: int):
        if request.method != "POST":
            raise PermissionDenied
        block = self._history_block(request, pk)
        self._revision_or_404(block, number)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            block, meta = block_restore(
                actor=actor_for(request, block.site),
                block=block,
                revision_number=number,
                expected_version=version,
                publish=request.POST.get("publish") == "1",
                restore_schema=request.POST.get("restore_schema") == "1",
            )
        except errors.StaleWrite:
            self.message_user(
                request,
                "The block changed since you opened it; nothing was restored. Review it and retry.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:blocks_siteblock_revision", args=[block.pk, number]))
        except errors.Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except errors.CmsError as exc:
            self.message_user(request, f"Not restored: {exc.message}", messages.ERROR)
            schema = revision_state(self._revision_or_404(block, number)).get("schema") or []
            for where, message in (exc.fields or {}).items():
                self.message_user(request, f"{_readable(schema, where)}: {message}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:blocks_siteblock_revision", args=[block.pk, number]))
        note = " The schema was restored too." if meta["schemaRestored"] else ""
        self.message_user(request, f"Restored from revision {number}.{note}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:blocks_siteblock_change", args=[block.pk]))

    @staticmethod
    def _revision_or_404(block: SiteBlock, number: int):
        try:
            return revision_of_block(block, number)
        except errors.NotFound:
            raise Http404("No such revision of this block.") from None


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _readable(schema: list, where: str) -> str:
    """A refusal's place as an editor reads it (`data.logo.asset` -> "Logo"; an image or file field's inner
    `asset` key is the field itself), else the API path as it is."""
    if not where.startswith(("data.", "data[")):
        return where
    parts = parse_path(where)
    if parts and parts[-1] == "asset":
        parts = parts[:-1]
    return label_path(schema, parts) or where
