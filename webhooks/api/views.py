"""Views of the webhooks API: list/create, get/patch/delete, the delivery log and redelivery. Owners only."""

from __future__ import annotations

from rest_framework.response import Response

from accounts.api import SiteAPIView
from cms.api.pagination import PageMetaPagination
from cms.api.views import allow_params, read_object
from webhooks import selectors, services
from webhooks.api import openapi
from webhooks.api.serializers import delivery_payload, webhook_payload

WRITE_KEYS = set(services.FIELDS)


class WebhookCollectionView(SiteAPIView):
    @openapi.list_webhooks
    def get(self, request):
        allow_params(request, {"page", "perPage"})
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(selectors.webhooks_for_actor(self.actor))
        return pagination.response([webhook_payload(hook) for hook in rows], meta)

    @openapi.create_webhook
    def post(self, request):
        allow_params(request)
        webhook = services.webhook_create(actor=self.actor, body=read_object(request, WRITE_KEYS))
        return Response({"data": webhook_payload(webhook, with_secret=True)}, status=201)


class WebhookDetailView(SiteAPIView):
    @openapi.get_webhook
    def get(self, request, webhook_id: str):
        allow_params(request)
        return Response({"data": webhook_payload(selectors.webhook_for_actor(self.actor, webhook_id))})

    @openapi.update_webhook
    def patch(self, request, webhook_id: str):
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        body = read_object(request, WRITE_KEYS)
        webhook = services.webhook_update(actor=self.actor, webhook=webhook, body=body)
        return Response({"data": webhook_payload(webhook, with_secret="secret" in body)})

    @openapi.delete_webhook
    def delete(self, request, webhook_id: str):
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        services.webhook_delete(actor=self.actor, webhook=webhook)
        return Response({"message": "Webhook deleted"})


class DeliveryListView(SiteAPIView):
    @openapi.list_deliveries
    def get(self, request, webhook_id: str):
        allow_params(request, {"page", "perPage"})
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(selectors.deliveries_for_webhook(webhook))
        return pagination.response([delivery_payload(delivery) for delivery in rows], meta)


class DeliveryDetailView(SiteAPIView):
    @openapi.get_delivery
    def get(self, request, webhook_id: str, delivery_id: str):
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        delivery = selectors.delivery_for_webhook(webhook, delivery_id)
        return Response({"data": delivery_payload(delivery, body=True)})


class DeliveryRedeliverView(SiteAPIView):
    @openapi.redeliver
    def post(self, request, webhook_id: str, delivery_id: str):
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        delivery = selectors.delivery_for_webhook(webhook, delivery_id)
        delivery = services.delivery_redeliver(actor=self.actor, delivery=delivery)
        return Response({"data": delivery_payload(delivery)}, status=202)
