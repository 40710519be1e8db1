"""Benchmark: the block editor with 250 fields and 50 nested rows opens and saves in under 1 s (issue 15).

Builds a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL says so), a site, an editor, and two
blocks: the baseline, one string field; and "Big": 249 fields of every common type (a tenth of them rich text)
plus a list of 50 rows of five fields each. Then it measures, in the same run:

- the server time of the edit page (GET, rendered in process through Django's test client: the view, the
  form, the widgets, the template), and of a Save (POST of the whole form with one value changed: parsing,
  validation, the write, the redirect), median of several rounds;
- in Debian's Chromium (Playwright) against a live server, the browser's time to interactive: from the start
  of the navigation until every rich-text editor is up and the lists are numbered (editor.js done), median of
  several loads;

and prints each figure for Big, the baseline's, and their ratio. Exits 1 when Big's page or Save takes 1 s or
more on the server, or its time to interactive 1 s or more.

    .venv/bin/python bench/editor.py [--rounds 5] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread

import django

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LIMIT_SECONDS = 1.0
TYPES = ("string", "text", "number", "boolean", "url", "email", "date", "string", "text", "richtext")
ROW_FIELDS = [
    {"name": "planName", "type": "string", "required": True},
    {"name": "price", "type": "number"},
    {"name": "note", "type": "text"},
    {"name": "featured", "type": "boolean"},
    {"name": "link", "type": "url"},
]


def big_schema() -> list[dict]:
    fields = [{"name": f"f{index}", "type": TYPES[index % len(TYPES)]} for index in range(249)]
    fields.append({"name": "plans", "type": "array", "items": {"type": "object", "fields": ROW_FIELDS}})
    return fields


def value_for(field: dict, index: int):
    return {
        "string": f"Value {index}",
        "text": f"Line one of {index}\nLine two",
        "number": index,
        "boolean": index % 2 == 0,
        "url": f"https://example.com/{index}",
        "email": f"user{index}@example.com",
        "date": "2026-12-07",
        "richtext": f"<p>Paragraph <strong>{index}</strong></p><ul><li>one</li><li>two</li></ul>",
    }[field["type"]]


def big_data(schema: list[dict]) -> dict:
    data = {field["name"]: value_for(field, index) for index, field in enumerate(schema[:-1])}
    data["plans"] = [
        {
            "planName": f"Plan {n}",
            "price": n,
            "note": "Monthly",
            "featured": n % 2 == 0,
            "link": f"https://example.com/p{n}",
        }
        for n in range(50)
    ]
    return data


def form_of(html: str) -> list[tuple[str, str]]:
    """The change form's controls as the browser would post them (tests.editor.helpers does the same)."""
    from html.parser import HTMLParser

    pairs: list[tuple[str, str]] = []

    class Reader(HTMLParser):
        textarea: str | None = None
        buffer = ""
        select: str | None = None
        in_template = 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "template":
                self.in_template += 1
            if self.in_template or (a.get("disabled") is not None and "disabled" in a):
                return
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                pairs.append((name, a.get("value") or ""))
            elif tag == "textarea" and name:
                self.textarea, self.buffer = name, ""
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                pairs.append((self.select, a.get("value") or ""))

        def handle_endtag(self, tag):
            if tag == "template":
                self.in_template -= 1
            elif tag == "textarea" and self.textarea:
                pairs.append((self.textarea, self.buffer.lstrip("\n")))
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, data):
            if self.textarea:
                self.buffer += data

    start = html.index('id="siteblock_form"')
    Reader(convert_charrefs=True).feed(html[html.rindex("<form", 0, start) : html.index("</form>", start)])
    return pairs


