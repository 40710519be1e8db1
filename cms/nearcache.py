"""A process-local copy of a few hot cache keys, kept exact by Redis server-assisted client tracking.

Why: a delivery cache hit must see a publish from any process at once, so it has to consult the site's
generation counter in the shared cache on every request. A round trip to Redis for that costs two context
switches, as much as the rest of the hit. With `CLIENT TRACKING` (RESP3), Redis remembers which keys this
connection read and pushes an `invalidate` message on the same connection as soon as one of them changes
(written, incremented, deleted, expired, evicted, or the database flushed). Before answering from its copy,
`get_many` drains those messages with a zero-timeout `select`: one cheap syscall instead of a round trip.

Why a read that starts after a write has returned sees it: Redis queues the invalidation to every tracking
connection while it executes the write, and writes all queued output, to every client, in one pass before it
reads any further command. A writer that sends one more command after its write (`settle()`) and gets the
answer therefore knows the pass is over: the invalidation is in each reader's socket buffer (on one host the
kernel puts it there during Redis' `write`), and the next `select` sees it. Writers of near-cached keys
call `settle()` before they return (`delivery.cache.bump` does), so a publish answered to a client is
seen by every later read. Across hosts the invalidation still has to cross the network, which it normally
does long before a client can send its next request; `CMS["DELIVERY_NEAR_CACHE"] = False` trades that for a
round trip per read. Copies are also refreshed after `CACHE_TIMEOUT_SECONDS` (1 s) and dropped when the
connection breaks. Why so short: a Redis that goes silent (a network cut without a reset) sends no message
and no close, and only a round trip finds out; a write cannot give up on Redis and record its invalidation
(`delivery.cache`) sooner than that timeout, so a copy older than it is never trusted past such a write. One
round trip a second per thread costs nothing measurable on the hit path. Every thread's copies are dropped
by `reset()` (after a cache outage: a tracking connection that did not
see its socket close may have missed invalidations).

Only for Redis (`redis://`, `unix://`) caches; anything else (local memory, TLS) reads through Django's cache.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.connection import parse_url

from cms.conf import cms_setting

logger = logging.getLogger("cms.cache")

MAX_KEYS = 10_000
SETTLE_KEY = "nearcache:settle"
_ABSENT = object()
_epoch = 0  # bumped by `reset()` and in a forked child; a reader made under an older epoch is replaced


#: `get_many`'s `adds`: given what the process-local copies answered, the keys to create where absent, with
#: `(value, timeout in seconds or None)`, in the same round trip as the read
AddsFor = Callable[[dict], dict[str, tuple[object, int | None]]]


class ProtocolError(Exception):
    pass


class _Incomplete(Exception):
    pass


def _parse(buf: bytearray, pos: int):
    """One RESP3 frame from `buf` at `pos`: `(value, next_pos)`; raises `_Incomplete` if more bytes are needed.

    Push frames come back as `("push", [items])` so callers can tell them from replies.
    """
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise _Incomplete
    kind, line, nxt = buf[pos : pos + 1], bytes(buf[pos + 1 : end]), end + 2
    if kind in (b"$", b"="):
        size = int(line)
        if size < 0:
            return None, nxt
        if len(buf) < nxt + size + 2:
            raise _Incomplete
        return bytes(buf[nxt : nxt + size]), nxt + size + 2
    if kind in (b"*", b">", b"~", b"%"):
        count = int(line)
        if count < 0:
            return None, nxt
        if kind == b"%":
            count *= 2
        items = []
        for _ in range(count):
            item, nxt = _parse(buf, nxt)
            items.append(item)
        return (("push", items) if kind == b">" else items), nxt
    if kind == b"+":
        return line, nxt
    if kind == b"-":
        return ProtocolError(line.decode("utf-8", "replace")), nxt
    if kind == b":":
        return int(line), nxt
    if kind == b"_":
        return None, nxt
    if kind in (b"#", b",", b"("):
        return line, nxt
    raise ProtocolError(f"unexpected RESP type {kind!r}")


def _pack(*args: str | bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class TrackedReader:
    """One tracking connection and its copies, for one process and thread (see `get_many`)."""

    def __init__(self, backend: RedisCache) -> None:
        self.backend = backend
        # Django's private serializer: values must read back as its backend wrote them.
        self.serializer = backend._cache._serializer  # type: ignore[attr-defined]  # private, not in django-stubs
        self.params = parse_url(_servers(backend)[0])
        self.epoch = _epoch
        self.max_age = cms_setting("CACHE_TIMEOUT_SECONDS")  # seconds a copy is trusted without a round trip
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self.copies: dict[str, tuple[object, float]] = {}
        self.disabled = False  # the server refused tracking (too old, or not Redis): read through Django
        # Moved whenever a copy goes or comes (an invalidation, a fetch, a reconnect): while it stands still,
        # a read answered from the copies answers the same (`Watch`).
        self.version = 0
        self.oldest = 0.0  # when the oldest copy the last `get_many` answered from was fetched (monotonic)

    # -- connection --------------------------------------------------------------------------------------
    def connect(self) -> None:
        params = self.params
        timeout = cms_setting("CACHE_TIMEOUT_SECONDS")
        if params.get("path"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(params["path"])
        else:
            sock = socket.create_connection((params.get("host", "127.0.0.1"), params.get("port", 6379)), timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buf = sock, bytearray()
        self.copies.clear()
        self.version += 1
        hello = ["HELLO", "3"]
        if params.get("password"):
            hello += ["AUTH", params.get("username") or "default", params["password"]]
        self.command(*hello)
        if params.get("db"):
            self.command("SELECT", str(params["db"]))
        self.command("CLIENT", "TRACKING", "ON")

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        self.sock, self.buf = None, bytearray()
        self.copies.clear()
        self.version += 1

    # -- frames --------------------------------------------------------------------------------------------
    def _next_frame(self):
        """The next complete frame, removed from the buffer; `_Incomplete` when more bytes are needed."""
        frame, end = _parse(self.buf, 0)
        del self.buf[:end]
        return frame

    def _invalidate(self, frame) -> None:
        items = frame[1]
        if len(items) < 2 or items[0] != b"invalidate":
            return
        self.version += 1
        if items[1] is None:  # FLUSHDB / FLUSHALL: everything
            self.copies.clear()
            return
        for key in items[1]:
            self.copies.pop(key.decode("utf-8", "surrogateescape"), None)

    def drain(self) -> None:
        """Apply every invalidation that has arrived, without waiting for more."""
        sock = self.sock
        assert sock is not None, "connect() first"
        while select.select([sock], [], [], 0)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the tracking connection")
            self.buf += chunk
        while self.buf:
            try:
                frame = self._next_frame()
            except _Incomplete:
                return
            if not (isinstance(frame, tuple) and frame[0] == "push"):
                raise ProtocolError("a reply arrived with no command outstanding")
            self._invalidate(frame)

    def command(self, *args: str | bytes):
        sock = self.sock
        assert sock is not None, "connect() first"
        sock.sendall(_pack(*args))
        return self._reply()

    def _reply(self):
        """The next reply (pushes before it applied); a `-ERR` reply is raised as `ProtocolError`."""
        sock = self.sock
        assert sock is not None, "connect() first"
        while True:
            try:
                frame = self._next_frame()
            except _Incomplete:
                frame = _Incomplete
            if isinstance(frame, tuple) and frame[0] == "push":
                self._invalidate(frame)
                continue
            if isinstance(frame, ProtocolError):
                raise frame
            if frame is not _Incomplete:
                return frame
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the tracking connection")
            self.buf += chunk

    # -- reads ---------------------------------------------------------------------------------------------
    def get_many(self, keys: list[str], adds: AddsFor | None = None, lazy: str | None = None) -> dict:
        if self.sock is None:
            self.connect()
        self.drain()
        backend = self.backend
        now = time.monotonic()
        found: dict = {}
        wanted: list[tuple[str, str]] = []
        copies = self.copies
        oldest = now
        for key in keys:
            full = backend.make_key(key)
            copy = copies.get(full)
            if copy is None or now - copy[1] > self.max_age:
                wanted.append((key, full))
            else:
                if copy[1] < oldest:
                    oldest = copy[1]
                if copy[0] is not _ABSENT:
                    found[key] = copy[0]
        if len(wanted) == 1 and wanted[0][0] == lazy:
            wanted = []  # not worth a round trip of its own
        self.oldest = oldest
        if wanted:
            self.version += 1
            if len(copies) > MAX_KEYS:
                copies.clear()
            creating = adds(found) if adds is not None else {}
            sets = [
                _set_nx(full, self.serializer.dumps(creating[key][0]), creating[key][1])
                for key, full in wanted
                if key in creating
            ]
            if sets:
                # SET NX first, then MGET, in one round trip: the MGET reads what the key holds after the SET,
                # ours or an earlier writer's, so the value is exact either way (and tracked like any read).
                assert self.sock is not None
                self.sock.sendall(b"".join([*sets, _pack("MGET", *(full for _, full in wanted))]))
                for _ in sets:
                    with contextlib.suppress(ProtocolError):  # e.g. OOM: not created; the MGET says absent
                        self._reply()
                replies = self._reply()
            else:
                replies = self.command("MGET", *(full for _, full in wanted))
            loads = self.serializer.loads
            for (key, full), raw in zip(wanted, replies, strict=True):
                if raw is None:
                    copies[full] = (_ABSENT, now)
                else:
                    value = loads(raw)
                    copies[full] = (value, now)
                    found[key] = value
        return found


def _set_nx(full: str, data: object, timeout: int | None) -> bytes:
    """`SET key value NX [EX timeout]`, as Django's `cache.add` writes it (its serializer keeps ints bare)."""
    args: list[str | bytes] = ["SET", full, data if isinstance(data, bytes) else str(data), "NX"]
    if timeout is not None:
        args += ["EX", str(timeout)]
    return _pack(*args)


