"""The media library in the admin: a grid of a site's assets, uploads by drag and drop, one asset's page, and
the endpoints the block editor's image/file chooser talks to.

Pages (all under `/admin/media/asset/`, Django's admin entry for `media.Asset`):

- the library (`changelist`): thumbnails, search, filters (kind, tag, unused), bulk tag and bulk delete (with a
  confirm page naming the blocks that still use an asset), and a drop zone that uploads several files at once
  with a progress bar (`editor/static/editor/media.js`: one XHR per file to `upload/`);
- one asset (`change`): preview, title, alt text per locale, tags, focal point, replace the file (same id),
  where it is used, delete;
- for the chooser: `choose/` (a fragment of the library for the dialog), `upload/`, `<id>/info/`, `<id>/thumb/`
  and `<id>/focal/`.

Every write is a `media.services` call with the member's `Actor`, so the rules (roles, quotas, sniffing,
limits, "in use") are the API's; refusals are shown with the service's message. A user sees only the sites
they are a member of; the site is chosen with `?site=` (the first of theirs by default).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from accounts.models import Site
from accounts.permissions import Action
from blocks.assets import asset_users, used_asset_ids
from blocks.models import SiteBlock
from cms import errors
from cms.conf import cms_setting
from editor.access import actor_for, site_roles, sites_where
from locales.selectors import enabled_locale_codes
from media import renditions, services
from media.models import Asset, AssetKind
from media.sniffing import RASTER

PER_PAGE = 48
CHOOSER_PER_PAGE = 24
THUMB_WIDTH = 320
BULK_TAG = "tag"
BULK_DELETE = "delete"


def _error_text(exc: errors.CmsError) -> str:
    """A refusal in words: its message and each field's problem (the API's envelope, read by a person)."""
    details = [text for text in (exc.fields or {}).values() if text and text not in exc.message]
    return " ".join([exc.message, *details])


def thumbnail_url(asset: Asset) -> str | None:
    """What the grid shows for an asset: a small webp rendition of a raster image, the file itself for an SVG,
    nothing for other files (an icon with the extension instead)."""
    if asset.kind != AssetKind.IMAGE:
        return None
    if asset.mime_type not in RASTER:
        return asset.url
    width = THUMB_WIDTH if (asset.width or 0) > THUMB_WIDTH else None
    if width is None:
        return asset.url
    return default_storage.url(renditions.rendition(asset, renditions.Spec(width=width)))


def asset_facts(asset: Asset, locale: str | None = None) -> dict[str, Any]:
    """What the chooser needs to show a picked asset."""
    alt = asset.alt_in([locale, asset.site.default_locale] if locale else [asset.site.default_locale])
    return {
        "id": asset.pk,
        "kind": asset.kind,
        "name": asset.original_name,
        "title": asset.title,
        "mimeType": asset.mime_type,
        "size": asset.size,
        "width": asset.width,
        "height": asset.height,
        "alt": alt,
        "focalPoint": None if asset.focal_x is None else {"x": asset.focal_x, "y": asset.focal_y},
        "thumb": reverse("admin:media_asset_thumb", args=[asset.pk]),
        "url": asset.url,
        "change": reverse("admin:media_asset_change", args=[asset.pk]),
    }


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


@admin.register(Asset)
class MediaLibraryAdmin(admin.ModelAdmin):
    """Django's admin entry for assets, with the library's own pages instead of the generic ones."""

    class Media:
        css = {"all": ["editor/media.css"]}
        js = ["editor/media.js"]

    # -- who may do what: members read their sites' libraries; editors and owners write -------------------
    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        roles = site_roles(request)
        return obj.site_id in roles if obj is not None else bool(roles)

    def has_add_permission(self, request) -> bool:
        return bool(sites_where(request, Action.WRITE))

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return bool(sites_where(request, Action.WRITE))
        return actor_for(request, obj.site).can(Action.WRITE)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.changelist_view), name="media_asset_changelist"),
            path("add/", wrap(self.add_view), name="media_asset_add"),
            path("upload/", wrap(self.upload_view), name="media_asset_upload"),
            path("bulk/", wrap(self.bulk_view), name="media_asset_bulk"),
            path("choose/", wrap(self.choose_view), name="media_asset_choose"),
            path("<int:pk>/", wrap(self.redirect_to_change)),
            path("<path:object_id>/change/", wrap(self.change_view), name="media_asset_change"),
            path("<path:object_id>/delete/", wrap(self.delete_view), name="media_asset_delete"),
            path("<int:pk>/info/", wrap(self.info_view), name="media_asset_info"),
            path("<int:pk>/thumb/", wrap(self.thumb_view), name="media_asset_thumb"),
            path("<int:pk>/focal/", wrap(self.focal_view), name="media_asset_focal"),
        ]

    # -- helpers -------------------------------------------------------------------------------------------
    def _sites(self, request) -> list[Site]:
        return list(Site.objects.filter(pk__in=list(site_roles(request))).order_by("name", "pk"))

    def _site(self, request, sites: list[Site] | None = None) -> Site:
        """The site asked for (`?site=`, or a block's with `?block=`), else the user's first; 404 if not theirs."""
        sites = sites if sites is not None else self._sites(request)
        wanted = request.GET.get("site") or request.POST.get("site")
        block = request.GET.get("block") or request.POST.get("block")
        if block and not wanted:
            from_block = self._block_site_id(request, int(block)) if block.isdigit() else None
            if from_block is None:
                raise Http404("No such block among yours.")
            wanted = str(from_block)
        for site in sites:
            if wanted is None or str(site.pk) == wanted:
                return site
        raise Http404("No such site among yours.")

    def _block_site_id(self, request, block_id: int) -> int | None:
        return (
            SiteBlock.objects.filter(pk=block_id, site_id__in=list(site_roles(request)))
            .values_list("site_id", flat=True)
            .first()
        )

    def _asset(self, request, pk: int | str) -> Asset:
        if not str(pk).isdigit():
            raise Http404("No such asset.")
        mine = Asset.objects.select_related("site").filter(site_id__in=list(site_roles(request)))
        return get_object_or_404(mine, pk=int(pk))

    def _context(self, request, **extra) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, "media": self.media, **extra}

    def _filtered(self, site: Site, params) -> tuple[Any, dict[str, str]]:
        """The site's assets as the library's query asks (`q`, `kind`, `tag`, `unused`), newest first."""
        chosen = {key: (params.get(key) or "").strip() for key in ("q", "kind", "tag", "unused")}
        assets = Asset.objects.for_site(site).select_related("site")
        if chosen["kind"] in AssetKind.values:
            assets = assets.filter(kind=chosen["kind"])
        else:
            chosen["kind"] = ""
        if chosen["tag"]:
            assets = assets.with_tag(chosen["tag"])
        if chosen["q"]:
            assets = assets.filter(Q(title__icontains=chosen["q"]) | Q(original_name__icontains=chosen["q"]))
        if chosen["unused"] == "1":
            assets = assets.exclude(pk__in=used_asset_ids(site.pk))
        else:
            chosen["unused"] = ""
        return assets.order_by("-created_at", "-id"), chosen

    def _cards(self, assets, used: set[int]) -> list[dict[str, Any]]:
        """One card per asset. Pictures are `<id>/thumb/` redirects, so rendering the grid reads no file and
        makes no rendition: the browser asks for each thumbnail (lazily, in parallel) and the first ask makes it."""
        cards = []
        for asset in assets:
            thumb = reverse("admin:media_asset_thumb", args=[asset.pk]) if asset.kind == AssetKind.IMAGE else None
            extension = asset.original_name.rpartition(".")[2].upper() if "." in asset.original_name else "FILE"
            cards.append(
                {
                    "asset": asset,
                    "thumb": thumb,
                    "extension": extension[:5],
                    "size": human_size(asset.size),
                    "used": asset.pk in used,
                    "alt": asset.alt_in([asset.site.default_locale]),
                }
            )
        return cards

    # -- the library -----------------------------------------------------------------------------------------
    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sites = self._sites(request)
        site = self._site(request, sites)
        assets, chosen = self._filtered(site, request.GET)
        page = Paginator(assets, PER_PAGE).get_page(request.GET.get("page"))
        used = used_asset_ids(site.pk)
        tags = sorted({tag for row in Asset.objects.for_site(site).values_list("tags", flat=True) for tag in row or []})
        used_bytes, used_files = services.site_usage(site)
        query = {key: value for key, value in chosen.items() if value}
        context = self._context(
            request,
            title="Media library",
            site=site,
            sites=sites,
            can_write=actor_for(request, site).can(Action.WRITE),
            page=page,
            cards=self._cards(page.object_list, used),
            chosen=chosen,
            tags=tags,
            kinds=AssetKind.choices,
            usage=f"{used_files} files, {human_size(used_bytes)}",
            page_query=urlencode({"site": site.pk, **query}),
            filtered=bool(query),
            upload_url=reverse("admin:media_asset_upload"),
            max_bytes=cms_setting("MEDIA_MAX_UPLOAD_BYTES"),
        )
        return TemplateResponse(request, "admin/media/asset/library.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        """Uploads happen on the library page itself (the drop zone)."""
        return HttpResponseRedirect(reverse("admin:media_asset_changelist"))

    def redirect_to_change(self, request, pk: int):
        return HttpResponseRedirect(reverse("admin:media_asset_change", args=[pk]))

    def upload_view(self, request):
        """One file (multipart `file`, `site` or `block`), answered as JSON for the drop zone and the chooser:
        the asset's facts (`created` false when the same bytes were in the library), or `{"error": …}`."""
        if request.method != "POST":
            return JsonResponse({"error": "POST a file."}, status=405)
        site = self._site(request)
        upload = request.FILES.get("file")
        if upload is None:
            return JsonResponse({"error": "Choose a file to upload."}, status=400)
        try:
            if upload.size > cms_setting("MEDIA_MAX_UPLOAD_BYTES"):  # refused before it is read
                limit = cms_setting("MEDIA_MAX_UPLOAD_BYTES")
                raise errors.PayloadTooLarge(f"The file is over the {human_size(limit)} limit.")
            asset, created = services.asset_upload(
                actor=actor_for(request, site),
                upload=services.Upload(content=upload.read(), name=upload.name or "file", declared_type=None),
            )
        except errors.CmsError as exc:
            return JsonResponse({"error": _error_text(exc), "code": exc.code}, status=exc.status)
        return JsonResponse({**asset_facts(asset), "created": created}, status=201 if created else 200)

    # -- bulk tag and delete -----------------------------------------------------------------------------
    def bulk_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:media_asset_changelist"))
        site = self._site(request)
        actor = actor_for(request, site)
        ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
        assets = list(Asset.objects.for_site(site).select_related("site").filter(pk__in=ids).order_by("pk"))
        back = request.POST.get("next") or f"{reverse('admin:media_asset_changelist')}?site={site.pk}"
        if not back.startswith("/"):
            back = reverse("admin:media_asset_changelist")
        if not assets:
            messages.warning(request, "Select at least one asset first.")
            return HttpResponseRedirect(back)
        action = request.POST.get("action")
        try:
            if action == BULK_TAG:
                tag = (request.POST.get("tag") or "").strip()
                if not tag:
                    messages.error(request, "Type the tag to add to the selected assets.")
                    return HttpResponseRedirect(back)
                for asset in assets:
                    services.asset_update(actor=actor, asset=asset, values={"tags": [*asset.tags, tag]})
                messages.success(request, f"Tagged {len(assets)} asset{'s' if len(assets) != 1 else ''} “{tag}”.")
                return HttpResponseRedirect(back)
            if action == BULK_DELETE:
                if request.POST.get("confirmed") != "1":
                    return self._confirm_delete(request, site, assets, back)
                return self._delete(request, actor, assets, force=request.POST.get("force") == "1", back=back)
        except errors.CmsError as exc:
            messages.error(request, _error_text(exc))
            return HttpResponseRedirect(back)
        messages.error(request, "Choose an action.")
        return HttpResponseRedirect(back)

    def _confirm_delete(self, request, site: Site, assets: list[Asset], back: str):
        rows = [{"asset": asset, "users": asset_users(asset)} for asset in assets]
        context = self._context(
            request,
            title=f"Delete {len(assets)} asset{'s' if len(assets) != 1 else ''}?",
            site=site,
            rows=rows,
            in_use=sum(1 for row in rows if row["users"]),
            back=back,
            action_url=reverse("admin:media_asset_bulk"),
        )
        return TemplateResponse(request, "admin/media/asset/confirm_delete.html", context)

    def _delete(self, request, actor, assets: list[Asset], *, force: bool, back: str):
        deleted, kept = 0, []
        for asset in assets:
            try:
                services.asset_delete(actor=actor, asset=asset, force=force)
                deleted += 1
            except errors.CmsError as exc:
                if exc.code != "asset_in_use":
                    raise
                kept.append(str(asset))
        if deleted:
            messages.success(request, f"Deleted {deleted} asset{'s' if deleted != 1 else ''}.")
        if kept:
            messages.warning(request, "Kept, since blocks use them: " + ", ".join(kept) + ".")
        return HttpResponseRedirect(back)

    # -- one asset -----------------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        asset = self._asset(request, object_id)
        actor = actor_for(request, asset.site)
        locales = enabled_locale_codes(asset.site)
        problems: dict[str, str] = {}
        if request.method == "POST":
            if not actor.can(Action.WRITE):
                raise PermissionDenied
            try:
                if request.FILES.get("file"):
                    upload = request.FILES["file"]
                    services.asset_replace_file(
                        actor=actor,
                        asset=asset,
                        upload=services.Upload(content=upload.read(), name=upload.name or "file"),
                    )
                    messages.success(request, "The file was replaced; blocks that show it show the new one.")
                else:
                    services.asset_update(actor=actor, asset=asset, values=self._posted_values(request, locales))
                    messages.success(request, "Saved.")
                return HttpResponseRedirect(reverse("admin:media_asset_change", args=[asset.pk]))
            except errors.CmsError as exc:
                problems = {key.replace("focal_point", "focal"): text for key, text in (exc.fields or {}).items()}
                problems.setdefault("all", exc.message)
                asset.refresh_from_db()
        try:
            thumb = thumbnail_url(asset)
        except errors.CmsError:
            thumb = None
        context = self._context(
            request,
            title=str(asset),
            asset=asset,
            site=asset.site,
            thumb=thumb,
            preview=asset.url if asset.kind == AssetKind.IMAGE else None,
            size=human_size(asset.size),
            can_write=actor.can(Action.WRITE),
            alts=[(code, (asset.alt or {}).get(code, ""), problems.get(f"alt.{code}")) for code in locales],
            problems=problems,
            users=asset_users(asset),
            focal=None if asset.focal_x is None else {"x": asset.focal_x, "y": asset.focal_y},
            back=f"{reverse('admin:media_asset_changelist')}?site={asset.site_id}",
        )
        return TemplateResponse(request, "admin/media/asset/asset.html", context)

    def _posted_values(self, request, locales: list[str]) -> services.AssetValues:
        post = request.POST
        values: services.AssetValues = {
            "title": post.get("title", ""),
            "alt": {code: post.get(f"alt.{code}", "") for code in locales},
            "tags": [tag.strip() for tag in post.get("tags", "").split(",") if tag.strip()],
        }
        x, y = (post.get("focal_x") or "").strip(), (post.get("focal_y") or "").strip()
        if x or y:
            try:
                values["focal_point"] = {"x": float(x), "y": float(y)}
            except ValueError:
                raise errors.ValidationFailed(fields={"focal_point": services.FOCAL_MESSAGE}) from None
        else:
            values["focal_point"] = None
        return values

    def delete_view(self, request, object_id, extra_context=None):
        asset = self._asset(request, object_id)
        back = f"{reverse('admin:media_asset_changelist')}?site={asset.site_id}"
        if request.method == "POST" and request.POST.get("confirmed") == "1":
            actor = actor_for(request, asset.site)
            try:
                return self._delete(request, actor, [asset], force=request.POST.get("force") == "1", back=back)
            except errors.CmsError as exc:
                messages.error(request, _error_text(exc))
                return HttpResponseRedirect(reverse("admin:media_asset_change", args=[asset.pk]))
        return self._confirm_delete(request, asset.site, [asset], back)

    # -- for the chooser -----------------------------------------------------------------------------------
    def choose_view(self, request):
        """The library as the chooser's dialog lists it: `q`, `kind`, `page`; an HTML fragment."""
        site = self._site(request)
        assets, chosen = self._filtered(site, request.GET)
        page = Paginator(assets, CHOOSER_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "cards": self._cards(page.object_list, set()),
            "page": page,
            "chosen": chosen,
        }
        return TemplateResponse(request, "admin/media/asset/choose.html", context)

    def info_view(self, request, pk: int):
        asset = self._asset(request, pk)
        return JsonResponse(asset_facts(asset, request.GET.get("locale")))

    def thumb_view(self, request, pk: int):
        """A redirect to the asset's thumbnail (works for private sites, unlike the delivery API's renditions)."""
        asset = self._asset(request, pk)
        try:
            url = thumbnail_url(asset)
        except errors.CmsError:
            url = None
        if url is None:
            raise Http404("This asset has no picture.")
        return HttpResponseRedirect(url)

    def focal_view(self, request, pk: int):
        """Set (`x`, `y` from 0 to 1) or clear (both empty) the asset's focal point: JSON for the chooser."""
        asset = self._asset(request, pk)
        if request.method != "POST":
            return JsonResponse({"error": "POST x and y."}, status=405)
        try:
            body = json.loads(request.body or b"{}")
            point = body.get("focalPoint") if isinstance(body, dict) else None
            values: services.AssetValues = {"focal_point": point}
            asset = services.asset_update(actor=actor_for(request, asset.site), asset=asset, values=values)
        except ValueError:
            return JsonResponse({"error": 'Send JSON: {"focalPoint": {"x": 0.5, "y": 0.5}}.'}, status=400)
        except errors.CmsError as exc:
            return JsonResponse({"error": _error_text(exc), "code": exc.code}, status=exc.status)
        return JsonResponse(asset_facts(asset))
