"""Opt-in rate limit on the delivery API per client address (`CMS_DELIVERY_RATE_LIMIT`, e.g. `600/minute`).

A fixed window per address, counted in the shared cache, so every process on every app host sharing the Redis
sees one count: the first request of a window creates the counter with an expiry, each request adds one. Over
the limit the answer is the 429 `rate_limited` envelope with `Retry-After` (seconds until the window ends)
and `RateLimit-Limit`/`-Remaining`/`-Reset`, never cached (`no-store`). Answers under the limit carry no
rate-limit headers: a CDN stores them and serves them to everyone, so per-client numbers would be wrong there.

Counted: GET and HEAD under `/api/v1/delivery/` (answers, pages, lists, the sync feed). Not counted: CORS
preflights. The address is `cms.clientaddr.client_address` (behind a load balancer or CDN, set
`CMS_TRUSTED_PROXIES` or every client shares the proxy's count). Behind a CDN only the misses reach the
origin, so the limit there bounds what one client can make the origin render, which is what it is for.

If the cache is unreachable, requests are let through (fail open, as the management API's token limits do).
With Redis, a request costs one round trip (INCR and EXPIRE NX in one pipeline).
"""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from cms import errors
from cms.cacheguard import CACHE_ERRORS, breaker
from cms.clientaddr import client_address
from cms.conf import cms_setting
from delivery.views import error_response

logger = logging.getLogger("cms.api")

PATH_PREFIX = "/api/v1/delivery/"
COUNTED_METHODS = frozenset({"GET", "HEAD"})


def count(bucket: str, window: int) -> int:
    """Add one to `bucket`'s counter for the current window and return it."""
    cache = caches["default"]
    key = f"rl:{bucket}:{int(time.time() // window)}"
    if isinstance(cache, RedisCache):
        redis_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(redis_key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, window + 1, nx=True)
        return int(pipeline.execute()[0])
    if cache.add(key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between `add` and `incr`: the next window's first request
        cache.set(key, 1, timeout=window + 1)
        return 1


class DeliveryRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rate = cms_setting("DELIVERY_RATE_LIMIT")
        if rate is None or request.method not in COUNTED_METHODS or not request.path.startswith(PATH_PREFIX):
            return self.get_response(request)
        limit, window = rate
        if not breaker.available():  # fail open; the breaker logged the outage when it began
            return self.get_response(request)
        try:
            used = count(f"d:{client_address(request.META)}", window)
        except CACHE_ERRORS as error:
            breaker.failed(error)
            return self.get_response(request)
        if used <= limit:
            return self.get_response(request)
        reset = max(1, math.ceil((time.time() // window + 1) * window - time.time()))
        headers = {
            "Retry-After": str(reset),
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
        }
        return error_response(
            errors.RateLimited(f"Over {limit} delivery requests in {window} s from this address.", headers=headers)
        )
