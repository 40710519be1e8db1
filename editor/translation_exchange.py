"""The translation exchange page in the admin: translation files out and back in, and machine pre-translation.

One page (`/admin/blocks/machinetranslationconfig/`, "Translation exchange" in the admin's menu; the block
list links to it, with `?block=` for one block's group):

- **Export for translation**: format (XLIFF 2.1, XLIFF 1.2, PO), target locale, the whole site or a selection
  of blocks: a download, the same file as `GET /api/v1/translations/export`;
- **Import translations**: upload the translated file (with "dry run"): the report of what was done, each
  refused unit with its block, its field's label and path, and the reason;
- **Pre-translate untranslated fields** by machine: shown only when the site has a provider;
- **Machine translation provider** (owners): provider, base URL and API key. The key is never shown back
  (a password field that starts empty; left empty, the stored key is kept).

Every action is a service or selector call with the member's `Actor` (`blocks.services.exchange`,
`blocks.services.machine`, `blocks.selectors.translations_export`), so the rules and messages are the API's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from accounts.models import Site
from accounts.permissions import Action
from blocks import exchange, machine_translation
from blocks.models import MachineTranslationConfig, SiteBlock
from blocks.selectors import translations_export
from blocks.services import machine
from blocks.services.exchange import LISTS, translations_import
from cms import errors
from editor.access import actor_for, site_roles
from editor.problems import label_path
from locales.selectors import enabled_locale_codes

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
REPORT_TITLES = {
    "applied": "Written",
    "kept": "Confirmed as translated",
    "unchanged": "Unchanged",
    "outdated": "Not applied: the source changed since the export",
    "invalid": "Refused",
    "skipped": "Skipped",
    "machine": "Machine-translated (check, then keep or edit)",
}


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(fmt, exchange.FORMAT_NAMES[fmt]) for fmt in exchange.FORMATS],
        help_text="XLIFF 2.1 for current tools; XLIFF 1.2 for older ones; PO for gettext tools (Weblate, Pontoon).",
    )
    locale = forms.ChoiceField(label="Target locale")
    blocks = forms.MultipleChoiceField(
        required=False,
        label="Blocks",
        help_text="None chosen: the whole site. Only blocks with a copy in the target locale are exported.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Translated file", help_text="XLIFF 2.1, XLIFF 1.2 or PO, as exported here.")
    dry_run = forms.BooleanField(required=False, label="Dry run: report what would happen, write nothing")


class PretranslateForm(forms.Form):
    locale = forms.ChoiceField(label="Target locale")


class ProviderForm(forms.Form):
    provider = forms.ChoiceField(choices=[])
    base_url = forms.CharField(label="Base URL", max_length=500, help_text="e.g. https://api-free.deepl.com")
    api_key = forms.CharField(
        label="API key",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Never shown again once saved. Leave empty to keep the stored key.",
    )


def _format_of(name: str, content: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".po"):
        return exchange.PO
    return exchange.detected_format(exchange.XLIFF, content)


@admin.register(MachineTranslationConfig)
class TranslationExchangeAdmin(admin.ModelAdmin):
    """Django's admin entry for the provider settings, showing the exchange page instead of the generic list."""

    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(site_roles(request))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        info = self.opts.app_label, self.opts.model_name
        return [path("", wrap(self.changelist_view), name="{}_{}_changelist".format(*info))]

    def _sites(self, request) -> list[Site]:
        return list(Site.objects.filter(pk__in=list(site_roles(request))).order_by("name", "pk"))

    def _site(self, request, sites: list[Site]) -> tuple[Site, SiteBlock | None]:
        """The site asked for (`?site=`, or the site of `?block=`), else the user's first; 404 if not theirs."""
        asked = request.POST.get("block") or request.GET.get("block") or ""
        block = None
        if asked.isdigit():
            block = SiteBlock.objects.filter(pk=int(asked), site_id__in=[s.pk for s in sites]).first()
            if block is None:
                raise Http404("No such block among yours.")
        wanted = request.POST.get("site") or request.GET.get("site") or (str(block.site_id) if block else None)
        for site in sites:
            if wanted is None or str(site.pk) == wanted:
                return site, block
        raise Http404("No such site among yours.")

    def changelist_view(self, request, extra_context=None):
        sites = self._sites(request)
        if not sites:
            raise PermissionDenied
        site, block = self._site(request, sites)
        actor = actor_for(request, site)
        targets = [code for code in enabled_locale_codes(site) if code != site.default_locale]
        blocks = list(
            SiteBlock.objects.filter(site=site, locale=site.default_locale)
            .order_by("name", "pk")
            .values_list("translation_key", "name")
        )
        config = machine.machine_config(site)
        export_form = ExportForm(request.GET if "export" in request.GET else None, prefix="export")
        export_form.fields["locale"].choices = [(code, code) for code in targets]
        export_form.fields["blocks"].choices = [(str(key), name) for key, name in blocks]
        if block is not None and "export" not in request.GET:
            export_form.initial["blocks"] = [str(block.translation_key)]
        if block is not None and block.locale in targets:
            export_form.initial["locale"] = block.locale
        import_form = ImportForm()
        pretranslate_form = PretranslateForm(prefix="mt", initial={"locale": export_form.initial.get("locale")})
        pretranslate_form.fields["locale"].choices = [(code, code) for code in targets]
        provider_form = ProviderForm(prefix="provider", initial=self._provider_initial(config))
        provider_form.fields["provider"].choices = machine_translation.choices()
        report: dict[str, Any] | None = None

        if "export" in request.GET and export_form.is_valid():
            response = self._export(request, actor, export_form.cleaned_data)
            if response is not None:
                return response
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "import":
                import_form = ImportForm(request.POST, request.FILES)
                report = self._import(request, actor, import_form, site)
            elif action == "pretranslate" and config is not None:
                pretranslate_form = PretranslateForm(request.POST, prefix="mt")
                pretranslate_form.fields["locale"].choices = [(code, code) for code in targets]
                report = self._pretranslate(request, actor, pretranslate_form, site, block)
            elif action in ("provider", "provider-remove"):
                provider_form = ProviderForm(request.POST, prefix="provider")
                provider_form.fields["provider"].choices = machine_translation.choices()
                if self._provider(request, actor, provider_form, remove=action == "provider-remove"):
                    return HttpResponseRedirect(self._url(site, block))
            else:
                raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Translation exchange",
            "site": site,
            "sites": sites,
            "chosen_block": block,  # not `block`: the templates' `{% block %}` tags own that name
            "targets": targets,
            "export_form": export_form,
            "import_form": import_form,
            "pretranslate_form": pretranslate_form,
            "provider_form": provider_form,
            "config": config,
            "provider_label": dict(machine_translation.choices()).get(config.provider, "") if config else "",
            "can_translate": actor.can(Action.TRANSLATE) or actor.can(Action.WRITE),
            "can_manage": actor.can(Action.MANAGE),
            "report": report,
            "page_url": self._url(site, block),
            "blocks_url": reverse("admin:blocks_siteblock_changelist"),
        }
        return TemplateResponse(request, "admin/blocks/translation_exchange.html", context)

    def _url(self, site: Site, block: SiteBlock | None) -> str:
        query = {"site": site.pk, **({"block": block.pk} if block is not None else {})}
        return reverse("admin:blocks_machinetranslationconfig_changelist") + "?" + urlencode(query)

    @staticmethod
    def _provider_initial(config: MachineTranslationConfig | None) -> dict:
        if config is None:
            return {"provider": "deepl"}
        return {"provider": config.provider, "base_url": config.base_url}

    def _refused(self, request, verb: str, exc: errors.CmsError) -> None:
        self.message_user(request, f"{verb}: {exc.message}", messages.ERROR)
        for where, message in (exc.fields or {}).items():
            self.message_user(request, f"{where}: {message}", messages.ERROR)

    def _export(self, request, actor, cleaned: dict) -> HttpResponse | None:
        keys = cleaned["blocks"] or None
        try:
            content = translations_export(actor, locale=cleaned["locale"], fmt=cleaned["format"], keys=keys)
        except errors.CmsError as exc:
            self._refused(request, "Not exported", exc)
            return None
        fmt = cleaned["format"]
        scope = "selection" if keys else "site"
        name = f"{actor.site.slug}-{scope}-{cleaned['locale']}{'-xliff2' if fmt == exchange.XLIFF2 else ''}"
        response = HttpResponse(content, content_type=exchange.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.{exchange.EXTENSIONS[fmt]}"'
        return response

    def _import(self, request, actor, form: ImportForm, site: Site) -> dict | None:
        if not form.is_valid():
            return None
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
            return None
        try:
            content = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
            return None
        try:
            report = translations_import(
                actor=actor,
                fmt=_format_of(upload.name, content),
                content=content,
                dry_run=form.cleaned_data["dry_run"],
            )
        except errors.CmsError as exc:
            form.add_error("file", "; ".join((exc.fields or {}).values()) or exc.message)
            return None
        return self._report(
            report, site, LISTS, title="Import" + (" (dry run: nothing written)" if report["dryRun"] else "")
        )

    def _pretranslate(self, request, actor, form: PretranslateForm, site: Site, block: SiteBlock | None) -> dict | None:
        if not form.is_valid():
            return None
        target = None
        if block is not None:
            target = SiteBlock.objects.filter(
                site=site, translation_key=block.translation_key, locale=form.cleaned_data["locale"]
            ).first()
            if target is None:
                form.add_error("locale", f"“{block.name}” has no copy in this locale: copy it there first.")
                return None
        try:
            report = machine.translations_pretranslate(actor=actor, locale=form.cleaned_data["locale"], block=target)
        except errors.CmsError as exc:
            self._refused(request, "Nothing pre-translated", exc)
            return None
        return self._report(report, site, ("machine", "invalid", "skipped"), title="Machine pre-translation")

    def _provider(self, request, actor, form: ProviderForm, *, remove: bool) -> bool:
        try:
            if remove:
                machine.machine_config_remove(actor=actor)
                self.message_user(request, "Machine translation is switched off for this site.", messages.SUCCESS)
                return True
            if not form.is_valid():
                return False
            key = form.cleaned_data["api_key"] or None  # empty: keep the stored key
            machine.machine_config_set(
                actor=actor, provider=form.cleaned_data["provider"], base_url=form.cleaned_data["base_url"], api_key=key
            )
        except errors.CmsError as exc:
            field_of = {"provider": "provider", "baseUrl": "base_url", "apiKey": "api_key"}
            for where, message in (exc.fields or {}).items():
                form.add_error(field_of.get(where), message)
            if not exc.fields:
                self._refused(request, "Not saved", exc)
            return False
        self.message_user(request, "The machine translation provider is saved.", messages.SUCCESS)
        return True

    def _report(self, report: dict, site: Site, lists: tuple, *, title: str) -> dict:
        """The report with each unit's block name and field label, for people (the API's has ids and paths)."""
        keys = {
            exchange.split_id(entry if isinstance(entry, str) else entry["id"])[0]
            for name in lists
            for entry in report[name]
        }
        valid = [key for key in keys if _is_uuid(key)]
        sources = {
            str(found.translation_key): found
            for found in SiteBlock.objects.filter(
                site=site, locale=site.default_locale, translation_key__in=valid
            ).only("translation_key", "name", "schema")
        }
        sections = []
        for name in lists:
            rows = []
            for entry in report[name]:
                unit_id = entry if isinstance(entry, str) else entry["id"]
                key, data_path = exchange.split_id(unit_id)
                source = sources.get(key)
                label = label_path(source.schema, exchange.path_parts(data_path)) if source and data_path else ""
                rows.append(
                    {
                        "id": unit_id,
                        "block": source.name if source else "",
                        "field": label,
                        "path": data_path or (entry.get("path", "") if isinstance(entry, dict) else ""),
                        "why": entry.get("message") or entry.get("reason", "") if isinstance(entry, dict) else "",
                    }
                )
            sections.append({"name": name, "title": REPORT_TITLES[name], "rows": rows})
        counts = ", ".join(
            f"{REPORT_TITLES[name].split(':')[0].split(' (')[0].lower()} {report['counts'][name]}" for name in lists
        )
        return {"title": title, "locale": report["locale"], "counts": counts, "sections": sections}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
