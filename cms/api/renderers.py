"""JSON rendering with orjson, which is much faster than `json.dumps` (README "Dependencies" has the figure).

`dumps` is the one serializer for API bodies, cached delivery bytes and error envelopes alike.
"""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer

from cms.jsonbytes import dumps

__all__ = ["OrjsonRenderer", "dumps"]


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return dumps(data)
