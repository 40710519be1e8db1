"""Building admin form posts the way the browser does: the meta fields, the schema, and the data controls."""

from __future__ import annotations

import json

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
    from urllib.parse import urlencode

    return urlencode(pairs)


def post_change(client, block: SiteBlock, data_controls=None, **overrides):
    return client.post(
        change_url(block),
        encode(change_post(block, data_controls, **overrides)),
        content_type="application/x-www-form-urlencoded",
    )
