"""Content negotiation that always answers JSON: the API has one representation, whatever the client asks.

DRF's default negotiation would pick its browsable HTML renderer for `Accept: text/html` or `?format=api`
(also for errors, which then left the envelope), and answer 406 to an `Accept` it cannot meet. A client of
this API always gets the envelope in JSON, so the view's first renderer is chosen whatever `Accept` and
`format` say; the parser is still picked from `Content-Type` as usual.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation


class JSONOnlyNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
