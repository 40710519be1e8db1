"""URLs of the management API for site blocks (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from blocks.api.views import blocks, revisions, templates, translations

SLUG = r"(?P<slug>[^/]+)"
REVISION = r"(?P<number>[0-9]+)"  # the per-block revision number, as the list shows it

urlpatterns = [
    re_path(r"^site-blocks/?$", blocks.BlockCollectionView.as_view(), name="site-blocks"),
    # Before the block detail route, which would take `types.ts` for a slug (slugs never hold a dot).
    re_path(r"^site-blocks/types\.ts$", blocks.BlockTypesView.as_view(), name="site-block-types"),
    re_path(rf"^site-blocks/{SLUG}/?$", blocks.BlockDetailView.as_view(), name="site-block"),
    re_path(rf"^site-blocks/{SLUG}/schema/?$", blocks.BlockSchemaView.as_view(), name="site-block-schema"),
    re_path(rf"^site-blocks/{SLUG}/data/?$", blocks.BlockDataView.as_view(), name="site-block-data"),
    re_path(rf"^site-blocks/{SLUG}/publish/?$", blocks.BlockPublishView.as_view(), name="site-block-publish"),
    re_path(rf"^site-blocks/{SLUG}/unpublish/?$", blocks.BlockUnpublishView.as_view(), name="site-block-unpublish"),
    re_path(
        rf"^site-blocks/{SLUG}/json-schema/?$", blocks.BlockJsonSchemaView.as_view(), name="site-block-json-schema"
    ),
    re_path(
        rf"^site-blocks/{SLUG}/translations/?$",
        translations.BlockTranslationsView.as_view(),
        name="site-block-translations",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/translations/export/?$",
        translations.BlockTranslationsExportView.as_view(),
        name="site-block-translations-export",
    ),
    re_path(r"^translations/export/?$", translations.TranslationsExportView.as_view(), name="translations-export"),
    re_path(r"^translations/import/?$", translations.TranslationsImportView.as_view(), name="translations-import"),
    re_path(
        r"^translations/pretranslate/?$",
        translations.TranslationsPretranslateView.as_view(),
        name="translations-pretranslate",
    ),
    re_path(
        r"^translations/machine-provider/?$",
        translations.MachineProviderView.as_view(),
        name="translations-machine-provider",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/translations/pretranslate/?$",
        translations.BlockPretranslateView.as_view(),
        name="site-block-translations-pretranslate",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/translations/keep/?$",
        translations.BlockKeepTranslationsView.as_view(),
        name="site-block-translations-keep",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/copy-to-locale/?$",
        translations.BlockCopyToLocaleView.as_view(),
        name="site-block-copy-to-locale",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/sync-shared-fields/?$",
        translations.BlockSyncSharedFieldsView.as_view(),
        name="site-block-sync-shared-fields",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/detach-template/?$",
        templates.BlockDetachTemplateView.as_view(),
        name="site-block-detach-template",
    ),
    re_path(r"^templates/?$", templates.TemplateCollectionView.as_view(), name="templates"),
    re_path(rf"^templates/{SLUG}/?$", templates.TemplateDetailView.as_view(), name="template"),
    re_path(rf"^site-blocks/{SLUG}/revisions/?$", revisions.RevisionListView.as_view(), name="site-block-revisions"),
    re_path(
        rf"^site-blocks/{SLUG}/revisions/compare/?$",
        revisions.RevisionCompareView.as_view(),
        name="site-block-revisions-compare",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/revisions/{REVISION}/?$",
        revisions.RevisionDetailView.as_view(),
        name="site-block-revision",
    ),
    re_path(
        rf"^site-blocks/{SLUG}/revisions/{REVISION}/restore/?$",
        revisions.RevisionRestoreView.as_view(),
        name="site-block-revision-restore",
    ),
]
