"""Delivery fixtures: a clean cache per test, and a `publish` helper that runs the real services.

Writes run inside `django_capture_on_commit_callbacks(execute=True)` so the event listeners (cache
invalidation) run as they do after a real commit.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from blocks import services
from delivery import cache as dcache

HERO_SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "body", "type": "text"},
]


REDIS_URL = os.environ.get("CMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache(settings):
    """Django's cache on the local Redis, under a key prefix of its own (removed afterwards)."""
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "TIMEOUT": None,
        }
    }
    dcache.local_clear()
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*", count=500):
        client.delete(key)


@pytest.fixture
def write(actor, django_capture_on_commit_callbacks):
    """`write(services.block_publish, block=b, expected_version=None)` with the actor and commit hooks."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(actor=actor, **kwargs)

    return run


@pytest.fixture
def publish(write):
    """`publish(name, data, locale="en", type="global", path=None, schema=HERO_SCHEMA, tags=None)` → block."""

    def make(name, data, *, locale="en", type="global", path=None, schema=None, tags=None, slug=None):
        block = write(
            services.block_create,
            name=name,
            type=type,
            schema=schema or HERO_SCHEMA,
            data=data,
            path=path,
            tags=tags,
            locale=locale,
            slug=slug,
        )
        return write(services.block_publish, block=block, expected_version=None)

    return make
