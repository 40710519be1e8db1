"""Rate limits per API token, reads and writes counted apart, shared by every worker through the cache.

A fixed window per token and kind: the first request opens a window of `RATE_LIMIT_WINDOW_SECONDS`
(anchored at that request, not at the wall-clock minute), and each request adds one to a counter with the
cache's atomic `incr` (Redis `INCR` in production, so every server worker and every host sharing the Redis
sees one count). Over the limit the answer is 429 `rate_limited` with `Retry-After`; every throttled view's
answer, 429 or not, carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until
the window resets), set by `RateLimitHeadersMiddleware` from what the throttle left on the request.

If the cache is unreachable the request is let through (fail open, logged once when `cms.cacheguard`'s
breaker opens, without waiting for Redis while it stays open): a rate limiter must not turn a cache outage
into an API outage. docs/decisions.md says why.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

from cms.cacheguard import CACHE_ERRORS, breaker
from cms.conf import cms_setting

logger = logging.getLogger("cms.api")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REQUEST_ATTRIBUTE = "_cms_rate_limit"


@dataclass(frozen=True)
class RateState:
    limit: int
    count: int
    reset_at: float  # epoch seconds when the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    def reset_in(self, now: float | None = None) -> int:
        return max(0, math.ceil(self.reset_at - (time.time() if now is None else now)))

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_in()),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset_in()))
        return headers


def hit(bucket: str, limit: int, window: int) -> RateState:
    """Count one request in `bucket` and say where its window stands.

    Two keys: `<bucket>:start` holds when the window opened (created with `add`, so the first of concurrent
    requests wins and the others read its value) and names the counter key, which `incr` bumps atomically.
    """
    cache = caches["default"]
    now = time.time()
    start_key = f"rl:{bucket}:start"
    start = None
    for _ in range(3):  # the start key can expire between `add` and `get`; then open the next window
        cache.add(start_key, now, timeout=window)
        start = cache.get(start_key)
        if start is not None:
            break
    start = now if start is None else float(start)
    count_key = f"rl:{bucket}:{int(start * 1000)}"
    cache.add(count_key, 0, timeout=window + 5)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between `add` and `incr`
        cache.set(count_key, 1, timeout=window + 5)
        count = 1
    return RateState(limit=limit, count=count, reset_at=start + window)


def bucket_for(request) -> str | None:
    """Whose allowance a request spends: the token's (by its hash, never reused), else the session user's."""
    token = request.auth
    kind = "r" if request.method in READ_METHODS else "w"
    if token is not None and getattr(token, "token_hash", None):
        return f"{kind}:t:{token.token_hash[:24]}"
    user = request.user
    if user is not None and user.is_authenticated:
        return f"{kind}:u:{user.pk}:{int(user.date_joined.timestamp())}"
    return None


class TokenRateThrottle(BaseThrottle):
    """DRF throttle: reads and writes per token per window, from `CMS["RATE_LIMIT_*"]`."""

    def allow_request(self, request, view) -> bool:
        bucket = bucket_for(request)
        if bucket is None:
            return True
        limit = cms_setting(
            "RATE_LIMIT_READS_PER_MINUTE" if bucket.startswith("r:") else "RATE_LIMIT_WRITES_PER_MINUTE"
        )
        if not breaker.available():  # fail open; the breaker logged the outage once when it began
            return True
        try:
            self.state = hit(bucket, limit, cms_setting("RATE_LIMIT_WINDOW_SECONDS"))
        except CACHE_ERRORS as error:  # a cache outage must not fail the request: open the breaker, let it in
            breaker.failed(error)
            return True
        except Exception:
            logger.warning("Rate limiting skipped: the cache failed", exc_info=True)
            return True
        setattr(request._request, REQUEST_ATTRIBUTE, self.state)
        return self.state.allowed

    def wait(self) -> float:
        return max(1, self.state.reset_in())


class RateLimitHeadersMiddleware:
    """Copy the throttle's verdict onto the answer as `RateLimit-*` (and `Retry-After` on a 429)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state: RateState | None = getattr(request, REQUEST_ATTRIBUTE, None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response
