"""Site filters for admin lists: only the sites the user may see on that page, never another team's names."""

from __future__ import annotations

from django.contrib import admin

from accounts.access import site_roles, sites_where
from accounts.models import Site
from accounts.permissions import Action
from cms.digits import parse_decimal


class MemberSiteFilter(admin.SimpleListFilter):
    """Sites to filter by: only those the user may see on this page (never another team's names)."""

    title = "site"
    parameter_name = "site"
    action: Action | None = None

    def lookups(self, request, model_admin):
        ids = sites_where(request, self.action) if self.action else list(site_roles(request))
        return [(str(site.pk), site.name) for site in Site.objects.filter(pk__in=ids)]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            site_id = parse_decimal(value)
            if site_id is None:
                return queryset.none()
            return queryset.filter(site_id=site_id)
        return queryset


class OwnedSiteFilter(MemberSiteFilter):
    action = Action.MANAGE
