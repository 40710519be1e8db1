"""The second form of `image` and `file` values: a reference to an asset of the media library.

    {"asset": 12, "alt"?: "…"}      (image)        {"asset": 12}      (file)

Why here and model-less: the schema engine knows only the shape (a positive whole number, an optional alt);
whether asset 12 exists in the block's site and fits the field's options (`accept`, `maxSize`, `requireAlt`
with the asset's own alt as fallback) is checked by `blocks.assets` on every write, where models are known.
The APIs answer the reference resolved (`url`, `width`, `height`, `alt`, `mimeType`, `size`, `name`,
`renditions`, `color`): those
keys may be sent back as read and are dropped on write (`normalize`), so a client can round-trip a value.

Compiled as `if {required: [asset]} then <asset form> else <url form>`, so an error in a `{"url", …}` value is
still reported at its own key (`data.logo.url`), as before.
"""

from __future__ import annotations

from typing import Any

ASSET_ID = {"type": "integer", "minimum": 1}
# What a resolved reference carries besides `asset` and `alt`: accepted back, never stored.
RESOLVED_KEYS = ("url", "width", "height", "mimeType", "size", "name", "renditions", "color", "missing")
ASSET_MESSAGE = "Must be the id of an asset of this site (a whole number from 1)."


def asset_or(url_form: dict, *, alt: dict | None = None) -> dict:
    """`url_form` (an object schema without `type`) or the asset form; `alt` is the image's alt schema."""
    properties: dict[str, Any] = {"asset": ASSET_ID}
    if alt is not None:
        properties["alt"] = alt
    properties.update(dict.fromkeys(RESOLVED_KEYS, True))
    asset_form = {"properties": properties, "required": ["asset"], "additionalProperties": False}
    return {"type": "object", "if": {"required": ["asset"]}, "then": asset_form, "else": url_form}


def is_asset_ref(value: Any) -> bool:
    return isinstance(value, dict) and "asset" in value


def stored_form(value: Any, keep: tuple[str, ...]) -> Any:
    """A reference as stored: `asset` and the `keep` keys sent (the resolved keys dropped)."""
    if not is_asset_ref(value):
        return value
    return {key: value[key] for key in ("asset", *keep) if key in value}
