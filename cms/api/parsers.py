"""A JSON parser that never lets hostile input reach a 500.

DRF's stock parser uses the `json` module, which recurses on deeply nested input (100,000 brackets raise
RecursionError, a 500) and accepts `NaN`/`Infinity`. orjson refuses all of these with a clean error (depth
limit 1024, strict RFC 8259 numbers, UTF-8 checked), and the body is read with a hard size cap so a body
sent without `Content-Length` cannot exceed the limit either.
"""

from __future__ import annotations

import orjson
from rest_framework.parsers import BaseParser

from cms import errors
from cms.conf import body_limit
from cms.nul import refuse_nul


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {}
        request = (parser_context or {}).get("request")
        limit = body_limit(request.method, request.path) if request is not None else body_limit("", "")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise errors.PayloadTooLarge(f"The request body is over the {limit} byte limit.")
        if not raw.strip():
            return {}
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise errors.BadRequest(f"The request body is not valid JSON: {exc}.") from None
        if b"\\u0000" in raw:  # rare: only then walk the document (the bytes may be an escaped backslash)
            refuse_nul(parsed)
        return parsed