_local = threading.local()


def _servers(backend: RedisCache) -> list[str]:
    """The backend's server URLs, as its settings gave them."""
    return backend._servers  # type: ignore[attr-defined]  # private to Django, so not in django-stubs


def _reader() -> TrackedReader | None:
    reader = getattr(_local, "reader", None)
    if reader is not None and reader.epoch == _epoch:  # a switch of the cache backend moves the epoch (below)
        return reader
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or not _servers(backend)[0].startswith(("redis://", "unix://")):
        return None
    if reader is not None:
        reader.close()
    _local.reader = TrackedReader(backend)
    return _local.reader


def reset() -> None:
    """Drop every thread's copies: each reader reconnects (and re-subscribes) on its next read."""
    global _epoch
    _epoch += 1


# A forked child (a server's worker forked after the app was loaded) must not read on its parent's sockets or
# trust its copies: its readers are replaced on their next read. Noted at the fork rather than asking
# `os.getpid()` on every read: each read would pay a system call for an event that happens once.
os.register_at_fork(after_in_child=reset)


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs) -> None:
    """A switch of the cache backend (or of the knobs, `CMS`) replaces every reader, as `reset` does. Why here
    rather than asking `caches["default"]` on each read: that lookup cost a hit more than the rest of
    `unchanged`, and only settings changed at run time (tests) ever switch the backend."""
    if setting in ("CACHES", "CMS"):
        reset()


