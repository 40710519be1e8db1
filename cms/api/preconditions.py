"""`If-Match` on writes: one parser, strong comparison (RFC 9110 §13.1.1), any listed current tag passes.

A write sends the `ETag` it read (`"<id>-<version>"`). The view compares the header with the block's current
ETag before any work (the early answer) and hands the service the version that matched as `expected_version`;
the service compares that again on the row it locked, which is what makes two writers holding the same ETag
unable to both win. Because the expected version comes from the tag that matched, a list such as
`"7-1", "7-12"` passes whichever entry is current, under the lock as before it.

A weak tag (`W/"7-12"`) never matches (If-Match compares strongly, and our ETags are strong), and an unquoted
one (`7-12`) is no entity tag at all. Both are refused as `bad_request` naming `If-Match` with the form to
send, rather than as `stale_write`: "the block changed" would send the client to reload and retry with the
same malformed header forever, when its copy of the block was current all along.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from cms import errors


def if_match_tags(header: str | None) -> list[str] | None:
    """The entity tags an `If-Match` header lists, as sent (quotes and `W/` kept); None when absent or `*`."""
    if header is None or header.strip() == "*":
        return None
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def malformed_if_match(tag: str) -> errors.BadRequest:
    """The refusal of an entry that is not a strong quoted tag, with that tag as it should have been sent."""
    bare = tag.removeprefix("W/").strip('"') or "7-11"
    message = f'If-Match must be the quoted ETag, e.g. "{bare}"; weak tags (W/"…") never match.'
    return errors.BadRequest(
        message, fields={"If-Match": f'Must be a quoted ETag such as "{bare}", as the ETag header sent it.'}
    )


def expected_version(request: Request | HttpRequest, *, current_etag: str, current_version: int) -> int | None:
    """The version a write may change, or None without a precondition; `stale_write` when no tag is current,
    `bad_request` when an entry is unquoted or weak."""
    tags = if_match_tags(request.headers.get("If-Match"))
    if tags is None:
        return None
    for tag in tags:
        if tag.startswith("W/") or len(tag) < 2 or not (tag.startswith('"') and tag.endswith('"')):
            raise malformed_if_match(tag)
    if current_etag not in tags:
        raise errors.StaleWrite()
    return current_version
