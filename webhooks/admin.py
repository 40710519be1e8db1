"""Webhooks and their delivery log in the admin, for the owners of each site.

Saving goes through `webhooks.services` (the API's checks, SSRF guard included); deliveries are read-only,
with a "Redeliver" action. Scoping: a user sees the webhooks of the sites they own (`Action.MANAGE`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from accounts.access import actor_for, sites_where
from accounts.admin_filters import OwnedSiteFilter
from accounts.models import Site
from accounts.permissions import Action
from blocks.models import BlockType
from cms import errors
from webhooks.models import Webhook, WebhookDelivery
from webhooks.payloads import EVENTS
from webhooks.services import clean_webhook_values, delivery_redeliver, webhook_create, webhook_delete, webhook_update

FIELD_KEYS = ("url", "name", "events", "block_types", "locales", "is_active", "secret")


class WebhookForm(forms.ModelForm):
    url = forms.CharField(max_length=2048, help_text="http(s) URL of the receiver; public addresses only.")
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )
    block_types = forms.MultipleChoiceField(
        choices=BlockType.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked: both."
    )
    locales = forms.CharField(required=False, help_text="Comma-separated locale codes; empty: every locale.")
    secret = forms.CharField(required=False, help_text="Leave empty to keep it (or to generate one when adding).")

    class Meta:
        model = Webhook
        fields = ["site", "name", "url", "events", "block_types", "locales", "is_active", "secret"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(pk__in=self.site_ids)
        if self.instance.pk:
            self.fields["site"].disabled = True
            self.initial["locales"] = ", ".join(self.instance.locales)
            self.initial["secret"] = ""

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site") or getattr(self.instance, "site", None)
        if site is None:
            return cleaned
        values = {key: cleaned.get(key) for key in FIELD_KEYS if key in cleaned}
        values["locales"] = [code.strip() for code in (cleaned.get("locales") or "").split(",") if code.strip()]
        if not values.get("secret"):
            values.pop("secret", None)
        try:
            clean_webhook_values(site, values, creating=not self.instance.pk)
        except errors.ValidationFailed as exc:
            for key, message in (exc.fields or {}).items():
                field = key.split("[")[0]
                self.add_error(field if field in self.fields else None, message)
        self.values = values
        return cleaned


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("__str__", "site", "url", "is_active", "updated_at")
    list_filter = ("is_active", OwnedSiteFilter)
    search_fields = ("name", "url")
    list_select_related = ("site",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(site_id__in=sites_where(request, Action.MANAGE))

    def has_module_permission(self, request) -> bool:
        return bool(sites_where(request, Action.MANAGE))

    def has_view_permission(self, request, obj=None) -> bool:
        owned = sites_where(request, Action.MANAGE)
        return obj.site_id in owned if obj is not None else bool(owned)

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request) -> bool:
        return bool(sites_where(request, Action.MANAGE))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("WebhookForm", (form,), {"site_ids": sites_where(request, Action.MANAGE)})

    def save_model(self, request, obj, form, change) -> None:
        site = obj.site if change else form.cleaned_data["site"]
        actor = actor_for(request, site)
        if change:
            saved = webhook_update(actor=actor, webhook=obj, changes=form.values)
        else:
            saved = webhook_create(actor=actor, values=form.values)
            obj.shown_secret = saved.secret  # in memory only, for the one page that shows it (`response_add`)
        obj.pk, obj.secret = saved.pk, saved.secret

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the new webhook's signing secret, with a Copy button; never cached."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Webhook created",
            "webhook": obj,
            "secret": getattr(obj, "shown_secret", obj.secret),
        }
        response = TemplateResponse(request, "admin/webhooks/webhook/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def delete_model(self, request, obj: Webhook) -> None:
        """Through the service, like every other write: it checks the role and forgets the site's active hooks."""
        webhook_delete(actor=actor_for(request, obj.site), webhook=obj)

    def delete_queryset(self, request, queryset) -> None:
        for webhook in queryset.select_related("site"):
            self.delete_model(request, webhook)

    def get_deleted_objects(self, objs, request):
        """What the delete confirmation lists: the webhooks, and how many log entries go with them.

        Django's own collects every related row and asks for "delete" permission on each model: deliveries
        are read-only here, so nobody, not even a superuser, could delete a webhook that had any (and a long
        log would be listed row by row). The log goes with its webhook (`webhook_delete`), so it is counted."""
        webhooks = list(objs)
        allowed = all(self.has_delete_permission(request, webhook) for webhook in webhooks)
        logged = WebhookDelivery.objects.filter(webhook__in=webhooks).count()
        to_delete: list = [f"Webhook: {webhook}" for webhook in webhooks]
        counts = {
            str(Webhook._meta.verbose_name_plural): len(webhooks),
            str(WebhookDelivery._meta.verbose_name_plural): logged,
        }
        if logged:
            to_delete.append([f"{logged} deliveries in their log"])
        return to_delete, counts, set() if allowed else {str(Webhook._meta.verbose_name)}, []


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "webhook", "status", "attempts", "response_code", "created_at", "last_attempt_at")
    list_filter = ("status", "event")
    list_select_related = ("webhook",)
    search_fields = ("id",)
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ("redeliver",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(webhook__site_id__in=sites_where(request, Action.MANAGE))

    def has_module_permission(self, request) -> bool:
        return bool(sites_where(request, Action.MANAGE))

    def has_view_permission(self, request, obj=None) -> bool:
        owned = sites_where(request, Action.MANAGE)
        return obj.webhook.site_id in owned if obj is not None else bool(owned)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("webhook__site"):
            try:
                delivery_redeliver(actor=actor_for(request, delivery.webhook.site), delivery=delivery)
                done += 1
            except errors.CmsError as exc:
                messages.warning(request, f"{delivery.pk}: {exc.message}")
        messages.success(request, f"{done} deliveries queued again.")
