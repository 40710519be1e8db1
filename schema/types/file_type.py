"""`file`: `{"url", "name"?, "size"?, "mimeType"?}`, or `{"asset": id}` (a media library asset, see `asset_ref`:
its options are checked against the asset by `blocks.assets`); `accept` lists extensions (`.pdf`) or MIME patterns
(`image/*`), `maxSize` a size in bytes.

`accept` matches the extension of `name` (or of the URL's path) or the `mimeType`; that is an extra check,
carried to clients in `x-cms.accept`. With `maxSize`, `size` is required: a limit that cannot be checked
would be a promise we do not keep.
"""

from __future__ import annotations

import re
from typing import Any

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_int, opt_string_list
from schema.types.asset_ref import ASSET_MESSAGE, asset_or, stored_form
from schema.types.url_type import url_message, url_schema

_SUBKEY_EXPECTED = {"name": "a string", "size": "a whole number of bytes", "mimeType": "a MIME type"}


_URL_PATH = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)")


def _extension(value: dict) -> str:
    """The extension of the file's name, else of the last segment of its URL's path (`posixpath.splitext`:
    leading dots do not make an extension), lower case."""
    name = value.get("name") if isinstance(value.get("name"), str) else ""
    if not name:
        match = _URL_PATH.match(value.get("url", ""))  # every string matches: all of the pattern is optional
        name = match.group(1) if match else ""
    # `posixpath.splitext` of the last segment, inlined (it runs for every file error)
    base = name.rpartition("/")[2]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 and base[:dot].strip(".") else ""


class FileType(FieldType):
    name = "file"
    options = frozenset({"accept", "maxSize"})
    localized_default = True
    expected = 'an object {"url", "name"?, "size"?, "mimeType"?} or {"asset"}'

    def check_options(self, field: dict, report: Report) -> None:
        accept = opt_string_list(field, "accept", report)
        for i, entry in enumerate(accept or []):
            if not patterns.ACCEPT_EXTENSION.fullmatch(entry) and not patterns.ACCEPT_MIME.fullmatch(entry):
                report(f"accept[{i}]", "Must be an extension such as .pdf or a MIME type such as image/*.")
        opt_int(field, "maxSize", report, minimum=1)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        size: dict = {"type": "integer", "minimum": 0}
        required = ["url"]
        if "maxSize" in field:
            size["maximum"] = field["maxSize"]
            required.append("size")
        url_form = {
            "properties": {
                "url": url_schema({}),
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "size": size,
                "mimeType": {"type": "string", "pattern": patterns.MIME},
            },
            "required": required,
            "additionalProperties": False,
        }
        return asset_or(url_form)

    def needs_normalize(self, field: dict) -> bool:
        return True

    def normalize(self, field: dict, value: Any) -> Any:
        return stored_form(value, ())

    def annotations(self, field: dict) -> dict:
        return {"accept": field["accept"]} if "accept" in field else {}

    def needs_extra_check(self, field: dict) -> bool:
        return "accept" in field

    def engine_check(self, field: dict) -> dict:
        # The same rule as `extra_check`, as regexes: the name's extension, else (no name) the URL path's,
        # else the MIME type against the `*` patterns.
        extensions = [entry for entry in field["accept"] if entry.startswith(".")]
        mimes = [entry for entry in field["accept"] if "/" in entry]
        branches: list[dict] = [{"required": ["asset"]}]  # an asset's type is checked against it (blocks.assets)
        if extensions:
            name = {"pattern": patterns.extension_of_name(extensions)}
            branches.append({"required": ["name"], "properties": {"name": name}})
            url = {"pattern": patterns.extension_of_url(extensions)}
            branches.append({"properties": {"name": False, "url": url}})
        if mimes:
            mime = {"pattern": "(?i)^(?:" + "|".join(patterns.glob_regex(m) for m in mimes) + ")$"}
            branches.append({"required": ["mimeType"], "properties": {"mimeType": mime}})
        return {"anyOf": branches}

    def extra_check(self, field: dict, value: Any) -> str | None:
        if not isinstance(value, dict) or not isinstance(value.get("url"), str):
            return None
        extension = _extension(value)
        mime = value.get("mimeType", "").lower() if isinstance(value.get("mimeType"), str) else ""
        for entry in field["accept"]:
            if entry.startswith(".") and extension == entry.lower():
                return None
            if "/" in entry and mime and re.fullmatch(patterns.glob_regex(entry), mime, re.DOTALL):
                return None
        return "File type not accepted; allowed: " + ", ".join(field["accept"]) + "."

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if rest and rest[0] == "asset":
            return ASSET_MESSAGE
        if rest and rest[0] == "url":
            return url_message({}, kind, detail)
        if rest and rest[0] == "size" and kind == "Required":
            return f"Is required: the file must be at most {field.get('maxSize')} bytes."
        if rest and rest[0] == "size" and kind == "Maximum":
            return f"The file must be at most {detail.get('limit')} bytes."
        if rest:
            return generic_message(kind, detail, _SUBKEY_EXPECTED.get(rest[0], "a valid value"))
        return generic_message(kind, detail, self.expected)
