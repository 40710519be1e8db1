"""Views of the webhooks API: list/create, get/patch/delete, the delivery log and redelivery. Owners only."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.api import SiteAPIView
from cms.api.openapi import PageQuery
from cms.api.pagination import PageMetaPagination
from cms.api.serializers import parse_body
from cms.api.views import allow_params
from webhooks import selectors, services
from webhooks.api.inputs import WebhookInput
from webhooks.api.serializers import (
    DeliveryAnswer,
    DeliveryList,
    WebhookAnswer,
    WebhookDeleted,
    WebhookList,
    delivery_payload,
    webhook_payload,
)
from webhooks.services import WebhookValues


class WebhookView(SiteAPIView):
    openapi_tag = "webhooks"


class WebhookCollectionView(WebhookView):
    @extend_schema(
        operation_id="webhooks.list",
        parameters=[PageQuery],
        responses={200: OpenApiResponse(WebhookList, description="A page of webhooks.")},
    )
    def get(self, request):
        """The site's webhooks (owners)"""
        allow_params(request, {"page", "perPage"})
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(selectors.webhooks_for_actor(self.actor))
        return pagination.response([webhook_payload(hook) for hook in rows], meta)

    @extend_schema(
        operation_id="webhooks.create",
        request=WebhookInput,
        responses={201: OpenApiResponse(WebhookAnswer, description="The webhook, with `secret`.")},
    )
    def post(self, request):
        """Create a webhook (owners); the answer shows its signing secret"""
        allow_params(request)
        serializer = WebhookInput(context={"actor": self.actor, "creating": True})
        values = parse_body(serializer, request)
        with serializer.api_names():
            webhook = services.webhook_create(actor=self.actor, values=cast(WebhookValues, values))
        return Response({"data": webhook_payload(webhook, with_secret=True)}, status=201)


class WebhookDetailView(WebhookView):
    @extend_schema(
        operation_id="webhooks.get", responses={200: OpenApiResponse(WebhookAnswer, description="The webhook.")}
    )
    def get(self, request, webhook_id: str):
        """One webhook (owners)"""
        allow_params(request)
        return Response({"data": webhook_payload(selectors.webhook_for_actor(self.actor, webhook_id))})

    @extend_schema(
        operation_id="webhooks.update",
        request=WebhookInput,
        responses={200: OpenApiResponse(WebhookAnswer, description="The webhook.")},
    )
    def patch(self, request, webhook_id: str):
        """Change a webhook (owners)"""
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        serializer = WebhookInput(context={"actor": self.actor, "creating": False})
        changes = parse_body(serializer, request)
        with serializer.api_names():
            webhook = services.webhook_update(actor=self.actor, webhook=webhook, changes=cast(WebhookValues, changes))
        return Response({"data": webhook_payload(webhook, with_secret="secret" in changes)})

    @extend_schema(
        operation_id="webhooks.delete", responses={200: OpenApiResponse(WebhookDeleted, description="Deleted.")}
    )
    def delete(self, request, webhook_id: str):
        """Delete a webhook (owners)"""
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        services.webhook_delete(actor=self.actor, webhook=webhook)
        return Response({"message": "Webhook deleted"})


class DeliveryListView(WebhookView):
    @extend_schema(
        operation_id="webhooks.deliveries",
        parameters=[PageQuery],
        responses={200: OpenApiResponse(DeliveryList, description="A page of deliveries.")},
    )
    def get(self, request, webhook_id: str):
        """A webhook's delivery log, newest first (owners)"""
        allow_params(request, {"page", "perPage"})
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(selectors.deliveries_for_webhook(webhook))
        return pagination.response([delivery_payload(delivery) for delivery in rows], meta)


class DeliveryDetailView(WebhookView):
    @extend_schema(
        operation_id="webhooks.delivery", responses={200: OpenApiResponse(DeliveryAnswer, description="The delivery.")}
    )
    def get(self, request, webhook_id: str, delivery_id: str):
        """One delivery with the payload sent (owners)"""
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        delivery = selectors.delivery_for_webhook(webhook, delivery_id)
        return Response({"data": delivery_payload(delivery, body=True)})


class DeliveryRedeliverView(WebhookView):
    @extend_schema(
        operation_id="webhooks.redeliver",
        responses={202: OpenApiResponse(DeliveryAnswer, description="Queued again.")},
    )
    def post(self, request, webhook_id: str, delivery_id: str):
        """Send a delivery again (owners)"""
        allow_params(request)
        webhook = selectors.webhook_for_actor(self.actor, webhook_id)
        delivery = selectors.delivery_for_webhook(webhook, delivery_id)
        delivery = services.delivery_redeliver(actor=self.actor, delivery=delivery)
        return Response({"data": delivery_payload(delivery)}, status=202)
