"""URLs of the webhooks API (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from webhooks.api import views

HOOK = r"(?P<webhook_id>[^/]+)"
DELIVERY = r"(?P<delivery_id>[^/]+)"

urlpatterns = [
    re_path(r"^webhooks/?$", views.WebhookCollectionView.as_view(), name="webhooks"),
    re_path(rf"^webhooks/{HOOK}/?$", views.WebhookDetailView.as_view(), name="webhook"),
    re_path(rf"^webhooks/{HOOK}/deliveries/?$", views.DeliveryListView.as_view(), name="webhook-deliveries"),
    re_path(rf"^webhooks/{HOOK}/deliveries/{DELIVERY}/?$", views.DeliveryDetailView.as_view(), name="webhook-delivery"),
    re_path(
        rf"^webhooks/{HOOK}/deliveries/{DELIVERY}/redeliver/?$",
        views.DeliveryRedeliverView.as_view(),
        name="webhook-delivery-redeliver",
    ),
]
