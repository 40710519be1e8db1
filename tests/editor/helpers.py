"""Building admin form posts the way the browser does: the meta fields, the schema, and the data controls."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlencode

from django.urls import reverse

from blocks.models import SiteBlock


def change_url(block: SiteBlock) -> str:
    return reverse("admin:blocks_siteblock_change", args=[block.pk])


def change_post(block: SiteBlock, data_controls: dict | list | None = None, **overrides) -> list[tuple[str, str]]:
    """The fields the change page posts for `block` unchanged, plus `data_controls` (`d.…` inputs).

    A list of pairs is returned because a form may post one name several times (multiselect boxes), and the
    order of array rows is the order of their controls.
    """
    pairs = [
        ("version", str(block.version)),
        ("name", block.name),
        ("tags", ", ".join(block.tags)),
        ("schema_json", json.dumps(block.schema)),
    ]
    if block.type == "page":
        pairs.append(("path", block.path))
    pairs = [(k, overrides.pop(k, v)) for k, v in pairs]
    pairs += list(overrides.items())
    controls = data_controls.items() if isinstance(data_controls, dict) else (data_controls or [])
    return pairs + [(k, v) for k, v in controls]


def encode(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs)


def post_change(client, block: SiteBlock, data_controls=None, **overrides):
    return client.post(
        change_url(block),
        encode(change_post(block, data_controls, **overrides)),
        content_type="application/x-www-form-urlencoded",
    )


class _FormControls(HTMLParser):
    """The (name, value) pairs a browser would submit for the page's main form, without running its JS."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.template_depth = 0
        self.pairs: list[tuple[str, str]] = []
        self._textarea: list | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "chosen": [], "first": None, "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "template" and self.in_form:
            self.template_depth -= 1
        elif tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"]
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self.pairs += [(self._select["name"], value) for value in chosen]
            self._select = None


def rendered_form_post(html: str, form_id: str = "siteblock_form") -> list[tuple[str, str]]:
    parser = _FormControls(form_id)
    parser.feed(html)
    return parser.pairs


def schema_url(block: SiteBlock) -> str:
    return reverse("admin:blocks_siteblock_schema", args=[block.pk])


def post_schema(client, block: SiteBlock, schema, *, confirmed: bool = False, version: int | None = None, **extra):
    """Save `schema` (a list, or the raw text of the JSON box) on the block's Schema page; `confirmed` is the
    review page's "Yes" (without it a change that touches content answers the review, writing nothing)."""
    pairs = [
        ("version", str(block.version if version is None else version)),
        ("schema_json", schema if isinstance(schema, str) else json.dumps(schema)),
    ]
    if confirmed:
        pairs.append(("confirmed", "True"))
    pairs += [(key, str(value)) for key, value in extra.items()]
    return client.post(schema_url(block), encode(pairs), content_type="application/x-www-form-urlencoded")
