"""Sites, members and API tokens in the admin: what a site owner needs to run a team without a shell.

Scoping follows the block list (`accounts.access`): a user sees the sites they belong to (a superuser, all).
- Sites: in `locales/admin.py`, since a site is created and configured with its locales.
- Members: owners only. Add an existing user by username, change a role, remove; the last owner of a site
  can be neither demoted nor removed.
- API tokens: an owner issues and revokes tokens for any member of their site; every other member for
  themselves, with the scopes their role can use. The secret is in the answer to the creating POST and
  nowhere else: not in a message, the session or the database.

Every write goes through `accounts.services` (the rules the commands use); the forms only route their errors
to fields. Objects of a member's own sites are found even when the page is not theirs to see, so a forged
POST by an editor to an owner's URL is a 403 rather than a "does not exist" redirect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.access import actor_for, forget_site_roles, site_roles, sites_where
from accounts.admin_filters import MemberSiteFilter, OwnedSiteFilter
from accounts.models import ApiToken, Membership, Role, Site
from accounts.permissions import Action
from accounts.services import (
    DEFAULT_TOKEN_SCOPES,
    TOKEN_SCOPES,
    membership_add,
    membership_change_role,
    membership_remove,
    membership_set_reviewer,
    token_issue,
    token_revoke,
)
from cms import errors

if TYPE_CHECKING:
    # django-stubs-ext is a tool of the type checker only (installed with django-stubs), not a runtime need.

    class _SiteListAnnotations(TypedDict):
        """What `SiteAdmin.get_queryset` adds to each site of the list."""

        member_count: int
        your_role: str


def token_status(token: ApiToken, now=None) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


# -- forms ----------------------------------------------------------------------------------------------------
class ServiceForm(forms.ModelForm):
    """`clean()` calls one service (inside the admin's transaction); its errors land beside their fields."""

    request = None
    field_map: dict[str, str] = {}  # a service's field name -> this form's field

    class Meta:
        model = Site
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved = None

    def _post_clean(self) -> None:
        """No model validation here: the services check everything (and write)."""

    def add_service_error(self, exc: errors.CmsError) -> None:
        for key, message in (exc.fields or {}).items():
            field = self.field_map.get(key, key)
            self.add_error(field if field in self.fields else None, message)
        if not exc.fields:
            self.add_error(None, exc.message)

    def run(self, service, **kwargs):
        try:
            self.saved = service(**kwargs)
        except errors.CmsError as exc:
            self.add_service_error(exc)
        return self.saved


class MembershipAddForm(ServiceForm):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    username = forms.CharField(max_length=150, help_text="The user must already have an account.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)
    site_ids: list[int] = []

    class Meta:
        model = Membership
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(pk__in=self.site_ids)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        actor = actor_for(self.request, cleaned["site"])
        self.run(membership_add, actor=actor, username=cleaned["username"], role=cleaned["role"])
        return cleaned


class MembershipChangeForm(ServiceForm):
    class Meta:
        model = Membership
        fields = ["role", "is_reviewer"]
        labels = {"is_reviewer": "Reviewer"}
        help_texts = {"is_reviewer": "May approve or request changes on review requests (owners always may)."}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        actor = actor_for(self.request, self.instance.site)
        self.run(membership_change_role, actor=actor, membership=self.instance, role=cleaned["role"])
        if not self.errors:
            self.run(membership_set_reviewer, actor=actor, membership=self.instance, is_reviewer=cleaned["is_reviewer"])
        return cleaned


class TokenAddForm(ServiceForm):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), help_text="A member of the site; the token acts as them."
    )
    name = forms.CharField(max_length=100, required=False, help_text="A label to recognise the token by.")
    scopes = forms.MultipleChoiceField(
        choices=[(scope.value, scope.label) for scope in TOKEN_SCOPES],
        initial=[scope.value for scope in DEFAULT_TOKEN_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="The member's role caps them: a viewer reads (and previews), a translator also writes.",
    )
    expires_at = forms.SplitDateTimeField(
        required=False, widget=AdminSplitDateTime, help_text="Optional; empty: never expires."
    )
    field_map = {"expiresAt": "expires_at"}
    site_ids: list[int] = []
    managed_site_ids: list[int] = []

    class Meta:
        model = ApiToken
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(pk__in=self.site_ids)
        if self.managed_site_ids:
            members = Q(memberships__site_id__in=self.managed_site_ids) | Q(pk=self.request.user.pk)
            users = get_user_model().objects.filter(members).distinct().order_by("username")
            self.fields["user"].queryset = users
            self.fields["user"].initial = self.request.user.pk
        else:  # not an owner anywhere: tokens for oneself only
            del self.fields["user"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        result = self.run(
            token_issue,
            actor=actor_for(self.request, cleaned["site"]),
            user=cleaned.get("user") or self.request.user,
            name=cleaned.get("name") or "",
            scopes=cleaned["scopes"],
            expires_at=cleaned.get("expires_at"),
        )
        if result is not None:
            token, secret = result
            token.shown_secret = secret  # in memory only, for the one page that shows it
            self.saved = token
        return cleaned


# -- list filters ---------------------------------------------------------------------------------------------
class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def _get_from(queryset, model_admin, object_id):
    """`ModelAdmin.get_object` over another queryset (a None when missing or malformed, as Django does)."""
    field = model_admin.model._meta.pk
    try:
        return queryset.get(**{field.name: field.to_python(unquote(object_id))})
    except (model_admin.model.DoesNotExist, ValidationError, ValueError):
        return None


# -- members --------------------------------------------------------------------------------------------------
@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("username_column", "full_name_column", "site", "role", "created_at")
    list_filter = (OwnedSiteFilter, "role")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "site")
    ordering = ("site__name", "user__username")
    actions = None

    @admin.display(description="user", ordering="user__username")
    def username_column(self, membership: Membership) -> str:
        return membership.user.get_username()

    @admin.display(description="name")
    def full_name_column(self, membership: Membership) -> str:
        return membership.user.get_full_name()

    def get_queryset(self, request):
        managed = sites_where(request, Action.MANAGE)
        return Membership.objects.filter(site_id__in=managed).select_related("user", "site")

    def get_object(self, request, object_id, from_field=None):
        """Any membership of the user's own sites, so that a non-owner's forged POST gets 403 below."""
        visible = Membership.objects.filter(site_id__in=list(site_roles(request))).select_related("user", "site")
        return _get_from(visible, self, object_id)

    def has_module_permission(self, request) -> bool:
        return bool(sites_where(request, Action.MANAGE))

    def has_view_permission(self, request, obj=None) -> bool:
        managed = sites_where(request, Action.MANAGE)
        return obj.site_id in managed if obj is not None else bool(managed)

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request) -> bool:
        return bool(sites_where(request, Action.MANAGE))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            attrs = {"request": request, "site_ids": sites_where(request, Action.MANAGE)}
            return type("MembershipAddForm", (MembershipAddForm,), attrs)
        return type("MembershipChangeForm", (MembershipChangeForm,), {"request": request})

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["site", "username", "role"]})]
        return [
            (None, {"fields": ["username_column", "full_name_column", "site", "role", "is_reviewer", "created_at"]})
        ]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("username_column", "full_name_column", "site", "created_at")

    def save_form(self, request, form, change):
        forget_site_roles(request)
        return form.saved

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def delete_view(self, request, object_id, extra_context=None):
        """Removal goes through `membership_remove` (last-owner rule, tokens revoked); a refusal is shown on
        the member's page instead of Django's cascade delete."""
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)
        membership = self.get_object(request, object_id)
        if membership is None:
            return super().delete_view(request, object_id, extra_context)  # Django's "does not exist"
        if not self.has_delete_permission(request, membership):
            raise PermissionDenied
        try:
            with transaction.atomic():
                self.log_deletions(request, [membership])
                revoked = membership_remove(actor=actor_for(request, membership.site), membership=membership)
        except errors.CmsError as exc:
            self.message_user(request, f"Not removed: {exc.message}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounts_membership_change", args=[membership.pk]))
        forget_site_roles(request)
        note = f" {revoked} API token(s) of theirs on this site were revoked." if revoked else ""
        self.message_user(request, f"Removed {membership.user} from {membership.site}.{note}", messages.SUCCESS)
        if membership.user_id == request.user.pk and not self.has_module_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return HttpResponseRedirect(reverse("admin:accounts_membership_changelist"))


