"""The templates admin: a site's block templates (shared schemas), their schema builder, and who follows them.

The list shows each template's version and how many blocks follow it; a template's page edits its name,
description and schema with the block page's schema builder (`editor/editor.js`), and lists the blocks that
follow it. Saving goes through the services, as every admin form does (`clean()` makes the one call): a new
template through `blueprints.services.template_create`; a change through `blocks.services.templates.
template_update`, which carries a schema change into every follower and locale copy in one transaction.
Editors and owners change templates; every member reads them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from accounts.access import actor_for, site_roles, sites_where
from accounts.models import Site
from accounts.permissions import Action
from blocks.models import SiteBlock
from blocks.services.templates import template_delete, template_update
from blueprints.models import BlockTemplate
from blueprints.services import template_create
from cms import errors
from editor.forms import SchemaJSONField, _ServiceForm


class TemplateForm(_ServiceForm):
    """A template's name, description and schema; `clean()` saves through the one service of the page."""

    site = forms.ModelChoiceField(queryset=Site.objects.none())
    name = forms.CharField(max_length=200)
    slug = forms.CharField(max_length=200, required=False, help_text="Empty: made from the name. Never changes.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    schema_json = SchemaJSONField(label="Schema")

    site_ids: list[int] = []

    class Meta:
        model = BlockTemplate
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_message: str | None = None
        template = self.instance if self.instance.pk else None
        if template is not None:
            for name in ("site", "slug"):
                del self.fields[name]
            self.initial.update(name=template.name, description=template.description, schema_json=template.schema)
        else:
            self.fields["site"].queryset = Site.objects.filter(pk__in=self.site_ids)
            if len(self.site_ids) == 1:
                self.fields["site"].initial = self.site_ids[0]

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.refused_nul({"schema": cleaned.get("schema_json")}):
            return cleaned
        template = self.instance if self.instance.pk else None
        try:
            if template is None:
                self.saved = template_create(
                    actor=actor_for(self.request, cleaned["site"]),
                    name=cleaned["name"],
                    slug=cleaned["slug"] or None,
                    description=cleaned["description"],
                    schema=cleaned["schema_json"],
                )
            else:
                self.saved, change = template_update(
                    actor=actor_for(self.request, template.site),
                    template=template,
                    expected_version=None,
                    name=cleaned["name"],
                    description=cleaned["description"],
                    schema=cleaned["schema_json"],
                )
                if change and change["fields"]:
                    rows = sum(len(block["copies"]) for block in change["blocks"])
                    self.report_message = f"The schema change reached {rows} block copies that follow it."
        except errors.CmsError as exc:
            self.report(exc)
        return cleaned


@admin.register(BlockTemplate)
class BlockTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "version", "followers_column", "updated_at")
    search_fields = ("name", "slug")
    ordering = ("name", "id")
    change_form_template = "admin/blueprints/blocktemplate/change_form.html"

    class Media:
        css = {"all": ["editor/editor.css"]}
        js = ["editor/editor.js"]

    @admin.display(description="followed by", ordering="follower_count")
    def followers_column(self, template: BlockTemplate) -> int:
        return template.follower_count  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description="blocks that follow it")
    def followers_list(self, template: BlockTemplate) -> str:
        rows = SiteBlock.objects.filter(template=template).order_by("slug", "locale").values_list("slug", "locale")
        if not rows:
            return "None yet."
        items = format_html_join("", "<li>{} ({})</li>", rows)
        return format_html("<ul>{}</ul>", items)

    def get_queryset(self, request):
        found = BlockTemplate.objects.filter(site_id__in=list(site_roles(request))).select_related("site")
        return found.annotate(follower_count=Count("followers"))

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
        """Not while blocks follow it (the page lists them; detach them first)."""
        if obj is not None and SiteBlock.objects.filter(template=obj).exists():
            return False
        return self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        attrs = {"request": request, "site_ids": sites_where(request, Action.WRITE)}
        return type("TemplateForm", (TemplateForm,), attrs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["site", "name", "slug", "description"]})]
        if not self.has_change_permission(request, obj):
            return [(None, {"fields": ["name", "slug", "version", "description", "followers_list"]})]
        return [
            (None, {"fields": ["name", "description"]}),
            ("About", {"fields": ["slug", "version", "followers_list"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return ("name", "slug", "version", "description", "followers_list")
        return ("slug", "version", "followers_list")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context.update(
            schema_field=form["schema_json"] if "schema_json" in form.fields else None,
            schema_errors=getattr(form, "schema_errors", {}),
            schema_readonly=obj is not None and not self.has_change_permission(request, obj),
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_form(self, request, form, change):
        """The services already saved in `form.clean()`; hand the admin what they returned."""
        if form.report_message:
            self.message_user(request, form.report_message, messages.INFO)
        return form.saved or form.instance

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def delete_model(self, request, obj: BlockTemplate) -> None:
        """Through the service: a template that blocks follow is not deleted (the message says why)."""
        try:
            template_delete(actor=actor_for(request, obj.site), template=obj, expected_version=None)
        except errors.CmsError as exc:
            self.message_user(request, f"Not deleted: {obj.name}: {exc.message}", messages.ERROR)

    def delete_queryset(self, request, queryset) -> None:
        for template in queryset:
            self.delete_model(request, template)
