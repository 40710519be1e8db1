"""Views of the translation endpoints: status per locale, copy to a locale, sync shared fields."""

from __future__ import annotations

from rest_framework.response import Response

from accounts.api import SiteAPIView
from blocks import selectors, services
from blocks.api.openapi import document
from blocks.api.views.blocks import BlockWriteMixin, block_response
from cms.api.views import allow_params, read_object


class BlockTranslationsView(SiteAPIView):
    @document("translations")
    def get(self, request, slug: str):
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        return Response({"data": selectors.translation_status(self.actor, block)})


class BlockCopyToLocaleView(BlockWriteMixin, SiteAPIView):
    @document("copy-to-locale")
    def post(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = read_object(request, {"locale", "overwrite"}, required=("locale",))
        copy = services.block_copy_to_locale(
            actor=self.actor,
            block=block,
            locale=body["locale"],
            overwrite=body.get("overwrite", False),
            expected_version=expected,
        )
        return block_response(copy)


class BlockSyncSharedFieldsView(BlockWriteMixin, SiteAPIView):
    @document("sync-shared-fields")
    def post(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = read_object(request, {"locales"}) if request.data else {}
        results = services.block_sync_shared_fields(
            actor=self.actor, block=block, locales=body.get("locales"), expected_version=expected
        )
        return Response(
            {
                "data": [
                    {"locale": target.locale, "version": target.version, "changedFields": changed}
                    for target, changed in results
                ]
            }
        )
