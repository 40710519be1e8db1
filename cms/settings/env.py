"""Small readers for settings given as environment variables.

Settings come from the environment (twelve-factor) so that one `base.py` serves development, CI and
production alike. These helpers turn the strings into the shapes Django wants and fail loudly on nonsense.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not an integer") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not a number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_RE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{0,6})\s*(second|minute|hour|day)s?\s*$")


def env_rate(name: str) -> tuple[int, int] | None:
    """`600/minute` as `(600, 60)`, `50/10second` as `(50, 10)`; unset, empty or `off` as None (no limit)."""
    value = os.environ.get(name, "")
    if value.strip().lower() in ("", "0", "off", "none"):
        return None
    match = RATE_RE.match(value.lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{name}={value!r}: use e.g. 600/minute, 20/second, 50/10second or off")
    return int(match.group(1)), int(match.group(2) or 1) * RATE_UNITS[match.group(3)]


def env_networks(name: str) -> list[str]:
    """A comma list of addresses and networks (`10.0.0.0/8, 127.0.0.1`), each checked now."""
    values = env_list(name, [])
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ValueError(f"{name}: {value!r} is not an address or a network") from exc
    return values


def database_from_env(default_sqlite: Path) -> dj_database_url.DBConfig:
    """`DATABASE_URL` as Django's DATABASES entry; embedded SQLite under `var/` when unset.

    Connections persist between requests (`CONN_MAX_AGE`) so the hot read path does not pay a connect each
    time; `CONN_HEALTH_CHECKS` drops a connection the server closed instead of failing a request with it.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{default_sqlite}"
    # SQLite too: opening a file connection runs the PRAGMAs below and registers Django's SQL functions each
    # time, which was most of a delivery miss's cost (a new connection per request; bench/delivery.py).
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed while one writer commits; the busy timeout queues writers instead of
        # failing them with "database is locked". IMMEDIATE takes the write lock at BEGIN so a transaction
        # never fails halfway when upgrading a read lock.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


def replicas_from_env(primary: dj_database_url.DBConfig) -> dict[str, dj_database_url.DBConfig]:
    """`DATABASE_REPLICA_URLS` (comma-separated PostgreSQL URLs) as `replica_1`, `replica_2`… entries.

    Read by `cms.replicas.ReplicaRouter` (docs/operations.md "Read replicas"). Each mirrors the primary in
    tests (no test database of its own) and gives up connecting after `DATABASE_REPLICA_CONNECT_TIMEOUT`
    seconds, so an unreachable replica costs one short wait before reads fall back to the primary.
    """
    urls = env_list("DATABASE_REPLICA_URLS", [])
    if not urls:
        return {}
    if primary["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL (replicas of that primary)")
    replicas = {}
    for number, url in enumerate(urls, start=1):
        if not url.startswith(("postgres://", "postgresql://")):
            raise ValueError(f"DATABASE_REPLICA_URLS: replica {number} is not a postgres:// URL")
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
        config["OPTIONS"] = {"connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)}
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = config
    return replicas


def cache_from_env(timeout: float = 1.0) -> dict:
    """`CACHE_URL` as Django's CACHES entry: `redis://host:port/db`, `locmem://`, `file:///abs/dir`, `dummy://`.

    Local memory is the default so a fresh machine needs nothing running; production sets Redis so that
    every worker process shares one cache (rate limits, delivery answers). `timeout` bounds a Redis connect
    and each reply, so an unreachable Redis (a dropped network, not a refused port) costs at most that long
    before `cms.cacheguard` takes the cache out of the path.
    """
    url = os.environ.get("CACHE_URL", "").strip() or "locmem://"
    parsed = urlparse(url)
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    prefix = options.pop("prefix", "cms")
    if parsed.scheme in {"redis", "rediss"}:
        location = url.split("?", 1)[0]
        return {
            "BACKEND": "cms.cache.FastRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "TIMEOUT": None,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    if parsed.scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parsed.netloc or "cms",
            "KEY_PREFIX": prefix,
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if parsed.scheme == "file":
        # Shared by every process of one machine with no server to run: what `make run` uses, so that the
        # task worker's publishes reach the web process's delivery cache (local memory is per process).
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parsed.path,
            "KEY_PREFIX": prefix,
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if parsed.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ValueError(f"CACHE_URL={url!r}: use redis://host:port/db, locmem://, file:///abs/dir or dummy://")


S3_OPTIONS = {"endpoint_url": "endpoint_url", "region": "region_name", "custom_domain": "custom_domain"}
ADDRESSING_STYLES = ("auto", "path", "virtual")


def media_storage_from_url(url: str) -> dict:
    """`MEDIA_STORAGE_URL` as the `STORAGES["default"]` entry: the local file system when empty, else
    `s3://bucket[/prefix]?endpoint_url=…&region=…&custom_domain=…&addressing_style=path` for S3 or any
    S3-compatible store (MinIO, R2, Ceph…) through django-storages (`media.storage.S3MediaStorage`).

    The URL carries no credentials, and one that does is refused: URLs end up in logs, process lists and error
    reports. boto3 takes them from its own chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile, an
    instance role). An unknown option is refused too, so a typo cannot silently store files somewhere else.
    """
    url = url.strip()
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parsed = urlparse(url)
    shown = f"MEDIA_STORAGE_URL='{parsed.scheme}://{parsed.hostname or ''}{parsed.path}'"  # never the secret
    if parsed.scheme != "s3" or not parsed.hostname:
        raise ValueError(f"{shown}: use s3://bucket[/prefix]?endpoint_url=…&region=… (or leave it empty)")
    if parsed.username or parsed.password:
        raise ValueError(f"{shown}: put credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not the URL")
    query = {key: values[-1] for key, values in parse_qs(parsed.query, keep_blank_values=True).items()}
    unknown = sorted(set(query) - set(S3_OPTIONS) - {"addressing_style"})
    if unknown:
        raise ValueError(
            f"{shown}: unknown option(s) {', '.join(unknown)}; known: {', '.join([*S3_OPTIONS, 'addressing_style'])}"
        )
    options: dict = {"bucket_name": parsed.netloc, "location": parsed.path.strip("/")}
    for key, option in S3_OPTIONS.items():
        if query.get(key):
            options[option] = query[key]
    style = query.get("addressing_style", "auto")
    if style not in ADDRESSING_STYLES:
        raise ValueError(f"{shown}: addressing_style must be one of {', '.join(ADDRESSING_STYLES)}")
    if style != "auto":
        options["addressing_style"] = style
    return {"BACKEND": "media.storage.S3MediaStorage", "OPTIONS": options}
