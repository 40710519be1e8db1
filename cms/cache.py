"""Django's Redis cache backend, made cheap enough for a hot path that costs one cache round trip.

Two costs of the stock backend dominate a delivery cache hit (several times the CPU of the round trip itself;
`bench/delivery.py` measures the hit path):

- `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation; with redis-py 8 that
  constructor fills a table of ~170 response callbacks. Here one client per connection pool is kept
  (`redis.Redis` is thread-safe; the pool resets itself after a fork).
- the pool's checkout (locks, health probes, metrics) on every call. `get` and `get_many` instead use one
  private connection per thread and process, sending the command and reading its reply directly. Any
  error on that connection drops it and repeats the call through the normal client, so failures behave as
  with the stock backend.

Same settings, same keys, same serialisation: values written by either backend read back with the other.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from redis.connection import ConnectionPool
from redis.exceptions import RedisError


class ReusedClientRedisCacheClient(RedisCacheClient):
    # Attributes of Django's client that this one reads: private there, so django-stubs does not declare them.
    _servers: list[str]
    _pool_class: type[ConnectionPool]
    _pool_options: dict[str, Any]
    _pools: dict[int, ConnectionPool]
    _serializer: RedisSerializer

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._local = threading.local()

    def _pool(self, index: int):
        if index not in self._pools:
            self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return self._pools[index]

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._pool(index))
        return client

    # -- the direct read path ------------------------------------------------------------------------
    def _connection(self):
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is None or local.pid != os.getpid():
            pool = self._pool(self._get_connection_pool_index(False))
            connection = pool.connection_class(**pool.connection_kwargs)
            local.connection, local.pid = connection, os.getpid()
        return connection

    def _read(self, *args):
        connection = self._connection()
        try:
            connection.send_command(*args, check_health=False)
            return connection.read_response()
        except (RedisError, OSError):
            connection.disconnect()
            self._local.connection = None
            return self.get_client().execute_command(*args)

    def get(self, key, default):
        value = self._read("GET", key)
        return default if value is None else self._serializer.loads(value)

    def get_many(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        values = self._read("MGET", *keys)
        return {
            key: self._serializer.loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }


class FastRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