# -- API tokens -----------------------------------------------------------------------------------------------
@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix_column",
        "name",
        "user",
        "site",
        "scopes_column",
        "status_column",
        "last_used_at",
        "expires_at",
        "created_at",
    )
    list_filter = (MemberSiteFilter, TokenStatusFilter)
    search_fields = ("name", "display_prefix", "user__username")
    list_select_related = ("user", "site")
    ordering = ("-created_at", "-id")
    actions = ("revoke_selected",)
    change_form_template = "admin/accounts/apitoken/change_form.html"
    fields = (
        "prefix_column",
        "name",
        "user",
        "site",
        "scopes_column",
        "status_column",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields

    @admin.display(description="token", ordering="display_prefix")
    def prefix_column(self, token: ApiToken) -> str:
        return format_html("<code>{}…</code>", token.display_prefix)

    @admin.display(description="scopes")
    def scopes_column(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description="status")
    def status_column(self, token: ApiToken) -> str:
        return token_status(token)

    # -- scoping: owners see every token of their sites, other members their own
    def get_queryset(self, request):
        own = Q(user_id=request.user.pk, site_id__in=list(site_roles(request)))
        return ApiToken.objects.filter(Q(site_id__in=sites_where(request, Action.MANAGE)) | own).select_related(
            "user", "site"
        )

    def get_object(self, request, object_id, from_field=None):
        visible = ApiToken.objects.filter(site_id__in=list(site_roles(request))).select_related("user", "site")
        return _get_from(visible, self, object_id)

    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return bool(site_roles(request))
        return obj.site_id in sites_where(request, Action.MANAGE) or (
            obj.user_id == request.user.pk and obj.site_id in site_roles(request)
        )

    def has_add_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a token is never edited: revoke it and issue another

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens stay listed, so the history of who had access stays visible

    def has_revoke_permission(self, request, obj=None) -> bool:
        return self.has_view_permission(request, obj)

    # -- issuing: the secret is in this one answer only
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        attrs = {
            "request": request,
            "site_ids": list(site_roles(request)),
            "managed_site_ids": sites_where(request, Action.MANAGE),
        }
        return type("TokenAddForm", (TokenAddForm,), attrs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = ["site", "user", "name", "scopes", "expires_at"]
            if not sites_where(request, Action.MANAGE):
                fields.remove("user")
            return [(None, {"fields": fields})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that ever shows the secret (the admin's views are `never_cache` already)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API token created",
            "token": obj,
            "secret": obj.shown_secret,
            "api_url": request.build_absolute_uri("/api/v1/site-blocks"),
        }
        response = TemplateResponse(request, "admin/accounts/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    # -- revoking
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/revoke/", wrap(self.revoke_view), name="accounts_apitoken_revoke"),
            *super().get_urls(),
        ]

    def revoke_view(self, request, object_id):
        token = self.get_object(request, object_id)
        if token is None:
            raise Http404("No such token.")
        if not self.has_revoke_permission(request, token):
            raise PermissionDenied
        if request.method == "POST":
            try:
                token_revoke(actor=actor_for(request, token.site), token=token)
            except errors.CmsError as exc:
                self.message_user(request, f"Not revoked: {exc.message}", messages.ERROR)
            else:
                self.log_change(request, token, "Revoked.")
                self.message_user(request, f"Revoked {token}.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:accounts_apitoken_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revoke {token}?",
            "token": token,
            "status": token_status(token),
        }
        return TemplateResponse(request, "admin/accounts/apitoken/revoke.html", context)

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                token_revoke(actor=actor_for(request, token.site), token=token)
                done += 1
            except errors.CmsError as exc:
                self.message_user(request, f"Not revoked: {token}: {exc.message}", messages.ERROR)
        self.message_user(request, f"Revoked {done} token(s).", messages.SUCCESS)