def settle() -> None:
    """After writing near-cached keys: return only once Redis has sent the invalidations (see the module doc).

    One cheap command on a fresh round trip: Redis reads it only after finishing the output pass that
    carried the invalidations of the write before it.
    """
    if isinstance(caches["default"], RedisCache):
        cache.get(SETTLE_KEY)


class Watch(NamedTuple):
    """What the thread's last `get_many` answered from: its reader, the reader's version, and until when (monotonic)
    its copies are trusted."""

    reader: TrackedReader
    version: int
    until: float


def watch() -> Watch | None:
    """Right after a `get_many` answered from this thread's copies: a note to ask later, with `unchanged`,
    whether the same `get_many` would answer the same. None where the near cache is not in use."""
    reader = getattr(_local, "reader", None)
    # Switching `DELIVERY_NEAR_CACHE` (a change of `CMS`) moves the epoch, as a backend switch does.
    if reader is None or reader.sock is None or reader.disabled or reader.epoch != _epoch:
        return None
    return Watch(reader, reader.version, reader.oldest + reader.max_age)


def unchanged(note: Watch) -> bool:
    """True when every copy the watched `get_many` answered from is still there and trusted: no invalidation
    has arrived since (they are drained first, as `get_many` does), nothing was fetched, nor reconnected.

    Why: what a reader derives from those values alone (a delivery answer chosen by the site's generation and
    the block's stamp) can then be kept whole, skipping the lookup, as exact as the copies themselves. Coarse
    on purpose: any invalidation on the connection, of any key, ends every note, which costs the next reads
    one lookup each, never a stale answer.
    """
    reader = note.reader
    if (
        getattr(_local, "reader", None) is not reader
        or reader.epoch != _epoch
        or reader.sock is None
        or time.monotonic() > note.until
    ):
        return False
    try:
        reader.drain()
    except (ProtocolError, OSError, ValueError):
        reader.close()
        return False
    return reader.version == note.version


def get_many(keys: list[str], adds: AddsFor | None = None, lazy: str | None = None) -> dict:
    """`cache.get_many(keys)`, answered from exact process-local copies where Redis tracking allows.

    `adds(found)`, given what the copies answered, names keys to create where absent (`cache.add`), sent in the
    same round trip as the read of the keys the copies cannot answer; it is asked only when there is such a
    read. Why: a delivery miss otherwise pays a second round trip to start its block's stamp. Where the near
    cache is not in use nothing is created: the caller's own `cache.add` does it, as before.

    `lazy`: a key read only along with others (left out of the answer when it alone would need a round trip).
    """
    if not cms_setting("DELIVERY_NEAR_CACHE"):
        return cache.get_many(keys)
    reader = _reader()
    if reader is None or reader.disabled:
        return cache.get_many(keys)
    try:
        return reader.get_many(keys, adds, lazy)
    except ProtocolError:
        logger.warning("Redis refused client tracking; reading through Django's cache", exc_info=True)
        reader.close()
        reader.disabled = True
    except (OSError, ValueError):  # ConnectionError is an OSError: reconnect on the next read
        logger.warning("Tracked cache read failed; reading through Django's cache", exc_info=True)
        reader.close()
    return cache.get_many(keys)
