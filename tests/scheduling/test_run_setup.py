"""What `make run` relies on: a cache every process of the machine shares (worker and server)."""

from __future__ import annotations

from django.core.cache.backends.filebased import FileBasedCache

from cms.settings.env import cache_from_env


def test_file_cache_url_is_shared_between_processes(monkeypatch, tmp_path):
    monkeypatch.setenv("CACHE_URL", f"file://{tmp_path}/cache?prefix=p1")
    config = cache_from_env()
    assert config["BACKEND"].endswith("FileBasedCache") and config["LOCATION"] == f"{tmp_path}/cache"
    assert config["KEY_PREFIX"] == "p1"
    writer = FileBasedCache(config["LOCATION"], {"KEY_PREFIX": "p1"})
    reader = FileBasedCache(config["LOCATION"], {"KEY_PREFIX": "p1"})  # as another process would open it
    writer.set("gen", 1, timeout=None)
    writer.incr("gen")
    assert reader.get("gen") == 2
