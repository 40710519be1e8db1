"""Locale copies through the API: copy-to-locale, translation status, outdated fields, shared fields, roles."""

from __future__ import annotations

import pytest
from reversion.models import Version

from blocks import services
from blocks.models import SiteBlock
from blocks.services import writing

HEADER_SCHEMA = [
    {"name": "logo", "type": "image", "label": "Logo"},
    {"name": "navLinks", "type": "array", "label": "Navigation Links"},
]
HEADER_DATA = {
    "logo": {"url": "https://cdn.lynkow.com/sites/abc123/logo.svg", "alt": "Company Logo"},
    "navLinks": [{"label": "Home", "url": "/"}, {"label": "Blog", "url": "/blog"}],
}
PROMO_SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "subtitle", "type": "text"},
    {"name": "price", "type": "number"},
    {"name": "featured", "type": "boolean"},
    {"name": "theme", "type": "select", "options": ["light", "dark"]},
    {
        "name": "hero",
        "type": "object",
        "fields": [
            {"name": "heading", "type": "string"},
            {"name": "accent", "type": "color"},
            {"name": "cta", "type": "object", "fields": [{"name": "text", "type": "string"}]},
        ],
    },
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}]},
    },
]
PROMO_DATA = {
    "title": "Spring sale",
    "subtitle": "Everything must go",
    "price": 10,
    "featured": True,
    "theme": "light",
    "hero": {"heading": "Big savings", "accent": "#ff0000", "cta": {"text": "Shop now"}},
    "links": [{"label": "Shoes", "url": "/shoes"}, {"label": "Hats", "url": "/hats"}],
}
# title, subtitle, hero.heading, hero.cta.text, links[0].label, links[0].url, links[1].label, links[1].url
PROMO_UNITS = 8


def create(api, name, schema, data, **extra):
    response = api.post(
        "/api/v1/site-blocks", {"name": name, "type": "global", "schema": schema, "data": data, **extra}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def copy_to(api, slug, locale, **body):
    return api.post(f"/api/v1/site-blocks/{slug}/copy-to-locale", {"locale": locale, **body}, format="json")


def status(api, slug, locale=None):
    suffix = f"?locale={locale}" if locale else ""
    response = api.get(f"/api/v1/site-blocks/{slug}/translations{suffix}")
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def put_data(api, slug, data, locale=None):
    suffix = f"?locale={locale}" if locale else ""
    response = api.put(f"/api/v1/site-blocks/{slug}/data{suffix}", {"data": data}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def keep(api, slug, locale, fields):
    response = api.post(
        f"/api/v1/site-blocks/{slug}/translations/keep?locale={locale}", {"fields": fields}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def state(status, translated=(), outdated=(), untranslated=(), diverged=()):
    """A locale's whole translation state, from its field paths."""
    return {
        "status": status,
        "translatedFields": len(translated),
        "totalFields": len(translated) + len(outdated) + len(untranslated),
        "outdated": bool(outdated),
        "outdatedFields": list(outdated),
        "counts": {
            "translated": len(translated),
            "outdated": len(outdated),
            "untranslated": len(untranslated),
            "machine": 0,
        },
        "fields": {
            "translated": list(translated),
            "outdated": list(outdated),
            "untranslated": list(untranslated),
            "machine": [],
        },
        "divergedSharedFields": list(diverged),
    }


PROMO_PATHS = [
    "title",
    "subtitle",
    "hero.heading",
    "hero.cta.text",
    "links[0].label",
    "links[1].label",
    "links[0].url",
    "links[1].url",
]


def revisions_of(slug, locale) -> int:
    return Version.objects.get_for_object(SiteBlock.objects.get(slug=slug, locale=locale)).count()


@pytest.mark.django_db
def test_reference_example_shape_from_the_matching_calls(api):
    """en complete, fr missing, es partial (es copied, translated, then the English logo text changed)."""
    create(api, "Header", HEADER_SCHEMA, HEADER_DATA)
    assert copy_to(api, "header", "es").status_code == 200
    assert status(api, "header")["es"] == state("partial", untranslated=["logo"])  # copied is not translated
    put_data(api, "header", {"logo": {**HEADER_DATA["logo"], "alt": "Logo de la empresa"}}, locale="es")
    assert status(api, "header")["es"] == state("complete", translated=["logo"])
    put_data(api, "header", {"logo": {**HEADER_DATA["logo"], "alt": "Company logo, new"}})
    assert status(api, "header") == {
        "en": state("complete", translated=["logo"]),
        "es": state("partial", outdated=["logo"]),
        "fr": state("missing", untranslated=["logo"]),
    }
    assert status(api, "header", locale="es") == status(api, "header")  # the same answer from any copy


@pytest.mark.django_db
def test_copy_to_locale_creates_a_draft_with_the_same_content(api):
    source = create(api, "About", PROMO_SCHEMA, PROMO_DATA, tags=["nav"])
    api.post("/api/v1/site-blocks/about/publish")
    response = copy_to(api, "about", "fr")
    assert response.status_code == 200, response.json()
    body = response.json()["data"]
    assert body["locale"] == "fr" and body["status"] == "draft" and body["id"] != source["id"]
    for key in ("name", "slug", "type", "tags", "schema", "data"):
        assert body[key] == source[key], key
    assert response["ETag"] == f'"{body["id"]}-1"'
    en, fr = SiteBlock.objects.get(locale="en"), SiteBlock.objects.get(locale="fr")
    assert en.translation_key == fr.translation_key
    assert revisions_of("about", "fr") == 1


@pytest.mark.django_db
def test_copy_of_a_page_keeps_its_path(api):
    api.post("/api/v1/site-blocks", {"name": "About", "type": "page", "path": "/about"}, format="json")
    assert copy_to(api, "about", "es").json()["data"]["path"] == "/about"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"locale": "de"}, "validation_failed", "locale"),
        ({"locale": "en"}, "validation_failed", "locale"),
        ({"locale": 3}, "validation_failed", "locale"),
        ({}, "validation_failed", "locale"),
        ({"locale": "fr", "overwrite": "yes"}, "validation_failed", "overwrite"),
        ({"locale": "fr", "bogus": 1}, "validation_failed", "bogus"),
    ],
)
def test_copy_refusals_name_the_field(api, body, code, field):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    response = api.post("/api/v1/site-blocks/promo/copy-to-locale", body, format="json")
    assert response.status_code == 422, response.json()
    assert response.json()["error"]["code"] == code
    assert field in response.json()["error"]["fields"]
    assert not SiteBlock.objects.exclude(locale="en").exists()


