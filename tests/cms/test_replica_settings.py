"""`DATABASE_REPLICA_URLS` becomes `replica_N` database entries (cms/settings/env.py); nonsense fails at startup.

The routing itself is tested against a real streaming replica: tests/delivery/test_read_replicas.py.
"""

import pytest

from cms.settings.env import database_from_env, replicas_from_env

PRIMARY = "postgres://cms@db.example:5432/cms"


def primary(monkeypatch, tmp_path, url: str = PRIMARY):
    monkeypatch.setenv("DATABASE_URL", url)
    return database_from_env(tmp_path / "unused.sqlite3")


def test_no_replicas_when_unset(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_REPLICA_URLS", raising=False)
    assert replicas_from_env(primary(monkeypatch, tmp_path)) == {}


def test_each_url_is_a_replica_mirroring_the_primary_in_tests(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://cms@r1.example/cms, postgresql://cms@r2.example:6432/cms")
    monkeypatch.delenv("DATABASE_REPLICA_CONNECT_TIMEOUT", raising=False)
    replicas = replicas_from_env(primary(monkeypatch, tmp_path))
    assert list(replicas) == ["replica_1", "replica_2"]
    assert replicas["replica_1"]["HOST"] == "r1.example"
    assert (replicas["replica_2"]["HOST"], replicas["replica_2"]["PORT"]) == ("r2.example", 6432)
    for config in replicas.values():
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert config["TEST"] == {"MIRROR": "default"}
        assert config["OPTIONS"] == {"connect_timeout": 2}
        assert config["CONN_HEALTH_CHECKS"] is True


def test_replicas_need_a_postgres_primary_and_postgres_urls(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://cms@r1.example/cms")
    with pytest.raises(ValueError, match="needs a PostgreSQL DATABASE_URL"):
        replicas_from_env(primary(monkeypatch, tmp_path, "sqlite:///x.sqlite3"))
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://cms@r1.example/cms,mysql://r2/cms")
    with pytest.raises(ValueError, match="replica 2 is not a postgres:// URL"):
        replicas_from_env(primary(monkeypatch, tmp_path))
