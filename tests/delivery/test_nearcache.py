"""`cms.nearcache`: process-local copies of hot keys that Redis tracking keeps exact."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache

from cms import nearcache
from tests.delivery.conftest import REDIS_URL


def test_parser_reads_replies_pushes_and_waits_for_incomplete_frames():
    frame = bytearray(b">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n*2\r\n$1\r\na\r\n_\r\n")
    push, end = nearcache._parse(frame, 0)
    assert push == ("push", [b"invalidate", [b"key"]])
    reply, end = nearcache._parse(frame, end)
    assert reply == [b"a", None] and end == len(frame)
    with pytest.raises(nearcache._Incomplete):
        nearcache._parse(bytearray(b"$5\r\nab"), 0)
    assert nearcache._parse(bytearray(b"%1\r\n+k\r\n:7\r\n"), 0)[0] == [b"k", 7]


@pytest.mark.redis
def test_copies_follow_writes_from_any_connection_at_once(redis_cache):
    other = redis.Redis.from_url(REDIS_URL)  # another process's connection, as far as Redis can tell
    cache.set("gen", 1)
    assert nearcache.get_many(["gen", "none"]) == {"gen": 1}
    reader = nearcache._reader()
    assert reader is not None and reader.sock is not None
    full = cache.make_key("gen")
    for expected in range(2, 300):
        other.incr(full)
        other.ping()  # what `nearcache.settle()` does for writers
        assert nearcache.get_many(["gen"]) == {"gen": expected}
    cache.set("none", "now here")
    nearcache.settle()
    assert nearcache.get_many(["gen", "none"]) == {"gen": 299, "none": "now here"}
    other.delete(full)
    other.ping()
    assert nearcache.get_many(["gen", "none"]) == {"none": "now here"}


@pytest.mark.redis
def test_flush_messages_drop_every_copy_and_a_killed_connection_is_survived(redis_cache):
    cache.set("a", 1)
    assert nearcache.get_many(["a"]) == {"a": 1}
    reader = nearcache._reader()
    reader._invalidate(("push", [b"invalidate", None]))  # what FLUSHDB sends
    assert reader.copies == {}

    assert nearcache.get_many(["a"]) == {"a": 1}
    client_id = reader.command("CLIENT", "ID")
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=client_id)
    cache.set("a", 2)  # written while the tracking connection is gone: its invalidation is lost with it
    assert nearcache.get_many(["a"]) == {"a": 2}  # the broken connection is noticed, the copy not trusted
    assert nearcache.get_many(["a"]) == {"a": 2}  # and a new tracking connection takes over
    assert reader.sock is not None


def test_without_redis_it_reads_through_django(settings):
    cache.set("k", "v")
    assert nearcache._reader() is None
    assert nearcache.get_many(["k", "x"]) == {"k": "v"}


@pytest.mark.redis
def test_switched_off_it_reads_through_django_every_time(redis_cache, settings):
    settings.CMS = {**settings.CMS, "DELIVERY_NEAR_CACHE": False}
    nearcache._local.__dict__.clear()
    cache.set("k", 1)
    assert nearcache.get_many(["k"]) == {"k": 1}
    cache.set("k", 2)
    assert nearcache.get_many(["k"]) == {"k": 2}
    assert getattr(nearcache._local, "reader", None) is None  # no tracking connection was opened


@pytest.mark.redis
def test_adds_start_missing_keys_in_the_read_round_trip(redis_cache):
    """`adds`: a key absent from Redis is created (SET NX) and read back in one round trip; a key that exists
    keeps its value, whoever wrote it; keys the copies answer ask for nothing."""
    cache.set("here", 5)
    seen = []

    def adds(found):
        seen.append(dict(found))
        return {"here": (1, 60), "new": (7, 60)}

    assert nearcache.get_many(["here", "new"], adds) == {"here": 5, "new": 7}
    assert cache.get("new") == 7 and cache.get("here") == 5
    ttl = redis.Redis.from_url(REDIS_URL).ttl(cache.make_key("new"))
    assert 0 < ttl <= 60
    assert nearcache.get_many(["here", "new"], adds) == {"here": 5, "new": 7}  # from the copies
    assert len(seen) == 1  # asked only when something had to be read

    cache.delete("new")  # e.g. expired: its copy is dropped at once, and the next read starts it again
    nearcache.settle()
    assert nearcache.get_many(["new"], lambda found: {"new": (8, None)}) == {"new": 8}
    assert redis.Redis.from_url(REDIS_URL).ttl(cache.make_key("new")) == -1  # no timeout: persistent


@pytest.mark.redis
def test_a_refused_add_leaves_the_key_absent(redis_cache):
    """A SET the server refuses (here: a bad timeout; in production, out of memory) is not an error of the
    read: the key reads as absent, and the caller starts it its own way."""
    assert nearcache.get_many(["k"], lambda found: {"k": (1, -5)}) == {}
    assert nearcache._reader().disabled is False
    cache.set("k", 2)
    nearcache.settle()
    assert nearcache.get_many(["k"]) == {"k": 2}


@pytest.mark.redis
def test_a_lazy_key_is_read_only_along_with_others(redis_cache):
    """`lazy`: alone missing from the copies it costs no round trip (and is left out); with another key to read
    it rides along in the same MGET."""
    cache.set("a", 1)
    cache.set("lazy", 2)
    assert nearcache.get_many(["a"]) == {"a": 1}
    assert nearcache.get_many(["a", "lazy"], lazy="lazy") == {"a": 1}
    cache.set("a", 3)  # its copy is dropped: now "a" needs a read, and "lazy" comes with it
    nearcache.settle()
    assert nearcache.get_many(["a", "lazy"], lazy="lazy") == {"a": 3, "lazy": 2}
    assert nearcache.get_many(["a", "lazy"], lazy="lazy") == {"a": 3, "lazy": 2}  # both from the copies now


@pytest.mark.redis
def test_a_forked_child_reads_on_a_connection_of_its_own(redis_cache):
    """A server worker forked after the app loaded must not read its parent's socket (replies would interleave)
    nor trust copies it did not watch: the fork itself marks the parent's readers as not the child's."""
    import os

    cache.set("k", 1)
    assert nearcache.get_many(["k"]) == {"k": 1}
    parent = nearcache._reader()
    assert parent is not None
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status, never return into pytest
        code = 1
        try:
            read = nearcache.get_many(["k"])
            child = nearcache._reader()
            own = child is not parent and child.sock is not None and parent.sock is None  # the parent's, closed here
            code = 0 if own and read == {"k": 1} else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert nearcache._reader() is parent  # the parent keeps its own
    assert nearcache.get_many(["k"]) == {"k": 1}