@pytest.mark.django_db
def test_existing_copy_is_a_conflict_unless_overwrite(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    put_data(api, "promo", {"title": "Soldes"}, locale="fr")
    response = copy_to(api, "promo", "fr")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "A `fr` copy of this block already exists; send `overwrite: true` to replace it.",
        "fields": {"locale": "A copy in this locale already exists."},
    }
    before = revisions_of("promo", "fr")
    response = copy_to(api, "promo", "fr", overwrite=True)
    assert response.status_code == 200
    assert response.json()["data"]["data"] == PROMO_DATA  # title replaced
    assert revisions_of("promo", "fr") == before + 1
    assert status(api, "promo")["fr"] == state("partial", untranslated=PROMO_PATHS)  # the copy starts over


@pytest.mark.django_db
def test_slug_taken_by_another_block_in_the_target_locale_is_a_conflict(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    create(api, "Promo", [], {}, locale="fr")  # an unrelated block with the same slug
    response = copy_to(api, "promo", "fr")
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"slug": "Taken."}


@pytest.mark.django_db
def test_one_source_edit_marks_exactly_that_field_in_every_copy(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    copy_to(api, "promo", "es")
    put_data(api, "promo", {"title": "Fr title"}, locale="fr")
    keep(api, "promo", "es", PROMO_PATHS)  # es keeps every copied value as right
    keep(api, "promo", "fr", PROMO_PATHS[1:])
    assert status(api, "promo")["fr"] == state("complete", translated=PROMO_PATHS)

    put_data(api, "promo", {"title": "Summer sale", "price": 12})  # price is not localized: no mark
    states = status(api, "promo")
    for code in ("fr", "es"):
        assert states[code] == state("partial", translated=PROMO_PATHS[1:], outdated=["title"]), code

    links = [{"label": "Shoes", "url": "/shoes"}, {"label": "Caps", "url": "/hats"}]
    put_data(api, "promo", {"links": links, "hero": {**PROMO_DATA["hero"], "cta": {"text": "Buy"}}})
    assert status(api, "promo")["es"]["outdatedFields"] == ["title", "hero.cta.text", "links[1].label"]

    put_data(api, "promo", {"title": "Soldes d'été"}, locale="fr")  # the translator updates one field
    assert status(api, "promo")["fr"]["outdatedFields"] == ["hero.cta.text", "links[1].label"]
    es = SiteBlock.objects.get(locale="es")
    put_data(api, "promo", {"title": es.data["title"], "hero": es.data["hero"], "links": es.data["links"]}, locale="es")
    assert status(api, "promo")["es"]["outdatedFields"] == ["title", "hero.cta.text", "links[1].label"]  # unchanged
    keep(api, "promo", "es", ["title", "hero.cta.text", "links[1].label"])  # checked, still right
    assert status(api, "promo")["es"] == state("complete", translated=PROMO_PATHS)


@pytest.mark.django_db
def test_empty_localized_fields_are_untranslated(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    hero = {"heading": "  ", "accent": "#ff0000", "cta": {"text": "Acheter"}}
    put_data(api, "promo", {"subtitle": None, "hero": hero}, locale="fr")
    assert status(api, "promo")["fr"] == state(
        "partial", translated=["hero.cta.text"], untranslated=[p for p in PROMO_PATHS if p != "hero.cta.text"]
    )


@pytest.mark.django_db
def test_source_reports_partial_when_it_would_not_publish(api):
    create(api, "Promo", PROMO_SCHEMA, {"subtitle": "No title yet"})
    assert status(api, "promo")["en"]["status"] == "partial"
    put_data(api, "promo", {"title": "Now it has one"})
    assert status(api, "promo")["en"]["status"] == "complete"


@pytest.mark.django_db
def test_schema_change_on_the_fr_copy_changes_en_and_es_with_a_revision_each(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    copy_to(api, "promo", "es")
    counts = {code: revisions_of("promo", code) for code in ("en", "fr", "es")}
    new_schema = [*PROMO_SCHEMA, {"name": "note", "type": "text"}]
    response = api.put("/api/v1/site-blocks/promo/schema?locale=fr", {"schema": new_schema}, format="json")
    assert response.status_code == 200, response.json()
    for code in ("en", "fr", "es"):
        block = SiteBlock.objects.get(slug="promo", locale=code)
        assert block.schema[-1]["name"] == "note", code
        assert block.data == PROMO_DATA
        assert revisions_of("promo", code) == counts[code] + 1


@pytest.mark.django_db
def test_a_failure_on_one_copy_changes_no_copy(api, actor, monkeypatch):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    copy_to(api, "promo", "es")
    before = {b.locale: (b.schema, b.version) for b in SiteBlock.objects.all()}
    real = writing.refresh_unpublished_flag

    def fail_on_es(block):
        if block.locale == "es":
            raise RuntimeError("disk full")
        real(block)

    monkeypatch.setattr(writing, "refresh_unpublished_flag", fail_on_es)
    fr = SiteBlock.objects.get(locale="fr")
    with pytest.raises(RuntimeError):
        services.block_replace_schema(
            actor=actor, block=fr, schema=[*PROMO_SCHEMA, {"name": "x", "type": "text"}], expected_version=None
        )
    assert {b.locale: (b.schema, b.version) for b in SiteBlock.objects.all()} == before


@pytest.mark.django_db
def test_sync_shared_fields_puts_diverged_copies_back_in_step(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    copy_to(api, "promo", "es")
    put_data(api, "promo", {"title": "Soldes", "links": [{"label": "Chaussures", "url": "/chaussures"}]}, locale="fr")
    # Copies written before shared fields were kept in step: their shared values diverge from the source's.
    for code in ("fr", "es"):
        row = SiteBlock.objects.get(locale=code)
        row.data = {
            **row.data,
            "price": 20,
            "featured": False,
            "theme": "dark",
            "hero": {**row.data["hero"], "accent": "#00ff00"},
        }
        row.save()
    assert status(api, "promo")["es"]["divergedSharedFields"] == ["price", "featured", "theme", "hero.accent"]
    assert status(api, "promo")["fr"]["divergedSharedFields"] == ["price", "featured", "theme", "hero.accent"]
    assert status(api, "promo")["en"]["divergedSharedFields"] == []
    es_revisions = revisions_of("promo", "es")
    response = api.post("/api/v1/site-blocks/promo/sync-shared-fields?locale=fr", {"locales": ["es"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == [
        {"locale": "es", "version": 2, "changedFields": ["featured", "hero", "price", "theme"]}
    ]
    es = SiteBlock.objects.get(locale="es").data
    assert (es["price"], es["featured"], es["theme"], es["hero"]["accent"]) == (10, True, "light", "#ff0000")
    assert es["title"] == "Spring sale" and es["hero"]["heading"] == "Big savings"  # localized: untouched
    assert revisions_of("promo", "es") == es_revisions + 1
    assert status(api, "promo")["es"]["divergedSharedFields"] == []

    api.post("/api/v1/site-blocks/promo/sync-shared-fields", format="json")
    fr = SiteBlock.objects.get(locale="fr").data
    assert fr["price"] == 10 and fr["title"] == "Soldes"
    assert fr["links"] == [{"label": "Chaussures", "url": "/chaussures"}]  # lists of different length: left alone

    response = api.post("/api/v1/site-blocks/promo/sync-shared-fields", {"locales": ["de"]}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"locales[0]": "No copy of this block in this locale."}


@pytest.mark.django_db
def test_translator_copies_and_translates_and_nothing_else(api, make_client):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    translator = make_client(role="translator")
    assert copy_to(translator, "promo", "fr").status_code == 200
    ok = translator.put("/api/v1/site-blocks/promo/data?locale=fr", {"data": {"title": "Soldes"}}, format="json")
    assert ok.status_code == 200
    renamed = translator.patch("/api/v1/site-blocks/promo?locale=fr", {"name": "Promo FR"}, format="json")
    assert renamed.status_code == 200, renamed.json()  # a copy's name is its translator's
    refused = [
        translator.put("/api/v1/site-blocks/promo/data", {"data": {"title": "x"}}, format="json"),
        translator.put("/api/v1/site-blocks/promo/schema?locale=fr", {"schema": []}, format="json"),
        translator.post("/api/v1/site-blocks/promo/sync-shared-fields", format="json"),
        translator.post("/api/v1/site-blocks/promo/publish?locale=fr"),
        translator.patch("/api/v1/site-blocks/promo", {"name": "Renamed"}, format="json"),
        translator.delete("/api/v1/site-blocks/promo?locale=fr"),
        translator.post("/api/v1/site-blocks", {"name": "New", "type": "global", "locale": "fr"}, format="json"),
        translator.post(
            "/api/v1/site-blocks/promo/copy-to-locale?locale=fr", {"locale": "en", "overwrite": True}, format="json"
        ),
    ]
    for response in refused:
        assert response.status_code == 403, response.json()
        assert response.json()["error"]["code"] == "forbidden"
    assert SiteBlock.objects.get(locale="en").data == PROMO_DATA


@pytest.mark.django_db
def test_viewer_cannot_copy(api, make_client):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    viewer = make_client(role="viewer")
    assert viewer.get("/api/v1/site-blocks/promo/translations").status_code == 200
    assert copy_to(viewer, "promo", "fr").status_code == 403


@pytest.mark.django_db
def test_copy_honours_if_match(api):
    block = create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    response = api.post(
        "/api/v1/site-blocks/promo/copy-to-locale", {"locale": "fr"}, format="json", HTTP_IF_MATCH=f'"{block["id"]}-9"'
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_write"


@pytest.mark.django_db
def test_restoring_a_copy_marks_the_restored_fields_until_resaved(api):
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    put_data(api, "promo", {"title": "Soldes"}, locale="fr")
    revisions = api.get("/api/v1/site-blocks/promo/revisions?locale=fr").json()["data"]
    first = revisions[-1]["number"]
    response = api.post(f"/api/v1/site-blocks/promo/revisions/{first}/restore?locale=fr")
    assert response.status_code == 200, response.json()
    fr = status(api, "promo")["fr"]  # the restored value's provenance is unknown
    assert fr["fields"]["untranslated"] == PROMO_PATHS and fr["counts"]["translated"] == 0
    put_data(api, "promo", {"title": "Soldes de printemps"}, locale="fr")
    keep(api, "promo", "fr", PROMO_PATHS[1:])
    assert status(api, "promo")["fr"]["status"] == "complete"


@pytest.mark.django_db
def test_a_copy_of_a_copy_starts_untranslated(api, make_client):
    owner = make_client(role="owner")
    assert owner.post("/api/v1/locales", {"code": "fr-CA", "fallback": "fr"}, format="json").status_code == 201
    create(api, "Promo", PROMO_SCHEMA, PROMO_DATA)
    copy_to(api, "promo", "fr")
    put_data(api, "promo", {"title": "Soldes"}, locale="fr")
    put_data(api, "promo", {"subtitle": "Everything goes"})  # fr's subtitle is now outdated
    response = api.post("/api/v1/site-blocks/promo/copy-to-locale?locale=fr", {"locale": "fr-ca"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["locale"] == "fr-CA" and response.json()["data"]["data"]["title"] == "Soldes"
    states = status(api, "promo")
    assert states["fr"] == state("partial", translated=["title"], untranslated=PROMO_PATHS[1:])
    assert states["fr-CA"] == state("partial", untranslated=PROMO_PATHS)  # copied from fr, translated by nobody
