"""Sites in the admin: every member sees their sites; owners change name, default locale, time zone and
visibility; only superusers create a site (`site_create`, as the `create_site` command). Enabled locales and
their fallbacks are managed through the locales API and shown read-only here.

It lives in `locales` because a site is created with its locales and its default locale is one of them
(`locales.sites`); members and tokens stay in `accounts/admin.py`, whose form base it shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.access import actor_for, forget_site_roles, site_roles, sites_where
from accounts.admin import ServiceForm
from accounts.models import Membership, Role, Site
from accounts.permissions import Action
from locales.selectors import enabled_locale_codes, site_locale_rows
from locales.sites import site_create, site_update

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # for the type checker only

    class _SiteListAnnotations(TypedDict):
        """What `SiteAdmin.get_queryset` annotates each row of the site list with."""

        your_role: str
        member_count: int


class SiteAddForm(ServiceForm):
    slug = forms.SlugField(max_length=100, help_text="URL name, e.g. `acme` (the delivery API uses it).")
    name = forms.CharField(max_length=200)
    locales = forms.CharField(initial="en", help_text="Comma-separated locale codes, e.g. en, fr, fr-CA.")
    default_locale = forms.CharField(required=False, help_text="One of the locales (default: the first).")
    timezone = forms.CharField(initial="UTC", help_text="IANA time zone, e.g. Europe/Paris.")
    field_map = {"defaultLocale": "default_locale"}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        codes = [code.strip() for code in cleaned["locales"].split(",") if code.strip()]
        self.run(
            site_create,
            slug=cleaned["slug"],
            name=cleaned["name"],
            locales=codes,
            default_locale=cleaned.get("default_locale") or (codes[0] if codes else ""),
            timezone_name=cleaned["timezone"],
        )
        return cleaned


class SiteChangeForm(ServiceForm):
    name = forms.CharField(max_length=200)
    default_locale = forms.ChoiceField(help_text="One of the site's enabled locales.")
    timezone = forms.CharField(max_length=64, help_text="IANA time zone, e.g. Europe/Paris.")
    is_public = forms.BooleanField(required=False, help_text="Public sites serve the delivery API without a token.")
    preview_url = forms.CharField(
        max_length=500,
        required=False,
        label="Preview URL",
        help_text=Site._meta.get_field("preview_url").help_text,
        widget=forms.TextInput(attrs={"size": 80, "inputmode": "url"}),
    )
    review_required = forms.BooleanField(
        required=False,
        label="Review before publish",
        help_text=Site._meta.get_field("review_required").help_text,
    )
    field_map = {"defaultLocale": "default_locale", "previewUrl": "preview_url"}

    class Meta:
        model = Site
        fields = ["name", "default_locale", "timezone", "is_public", "preview_url", "review_required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = enabled_locale_codes(self.instance) if self.instance.pk else []
        self.fields["default_locale"].choices = [(code, code) for code in codes]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self.run(
            site_update,
            actor=actor_for(self.request, self.instance),
            name=cleaned["name"],
            timezone_name=cleaned["timezone"],
            is_public=cleaned["is_public"],
            default_locale=cleaned["default_locale"],
            preview_url=cleaned["preview_url"],
            review_required=cleaned["review_required"],
        )
        return cleaned


# -- sites ----------------------------------------------------------------------------------------------------
@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_locale", "timezone", "is_public", "role_column", "members_column")
    search_fields = ("name", "slug")
    ordering = ("name",)
    actions = None

    def get_queryset(self, request):
        """The user's sites, each with the member count and the user's role, in the one list query."""
        visible = Site.objects.filter(pk__in=list(site_roles(request)))
        if request.user.is_superuser:
            role = Value(Role.OWNER, output_field=CharField())
        else:
            role = Subquery(Membership.objects.filter(site=OuterRef("pk"), user=request.user).values("role")[:1])
        return visible.annotate(member_count=Count("memberships"), your_role=role)

    @admin.display(description="your role", ordering="your_role")
    def role_column(self, site: WithAnnotations[Site, _SiteListAnnotations]) -> str:
        return site.your_role

    @admin.display(description="members", ordering="member_count")
    def members_column(self, site: WithAnnotations[Site, _SiteListAnnotations]) -> int:
        return site.member_count

    @admin.display(description="enabled locales")
    def locales_summary(self, site: Site) -> str:
        rows = site_locale_rows(site)
        parts = [
            (
                row.locale.code,
                " (default)" if row.locale.code == site.default_locale else "",
                f" → {row.fallback_code}" if row.fallback_id else "",
            )
            for row in rows
        ]
        listed = format_html_join(", ", "<code>{}</code>{}{}", parts)
        return format_html(
            "{}<div class='help'>Enable, disable and set fallbacks with the locales API "
            "(<code>/api/v1/locales</code>).</div>",
            listed,
        )

    @admin.display(description="team")
    def team_links(self, site: Site) -> str:
        members = reverse("admin:accounts_membership_changelist") + f"?site={site.pk}"
        tokens = reverse("admin:accounts_apitoken_changelist") + f"?site={site.pk}"
        return format_html('<a href="{}">Members</a> · <a href="{}">API tokens</a>', members, tokens)

    # -- powers
    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        roles = site_roles(request)
        return obj.pk in roles if obj is not None else bool(roles)

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        owned = sites_where(request, Action.MANAGE)
        return obj.pk in owned if obj is not None else bool(owned)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a site takes every block, token and revision with it: not a click away

    # -- forms
    def get_form(self, request, obj=None, change=False, **kwargs):
        base = SiteChangeForm if obj is not None else SiteAddForm
        return type(base.__name__, (base,), {"request": request})

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["slug", "name", "locales", "default_locale", "timezone"]})]
        return [
            (
                None,
                {
                    "fields": [
                        "name",
                        "slug",
                        "default_locale",
                        "timezone",
                        "is_public",
                        "preview_url",
                        "review_required",
                    ]
                },
            ),
            ("Locales", {"fields": ["locales_summary"]}),
            ("Team", {"fields": ["team_links", "created_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("slug", "locales_summary", "team_links", "created_at")

    def save_form(self, request, form, change):
        forget_site_roles(request)  # a new site joins a superuser's list
        return form.saved

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass
