"""Views of the translation endpoints: status per locale, keep, copy to a locale, sync shared fields."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from blocks import selectors, services
from blocks.api.inputs import BlockCopyInput, BlockKeepInput, BlockSyncInput
from blocks.api.serializers import SyncAnswer, TranslationsAnswer
from blocks.api.views.blocks import BlockView, BlockWriteMixin, block_answer, block_response
from cms.api.serializers import parse_body
from cms.api.views import allow_params


class BlockTranslationsView(BlockView):
    @extend_schema(
        operation_id="site-blocks.translations",
        responses={200: OpenApiResponse(TranslationsAnswer, description="Every locale the site enables.")},
    )
    def get(self, request, slug: str):
        """Translation status per locale"""
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        return Response({"data": selectors.translation_status(self.actor, block)})


class BlockKeepTranslationsView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.translations.keep",
        request=BlockKeepInput,
        responses=block_answer("The copy; the fields kept now read as translated."),
    )
    def post(self, request, slug: str):
        """Keep fields of a locale copy as translated

        Confirms that the copy's values at `fields` are right for the source's current values (`?locale=`
        names the copy): they count as translated until the source changes again. One revision."""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = parse_body(BlockKeepInput(context={"actor": self.actor, "block": block}), request)
        kept = services.block_keep_translations(
            actor=self.actor, block=block, fields=body["fields"], expected_version=expected
        )
        return block_response(kept)


class BlockCopyToLocaleView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.copy-to-locale", request=BlockCopyInput, responses=block_answer("The new draft copy.")
    )
    def post(self, request, slug: str):
        """Copy a block to another locale"""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = parse_body(BlockCopyInput(context={"actor": self.actor, "block": block}), request)
        copy = services.block_copy_to_locale(
            actor=self.actor,
            block=block,
            locale=body["locale"],
            overwrite=body.get("overwrite", False),
            expected_version=expected,
        )
        return block_response(copy)


class BlockSyncSharedFieldsView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.sync-shared-fields",
        request=BlockSyncInput,
        responses={200: OpenApiResponse(SyncAnswer, description="Each copy updated.")},
    )
    def post(self, request, slug: str):
        """Copy non-localized fields to the other locales"""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = parse_body(BlockSyncInput(context={"actor": self.actor, "block": block}), request)
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
