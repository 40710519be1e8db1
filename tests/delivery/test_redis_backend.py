"""`cms.cache.FastRedisCache`: the same behaviour as Django's Redis backend, with the direct read path."""

from __future__ import annotations

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.redis


def test_reads_writes_and_recovers_from_a_dropped_connection(redis_cache, settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "BACKEND": "cms.cache.FastRedisCache"}}
    cache.set("a", {"x": 1})
    cache.set("n", 5)
    assert cache.get("a") == {"x": 1} and cache.get("missing", "dflt") == "dflt"
    assert cache.get_many(["a", "n", "missing"]) == {"a": {"x": 1}, "n": 5}
    assert cache.incr("n") == 6 and cache.get("n") == 6

    client = cache._cache
    client._local.connection.disconnect()  # the server went away under the private connection
    client._local.connection._sock = None
    assert cache.get_many(["a", "n"]) == {"a": {"x": 1}, "n": 6}
    client._local.connection = None
    assert cache.get("a") == {"x": 1}
