"""The guides name everything the code has: every field type's options, every error code, every webhook
event, every management command an operator runs, every `CMS_…` environment variable. A code change that adds
one fails here until the docs say it."""

from __future__ import annotations

import re

from blocks.events import EVENTS
from cms.api.openapi import ERROR_CODES
from schema import patterns
from schema.registry import FIELD_TYPES
from tests.docs.markdown import DOCS, ROOT


def section(page: str, heading: str) -> str:
    parts = re.split(r"^## (.+)$", (DOCS / page).read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))[heading]


def test_each_field_type_section_names_every_option_of_the_type():
    for ftype in FIELD_TYPES:
        text = section("fields.md", ftype.name)
        assert [option for option in sorted(ftype.options) if f"`{option}`" not in text] == [], ftype.name


def test_url_section_names_every_allowed_scheme():
    text = section("fields.md", "url")
    assert [scheme for scheme in patterns.ALLOWED_SCHEMES if f"`{scheme}`" not in text] == []


def test_management_guide_lists_every_error_code():
    text = section("management-api.md", "Errors")
    assert [code for code in ERROR_CODES if f"`{code}`" not in text] == []


def test_webhooks_guide_lists_every_event():
    text = section("webhooks.md", "Events")
    assert [event for event in EVENTS if f"`{event}`" not in text] == []


def test_operations_guide_names_every_environment_variable():
    settings_text = "".join(p.read_text() for p in (ROOT / "cms" / "settings").glob("*.py"))
    variables = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', settings_text))
    variables |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "cms" / "settings" / "env.py").read_text()))
    text = section("operations.md", "Settings")
    assert variables and [name for name in sorted(variables) if f"`{name}`" not in text] == []
