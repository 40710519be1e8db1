"""Page-number pagination with the reference's meta: `{total, perPage, currentPage, lastPage}`.

A page past the end answers an empty list with correct meta (DRF's default is a 404), and `perPage` is
capped by `CMS["MAX_PAGE_SIZE"]`. The count and the page slice are the only two queries it adds.
"""

from __future__ import annotations

import math

from rest_framework.response import Response

from cms import errors
from cms.conf import cms_setting
from cms.digits import parse_decimal


def _positive_int(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    value = parse_decimal(raw, max_digits=9) or 0
    if value < 1:
        raise errors.BadRequest(f"`{name}` must be a positive integer.", fields={name: "Must be a positive integer."})
    return value


class PageMetaPagination:
    """Not a DRF pagination subclass: views call `paginate` with a queryset and a row presenter."""

    def __init__(self, request):
        params = request.query_params
        self.per_page = min(
            _positive_int(params.get("perPage"), "perPage", cms_setting("PAGE_SIZE")), cms_setting("MAX_PAGE_SIZE")
        )
        self.page = _positive_int(params.get("page"), "page", 1)

    def paginate(self, queryset) -> tuple[list, dict]:
        total = queryset.count()
        offset = (self.page - 1) * self.per_page
        rows = list(queryset[offset : offset + self.per_page]) if offset < total else []
        meta = {
            "total": total,
            "perPage": self.per_page,
            "currentPage": self.page,
            "lastPage": max(1, math.ceil(total / self.per_page)),
        }
        return rows, meta

    @staticmethod
    def response(data: list, meta: dict) -> Response:
        return Response({"data": data, "meta": meta})
