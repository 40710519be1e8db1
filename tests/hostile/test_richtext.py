"""Issue 14, item 1: every value stored, snapshotted or served as richtext has passed the sanitiser under the
schema in force: whichever way it came in (a create, a data write, a schema change on every locale copy, a
publish, a restore, a copy to a locale, a sync of shared fields, the admin's form, a schema `default`), and
values stored before the fix (the data migration). The admin never puts stored HTML into the page as is."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.test import Client
from playwright.sync_api import sync_playwright

from blocks.models import SiteBlock
from revisions.models import BlockRevision
from schema.sanitize import sanitize_html
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.helpers import change_url, post_change, post_schema
from tests.editor.test_admin_browser import ensure_chromium
from tests.hostile.values import BLOCKS, DELIVERY, create, fresh_delivery_cache
from tests.ids import without_ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures(fresh_delivery_cache.__name__)]

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<p>hi</p><script>alert(1)</script>",
    '<a href="javascript:alert(1)">go</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<p onclick="steal()" style="x">t</p><iframe src="//evil.example"></iframe>',
    "<img src=x onerror=alert(1)//",
]
HOSTILE = ("onerror", "onload", "onclick", "<script", "javascript:", "<iframe", "<svg")

STRING = [{"name": "h", "type": "string", "maxLength": 1000}]
RICH = [{"name": "h", "type": "richtext"}]
#: a string made richtext by a schema change, at each place a richtext value can sit: (before, after, data, path)
SHAPES = {
    "top level": (STRING, RICH, lambda v: {"h": v}, ("h",)),
    "in an object": (
        [{"name": "o", "type": "object", "fields": [{"name": "h", "type": "string"}]}],
        [{"name": "o", "type": "object", "fields": [{"name": "h", "type": "richtext"}]}],
        lambda v: {"o": {"h": v}},
        ("o", "h"),
    ),
    "list items": (
        [{"name": "l", "type": "array", "items": {"type": "string"}}],
        [{"name": "l", "type": "array", "items": {"type": "richtext"}}],
        lambda v: {"l": ["<b>ok</b>", v]},
        ("l", 1),
    ),
    "in a list of objects": (
        [{"name": "l", "type": "array", "items": {"type": "object", "fields": [{"name": "h", "type": "string"}]}}],
        [{"name": "l", "type": "array", "items": {"type": "object", "fields": [{"name": "h", "type": "richtext"}]}}],
        lambda v: {"l": [{"h": v}]},
        ("l", 0, "h"),
    ),
}


def at(value, path):
    for step in path:
        value = value[step]
    return value


def assert_clean(value: str, payload: str) -> None:
    assert value == sanitize_html(payload)
    assert not any(word in value.lower() for word in HOSTILE), value


def store_raw(block: SiteBlock, data: dict) -> None:
    """A value stored before the fix (around the services, as the old code left it)."""
    SiteBlock.objects.filter(pk=block.pk).update(data=data)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_create_and_data_writes_store_sanitised_richtext(api, payload):
    block = create(api, RICH, {"h": payload})
    assert_clean(SiteBlock.objects.get(pk=block.pk).data["h"], payload)
    response = api.put(f"{BLOCKS}/hero/data", {"data": {"h": payload + "<b>more</b>"}}, format="json")
    assert response.status_code == 200
    assert_clean(response.json()["data"]["data"]["h"], payload + "<b>more</b>")


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_a_schema_change_to_richtext_sanitises_every_locale_copy_and_what_is_published(
    api, django_capture_on_commit_callbacks, shape, payload
):
    before, after, make, path = SHAPES[shape]
    block = create(api, before, make(payload), publish=True)
    response = api.post(f"{BLOCKS}/hero/copy-to-locale", {"locale": "fr"}, format="json")
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = api.put(f"{BLOCKS}/hero/schema", {"schema": after}, format="json")
    assert response.status_code == 200
    assert_clean(at(response.json()["data"]["data"], path), payload)
    for copy in SiteBlock.objects.filter(translation_key=block.translation_key):
        assert without_ids(copy.schema) == after
        assert_clean(at(copy.data, path), payload)
        if copy.published_snapshot:  # live before the change: what is served is clean at once too
            assert_clean(at(copy.published_snapshot["data"], path), payload)
    delivered = api.get(f"{DELIVERY}/blocks/hero")
    assert delivered.status_code == 200
    assert_clean(at(delivered.json()["data"]["data"], path), payload)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BLOCKS}/hero/publish", format="json")
    assert response.status_code == 200
    assert_clean(at(api.get(f"{DELIVERY}/blocks/hero").json()["data"]["data"], path), payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_publishing_old_unsanitised_richtext_publishes_it_sanitised(api, payload):
    block = create(api, RICH, {"h": "<b>ok</b>"})
    store_raw(block, {"h": payload})
    response = api.post(f"{BLOCKS}/hero/publish", format="json")
    assert response.status_code == 200
    assert_clean(response.json()["data"]["data"]["h"], payload)
    block.refresh_from_db()
    assert_clean(block.published_snapshot["data"]["h"], payload)
    assert_clean(api.get(f"{DELIVERY}/blocks/hero").json()["data"]["data"]["h"], payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_restoring_a_revision_that_holds_unsanitised_richtext_sanitises_it(api, payload):
    block = create(api, RICH, {"h": "<b>one</b>"})
    assert api.put(f"{BLOCKS}/hero/data", {"data": {"h": "<b>two</b>"}}, format="json").status_code == 200
    # A revision recorded before the fix: its state holds the value as it was sent.
    first = BlockRevision.objects.get(block=block, number=1)
    version = first.revision.version_set.get()
    serialized = json.loads(version.serialized_data)
    serialized[0]["fields"]["data"] = {"h": payload}
    version.serialized_data = json.dumps(serialized)
    version.save(update_fields=["serialized_data"])
    response = api.post(f"{BLOCKS}/hero/revisions/{first.number}/restore?publish=true", format="json")
    assert response.status_code == 200, response.content[:300]
    block.refresh_from_db()
    assert_clean(block.data["h"], payload)
    assert_clean(block.published_snapshot["data"]["h"], payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_restoring_a_richtext_schema_sanitises_the_locale_copies(api, payload):
    """Revision 2 made `h` richtext; the schema went back to string and the French copy took a hostile
    string; restoring revision 2 brings richtext back to every copy, and the copy's value is sanitised."""
    block = create(api, STRING, {"h": "plain"})
    assert api.put(f"{BLOCKS}/hero/schema", {"schema": RICH}, format="json").status_code == 200
    richtext_revision = BlockRevision.objects.get(block=block, number=2)
    assert api.put(f"{BLOCKS}/hero/schema", {"schema": STRING}, format="json").status_code == 200
    assert api.post(f"{BLOCKS}/hero/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    response = api.put(f"{BLOCKS}/hero/data?locale=fr", {"data": {"h": payload}}, format="json")
    assert response.status_code == 200 and response.json()["data"]["data"]["h"] == payload  # a string, as sent
    response = api.post(f"{BLOCKS}/hero/revisions/{richtext_revision.number}/restore?restoreSchema=true", format="json")
    assert response.status_code == 200, response.content[:300]
    french = SiteBlock.objects.get(translation_key=block.translation_key, locale="fr")
    assert without_ids(french.schema) == RICH
    assert_clean(french.data["h"], payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_copy_to_locale_sanitises_old_richtext(api, payload):
    block = create(api, RICH, {"h": "<b>ok</b>"})
    store_raw(block, {"h": payload})
    response = api.post(f"{BLOCKS}/hero/copy-to-locale", {"locale": "fr"}, format="json")
    assert response.status_code == 200
    assert_clean(response.json()["data"]["data"]["h"], payload)
    assert_clean(SiteBlock.objects.get(translation_key=block.translation_key, locale="fr").data["h"], payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_sync_shared_fields_sanitises_old_richtext(api, payload):
    schema = [{"name": "h", "type": "richtext", "localized": False}]
    block = create(api, schema, {"h": "<b>ok</b>"})
    assert api.post(f"{BLOCKS}/hero/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    store_raw(block, {"h": payload})
    response = api.post(f"{BLOCKS}/hero/sync-shared-fields", {}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert_clean(SiteBlock.objects.get(translation_key=block.translation_key, locale="fr").data["h"], payload)


DEFAULT_SHAPES = {
    "richtext": ([{"name": "h", "type": "richtext", "default": "{}"}], ("h",)),
    "object": (
        [{"name": "o", "type": "object", "fields": [{"name": "h", "type": "richtext"}], "default": {"h": "{}"}}],
        ("o", "h"),
    ),
    "nested field": (
        [{"name": "o", "type": "object", "fields": [{"name": "h", "type": "richtext", "default": "{}"}]}],
        ("o", "h"),
    ),
    "list": ([{"name": "l", "type": "array", "items": {"type": "richtext"}, "default": ["{}"]}], ("l", 0)),
}


def default_at(schema: list, shape: str):
    field = schema[0]
    if shape == "nested field":
        return field["fields"][0]["default"]
    value = field["default"]
    return value["h"] if shape == "object" else value[0] if shape == "list" else value


@pytest.mark.parametrize("shape", sorted(DEFAULT_SHAPES))
@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_a_richtext_default_is_sanitised(api, shape, payload):
    schema = json.loads(json.dumps(DEFAULT_SHAPES[shape][0]).replace('"{}"', json.dumps(payload)))
    block = create(api, schema)
    assert_clean(default_at(SiteBlock.objects.get(pk=block.pk).schema, shape), payload)
    response = api.put(f"{BLOCKS}/hero/schema", {"schema": schema}, format="json")
    assert response.status_code == 200
    assert_clean(default_at(response.json()["data"]["schema"], shape), payload)
    served = api.get(f"{BLOCKS}/hero/json-schema").json()["data"]
    assert not any(word in json.dumps(served).lower() for word in HOSTILE)


@pytest.fixture
def owner_client(site):
    client = Client()
    client.force_login(member(site, "owner-acme", "owner"))
    return client


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_admin_form_stores_sanitised_richtext(api, owner_client, payload):
    block = create(api, RICH, {"h": "<b>ok</b>"})
    response = post_change(owner_client, block, {"d.h": payload})
    assert response.status_code == 302, response.content[:500]
    assert_clean(SiteBlock.objects.get(pk=block.pk).data["h"], payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_admin_schema_change_to_richtext_sanitises(api, owner_client, payload):
    block = create(api, STRING, {"h": payload})
    response = post_schema(owner_client, block, RICH)  # a type change: the review page first, nothing written
    assert response.status_code == 200 and SiteBlock.objects.get(pk=block.pk).data["h"] == payload
    response = post_schema(owner_client, block, RICH, confirmed=True)
    assert response.status_code == 302, response.content[:500]
    assert_clean(SiteBlock.objects.get(pk=block.pk).data["h"], payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_admin_page_never_holds_stored_html_unsanitised(api, owner_client, payload):
    block = create(api, RICH, {"h": "<b>ok</b>"})
    store_raw(block, {"h": payload})
    html = owner_client.get(change_url(block)).content.decode()
    start = html.index('class="cms-input cms-richtext-source"')
    textarea = html[html.index(">", start) + 1 : html.index("</textarea>", start)]
    # The textarea's text is what editor.js turns into live HTML: it is the sanitised value, escaped.
    assert textarea.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&") == (
        sanitize_html(payload)
    )


def test_editor_js_never_parses_stored_html_into_the_live_page():
    """Stored HTML reaches the live page only through ProseMirror's parser (django-prose-editor), which keeps
    what its schema knows (paragraphs, marks, lists, links) and drops every other element and attribute:
    editor.js itself never assigns HTML."""
    script = (Path(__file__).resolve().parents[2] / "editor/static/editor/editor.js").read_text()
    assert "innerHTML = source" not in script and ".value;" not in script.split("rich text")[1].split("colour")[0]
    assert "outerHTML" not in script and "insertAdjacentHTML" not in script


def test_the_rich_text_editor_can_only_produce_what_the_sanitiser_keeps():
    """Each tag the editor's extensions can write survives `sanitize_html` unchanged: what an editor makes is
    what is stored, and the server's sanitiser stays the one authority."""
    from django_prose_editor.config import allowlist_from_extensions

    from editor.richtext import EXTENSIONS

    allowed = allowlist_from_extensions(EXTENSIONS)
    for tag in sorted(allowed["tags"]):
        if tag in {"br", "hr"}:
            html = f"<p>a<{tag}>b</p>" if tag == "br" else f"<{tag}>"
        else:
            html = f'<{tag} href="https://example.com/">x</{tag}>' if tag == "a" else f"<{tag}>x</{tag}>"
        assert sanitize_html(html).replace(' rel="noopener noreferrer"', "") == html, tag


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_migration_sanitises_rows_stored_before_the_fix(api, payload):
    block = create(api, [*RICH, {"name": "s", "type": "string"}], {"h": "<b>ok</b>"}, publish=True)
    schema = [{**RICH[0], "default": payload}, {"name": "s", "type": "string"}]
    SiteBlock.objects.filter(pk=block.pk).update(
        schema=schema,
        data={"h": payload, "s": payload},
        published_snapshot={"schema": schema, "data": {"h": payload, "s": payload}},
    )
    migration = importlib.import_module("blocks.migrations.0005_resanitize_richtext")
    migration.resanitize(django_apps, None)
    block.refresh_from_db()
    assert_clean(block.data["h"], payload)
    assert_clean(block.schema[0]["default"], payload)
    assert_clean(block.published_snapshot["data"]["h"], payload)
    assert block.data["s"] == payload  # a string is not HTML: left exactly as written


BROWSER_PAYLOAD = (
    '<img src="/no-such-image" onerror="window.__xss = 1">'
    '<svg><animate onbegin="window.__xss = 2" attributeName="x" dur="1s"/></svg>'
    '<a href="javascript:window.__xss = 3" id="evil-link">link</a><script>window.__xss = 4</script><p>kept</p>'
)


@pytest.mark.browser
def test_editor_js_runs_no_stored_handler_even_unsanitised(transactional_db, live_server, monkeypatch):
    """The second line of defence alone: with the server's sanitising of the page switched off, editor.js
    still builds the richtext editor from an inert document, so no stored handler or script runs."""
    site = build_site("acme", ("en",))
    user = member(site, "owner-acme", "owner")
    block = SiteBlock.objects.create(site=site, name="Hero", slug="hero", type="global", locale="en", schema=RICH)
    store_raw(block, {"h": BROWSER_PAYLOAD})
    monkeypatch.setattr("editor.widgets.sanitize_html", lambda html: html)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=ensure_chromium(), headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(base_url=live_server.url)
            host = live_server.url.split("//", 1)[1].split(":", 1)[0]
            context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
            page = context.new_page()
            page.goto(change_url(block))
            editable = page.get_by_role("textbox", name="H")
            editable.wait_for()
            page.wait_for_timeout(1_500)  # time for an image error or an SVG animation to fire
            assert page.evaluate("window.__xss") is None
            assert "kept" in editable.inner_text()
            assert editable.locator("[onerror], [onbegin], script").count() == 0
            assert editable.locator('a[href^="javascript" i], a[href^="data" i]').count() == 0
        finally:
            browser.close()
