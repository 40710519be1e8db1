"""Every request shown in docs/ is sent to a live server, and the answer must be the one the page shows.

How a page shows an example is in `tests/docs/markdown.py`. An error answer is compared whole, and the
request must have written nothing; an answer titled `(abbreviated)` lists some of the real answer's keys,
which must match. The examples of one section (`## …`) run in order against one fresh site (so a section may
create a block, then publish it), with a token made by `create_api_token`, as a reader following the page
would. `{site}` in a path is that site's slug.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from blocks.models import SiteBlock
from delivery import cache as dcache
from schema import type_names
from tests.docs.markdown import Example, sections

SITE = "acme"
SECTIONS = sections()


def test_the_docs_show_examples_for_every_field_type():
    """The field reference has a section per type, each with a valid (2xx) and an invalid (422) example."""
    by_heading = {s.heading: s for s in SECTIONS if s.page == "fields.md"}
    for name in type_names():
        statuses = [example.status for example in by_heading[name].examples]
        assert any(200 <= s < 300 for s in statuses) and 422 in statuses, (name, statuses)
    every = by_heading["A block with every field type"].examples[0]
    assert {f["type"] for f in json.loads(every.body)["schema"]} == set(type_names())
    for section in SECTIONS:
        for example in section.examples:
            assert example.status, f"{section.id}: {example.method} {example.path} shows no answer"


def contains(actual, expected, where="answer") -> None:
    """`expected` (an abbreviated answer) is part of `actual`: every key it names, with the same value."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        for key, value in expected.items():
            assert key in actual, f"{where}: no key {key!r} in {sorted(actual)}"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            contains(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def send(base: str, token: str, example: Example) -> tuple[int, dict]:
    body = example.body.encode() if example.body else None
    request = urllib.request.Request(base + example.path.replace("{site}", SITE), data=body, method=example.method)
    request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def stored() -> list[tuple]:
    """What a refused request must leave unchanged: every block's id, version, data and status."""
    return list(SiteBlock.objects.order_by("id").values_list("id", "version", "data", "status", "schema"))


def clear_caches() -> None:
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    dcache.local_clear()


def make_site_and_token() -> str:
    """The site and token of the quickstart, made with the commands it shows."""
    call_command(
        "create_site", SITE, "--name", "Acme", "--locales", "en,fr", "--default-locale", "en", stdout=StringIO()
    )
    out = StringIO()
    call_command("create_api_token", "--site", SITE, "--user", "docs", "--role", "owner", stdout=out)
    return out.getvalue().splitlines()[-1]


@pytest.fixture
def server(live_server):
    clear_caches()
    yield live_server.url, make_site_and_token()
    clear_caches()


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_docs_example(server, section):
    base, token = server
    for example in section.examples:
        before = stored()
        status, answer = send(base, token, example)
        shown = json.loads(example.answer) if example.answer else None
        label = f"{section.id}: {example.method} {example.path}"
        assert status == example.status, f"{label}: {status} {answer}"
        if example.abbreviated:
            contains(answer, shown)
        else:
            assert answer == shown, f"{label}: {answer}"
        if status >= 400:
            assert stored() == before, f"{label}: a refused request wrote something"