def server_times(client: Client, url: str, rounds: int) -> tuple[float, float]:
    """Median seconds of the edit page and of a Save (one value changed each round)."""
    pages, saves = [], []
    for round_ in range(rounds):
        began = time.perf_counter()
        response = client.get(url)
        pages.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        pairs = [(k, v) for k, v in form_of(response.content.decode()) if k not in ("_save", "_addanother")]
        pairs = [(k, f"Changed {round_}" if k == "d.f0" else v) for k, v in pairs] + [("_continue", "1")]
        began = time.perf_counter()
        saved = client.post(url, urlencode(pairs), content_type="application/x-www-form-urlencoded")
        saves.append(time.perf_counter() - began)
        assert saved.status_code == 302, (saved.status_code, saved.content[:2000])
    return statistics.median(pages), statistics.median(saves)


READY = """() => {
  if (document.readyState !== 'complete' || !document.getElementById('cms-action-bar')) return false;
  const boxes = document.querySelectorAll('textarea[data-django-prose-editor-configurable]').length;
  const editors = document.querySelectorAll('.ProseMirror[role=textbox]').length;
  const counted = Array.from(document.querySelectorAll('.cms-row-title')).every(t => t.textContent.length > 0);
  return editors >= boxes && counted;
}"""


def browser_times(base: str, session: str, urls: list[str], rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.editor.test_admin_browser import ensure_chromium

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=ensure_chromium(), headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = context.new_page()
        for url in urls:
            times = []
            for _ in range(rounds):
                page.goto(url, wait_until="commit")
                page.wait_for_function(READY, timeout=30_000)
                times.append(page.evaluate("performance.now()") / 1000)  # since this navigation started
            editors = page.locator(".ProseMirror[role=textbox]").count()
            print(f"  {url}: {editors} rich-text editors up, {page.locator('.cms-row').count()} rows ({page.title()})")
            results.append(statistics.median(times))
        browser.close()
    return results


def figure(what: str, big: float, small: float) -> str:
    return f"  {what:<15} big {big * 1000:7.1f} ms   baseline {small * 1000:6.1f} ms   x{big / small:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    from django.test.testcases import LiveServerThread, _StaticFilesHandler
    from django.urls import reverse

    from accounts.permissions import Actor
    from blocks.services import block_create
    from tests.conftest import build_site
    from tests.editor.conftest import member

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    failed = False
    try:
        site = build_site("bench", ("en",))
        editor = member(site, "ed", "editor")
        actor = Actor(user=editor, site=site, role="editor")
        schema = big_schema()
        big = block_create(actor=actor, name="Big", type="global", schema=schema, data=big_data(schema))
        small = block_create(
            actor=actor, name="Small", type="global", schema=[{"name": "f0", "type": "string"}], data={"f0": "x"}
        )
        client = Client()
        client.force_login(editor)
        urls = [reverse("admin:blocks_siteblock_change", args=[block.pk]) for block in (big, small)]
        client.get(urls[1])  # warm: templates, static finders
        big_page, big_save = server_times(client, urls[0], args.rounds)
        small_page, small_save = server_times(client, urls[1], args.rounds)
        print(f"block editor, {len(schema)} fields and 50 rows of {len(ROW_FIELDS)} ({connection.vendor}):")
        print(figure("page (server)", big_page, small_page))
        print(figure("save (server)", big_save, small_save))
        failed = big_page >= LIMIT_SECONDS or big_save >= LIMIT_SECONDS
        if not args.no_browser:
            shared = connections["default"]
            connections_override = {"default": shared} if connection.vendor == "sqlite" else None
            if connections_override:
                shared.inc_thread_sharing()  # as LiveServerTestCase does: the server thread reads this database
            server = LiveServerThread(
                "127.0.0.1", _StaticFilesHandler, connections_override=connections_override, port=0
            )
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise server.error
            try:
                base = f"http://127.0.0.1:{server.port}"
                big_tti, small_tti = browser_times(base, client.cookies["sessionid"].value, urls, args.rounds)
            finally:
                server.terminate()
                if connections_override:
                    shared.dec_thread_sharing()
            print(figure("interactive", big_tti, small_tti))
            failed = failed or big_tti >= LIMIT_SECONDS
        print(
            f"  load average {os.getloadavg()[0]:.1f}; limit {LIMIT_SECONDS:.0f} s each: {'FAILED' if failed else 'ok'}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
