"""Views of the translation endpoints: status per locale, keep, copy to a locale, sync shared fields, and the
exchange of translation files (XLIFF, PO) with translation tools."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.api import SiteAPIView
from accounts.permissions import Action
from blocks import exchange, selectors, services
from blocks.api.inputs import (
    BlockCopyInput,
    BlockKeepInput,
    BlockSyncInput,
    MachineProviderInput,
    PretranslateInput,
    TranslationsImportInput,
)
from blocks.api.serializers import SyncAnswer, TranslationsAnswer
from blocks.api.views.blocks import BlockView, BlockWriteMixin, block_answer, block_response
from blocks.services import machine
from blocks.services.exchange import translations_import
from cms.api.openapi import message_answer
from cms.api.serializers import parse_body
from cms.api.views import allow_params, flag_param


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


EXPORT_PARAMETERS = [
    OpenApiParameter("locale", str, required=True, description="The target locale (not the site's default)."),
    OpenApiParameter(
        "format",
        str,
        required=True,
        enum=list(exchange.FORMATS),
        description="`xliff2` (XLIFF 2.1), `xliff` (XLIFF 1.2) or `po`.",
    ),
]
EXPORT_ANSWER = {
    (200, exchange.CONTENT_TYPE): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The file, XLIFF 2.1 or 1.2 (`.xlf`) or PO (`.po`), named in `Content-Disposition`.",
    ),
}


def file_response(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exchange.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{exchange.EXTENSIONS[fmt]}"'
    return response


class BlockTranslationsExportView(BlockView):
    @extend_schema(
        operation_id="site-blocks.translations.export", parameters=EXPORT_PARAMETERS[1:], responses=EXPORT_ANSWER
    )
    def get(self, request, slug: str):
        """Export a block's units for a translation tool

        The localized values of the block's `?locale=` copy beside its source's, one unit each, as XLIFF or
        PO (docs/translators.md, "Exchange with translation tools")."""
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        fmt = request.query_params.get("format", "")
        content = selectors.translations_export(self.actor, locale=block.locale, fmt=fmt, block=block)
        return file_response(content, fmt, f"{self.actor.site.slug}-{block.slug}-{block.locale}")


class TranslationsExportView(SiteAPIView):
    openapi_tag = "translations"

    @extend_schema(operation_id="translations.export", parameters=EXPORT_PARAMETERS, responses=EXPORT_ANSWER)
    def get(self, request):
        """Export the site's units for a translation tool

        Every block with a copy in `?locale=`, one unit per localized value, as XLIFF or PO."""
        allow_params(request)
        locale = request.query_params.get("locale", "")
        fmt = request.query_params.get("format", "")
        content = selectors.translations_export(self.actor, locale=locale, fmt=fmt)
        return file_response(
            content, fmt, f"{self.actor.site.slug}-{exchange.check_target_locale(self.actor.site, locale)}"
        )


class TranslationsImportView(SiteAPIView):
    openapi_tag = "translations"

    @extend_schema(
        operation_id="translations.import",
        request=TranslationsImportInput,
        parameters=[
            OpenApiParameter("format", str, required=True, enum=list(exchange.FORMATS)),
            OpenApiParameter("dryRun", bool, description="Report what would happen; write nothing."),
        ],
        responses={200: OpenApiResponse(description="The report: each unit in one of its lists, and the counts.")},
    )
    def post(self, request):
        """Import a translated file

        Each block copy the file names is written once (one revision), with the same rules as a data write;
        units whose source changed since the export are reported `outdated`, not applied."""
        allow_params(request, {"dryRun"})
        dry_run = flag_param(request, "dryRun")
        body = parse_body(TranslationsImportInput(), request)
        report = translations_import(
            actor=self.actor, fmt=request.query_params.get("format", ""), content=body["content"], dry_run=dry_run
        )
        return Response({"data": report})


PRETRANSLATE_ANSWER = {
    200: OpenApiResponse(
        description="The report: `machine` (unit ids written and now marked machine-translated), `invalid` "
        "(with `path` and `message`; their blocks were not written), `skipped` (with `reason`), and `counts`."
    ),
    # 404 (no provider set up: the feature is absent) is the generic `not_found`.
    502: OpenApiResponse(
        OpenApiTypes.OBJECT, description="`provider_error`: the provider's answer was unusable; nothing was written."
    ),
    503: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="`provider_unavailable`: the provider could not be reached, timed out or is busy; "
        "nothing was written.",
    ),
}


class TranslationsPretranslateView(SiteAPIView):
    openapi_tag = "translations"

    @extend_schema(operation_id="translations.pretranslate", request=PretranslateInput, responses=PRETRANSLATE_ANSWER)
    def post(self, request):
        """Pre-translate the untranslated fields of a locale by machine

        Every block copy in `locale`: its untranslated text fields are sent to the site's provider and the
        answers written (one revision per block), marked `machine` in the translation status until a person
        keeps or edits them. Outdated, machine and translated fields are left alone."""
        allow_params(request)
        machine.require_provider(self.actor.site)
        body = parse_body(PretranslateInput(), request)
        return Response({"data": machine.translations_pretranslate(actor=self.actor, locale=body["locale"])})


class BlockPretranslateView(BlockView):
    @extend_schema(operation_id="site-blocks.translations.pretranslate", responses=PRETRANSLATE_ANSWER)
    def post(self, request, slug: str):
        """Pre-translate a locale copy's untranslated fields by machine

        The copy `?locale=` names (not the source): as `POST /translations/pretranslate`, for this block."""
        allow_params(request)
        machine.require_provider(self.actor.site)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        report = machine.translations_pretranslate(actor=self.actor, locale=block.locale, block=block)
        return Response({"data": report})


ProviderRemoved = message_answer("MachineProviderRemoved", "Machine translation provider removed")


def provider_answer(config) -> dict:
    return {
        "provider": config.provider,
        "baseUrl": config.base_url,
        "apiKeySet": bool(config.api_key),  # the key itself is write-only
    }


class MachineProviderView(SiteAPIView):
    openapi_tag = "translations"

    @extend_schema(
        operation_id="translations.machine-provider",
        responses={
            200: OpenApiResponse(description="`provider`, `baseUrl`, `apiKeySet` (the key itself is never shown)."),
        },
    )
    def get(self, request):
        """The site's machine translation provider (`not_found` when none is set up)"""
        allow_params(request)
        return Response({"data": provider_answer(machine.require_provider(self.actor.site))})

    @extend_schema(
        operation_id="translations.machine-provider.set",
        request=MachineProviderInput,
        responses={200: OpenApiResponse(description="The provider as `GET` answers it (no key).")},
    )
    def put(self, request):
        """Set up or change the site's machine translation provider (owners)

        `apiKey` is write-only: no answer shows it; leave it out to keep the stored one."""
        allow_params(request)
        self.actor.require(Action.MANAGE)
        body = parse_body(MachineProviderInput(), request)
        config = machine.machine_config_set(
            actor=self.actor, provider=body["provider"], base_url=body["baseUrl"], api_key=body.get("apiKey")
        )
        return Response({"data": provider_answer(config)})

    @extend_schema(
        operation_id="translations.machine-provider.remove",
        responses={200: OpenApiResponse(ProviderRemoved, description="Machine translation is off for the site.")},
    )
    def delete(self, request):
        """Switch machine translation off for the site (owners)"""
        allow_params(request)
        machine.machine_config_remove(actor=self.actor)
        return Response({"message": "Machine translation provider removed"})
