"""Input serializers of the assets endpoints: the JSON bodies (base64 upload, update) and the multipart form.

JSON bodies go through `cms.api.serializers.parse_body` like every other write (unknown keys, JSON types, one
answer naming every problem); the values' rules are `media.services.clean_asset_values`. A multipart upload
(`file` plus optional `title`, `tags` and `alt.<locale>` form fields) is read by `read_form` into the same
values, so both ways in meet the same rules.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, cast

from django.http import QueryDict

from cms import errors, messages
from cms.api.serializers import InputSerializer, TypedObject, TypedString, TypedStrings
from media import services

BASE64_MESSAGE = "Must be the file's bytes in base64 (RFC 4648, padding optional)."


class AssetValuesInput(InputSerializer):
    """What an asset shows besides its file: title, alt text per locale, tags, focal point."""

    title = TypedString(required=False, help_text="At most 200 characters.")
    alt = TypedObject(required=False, help_text='Alt text per locale: `{"en": "Our logo", "fr": "Notre logo"}`.')
    tags = TypedStrings(required=False, item_message=services.TAG_MESSAGE)
    focalPoint = TypedObject(
        source="focal_point",
        required=False,
        allow_null=True,
        help_text="`{x, y}`, each from 0 (left, top) to 1 (right, bottom); null clears it.",
    )

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        services.require_write(self.context["actor"])
        try:
            services.clean_asset_values(self.context["actor"].site, cast(services.AssetValues, values))
        except errors.ValidationFailed as exc:
            return {self.api_name(path): message for path, message in (exc.fields or {}).items()}
        return {}


class AssetFileInput(InputSerializer):
    """A file as JSON, for scripts: its name and its bytes in base64."""

    filename = TypedString(missing=messages.NON_EMPTY_STRING, help_text="Like `logo.png`; its extension must fit.")
    contentBase64 = TypedString(source="content", missing=BASE64_MESSAGE, message=BASE64_MESSAGE)

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        problems = {}
        if "filename" in values and not values["filename"].strip():
            problems["filename"] = messages.NON_EMPTY_STRING
        if "content" in values:
            try:
                text = "".join(values["content"].split())
                values["content"] = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
            except (binascii.Error, ValueError):
                problems["contentBase64"] = BASE64_MESSAGE
        if problems:
            raise errors.ValidationFailed(fields=problems)
        return values


class AssetUploadInput(AssetFileInput, AssetValuesInput):
    """An upload as JSON, for scripts: the file name and its bytes in base64, with the asset's values."""


def read_form(data: QueryDict, *, with_values: bool = True) -> services.AssetValues:
    """The values of a multipart upload's form fields: `title`, `tags` (repeated, or a comma list) and
    `alt.<locale>`; any other field is `validation_failed`."""
    values: services.AssetValues = {}
    problems: dict[str, str] = {}
    alt: dict[str, str] = {}
    for key in data:
        if key == "title" and with_values:
            values["title"] = str(data[key])
        elif key == "tags" and with_values:
            values["tags"] = [tag for raw in data.getlist(key) for tag in str(raw).split(",") if tag.strip()]
        elif key.startswith("alt.") and with_values:
            alt[key[4:]] = str(data[key])
        elif key != "file":
            problems[key] = messages.UNKNOWN_FIELD
    if problems:
        raise errors.ValidationFailed(fields=problems)
    if alt:
        values["alt"] = alt
    return values
