"""Settings for running on several hosts (cms/settings/env.py): replicas, the delivery rate limit, trusted
proxies. Nonsense fails at startup.

The routing itself is tested against a real streaming replica: tests/delivery/test_read_replicas.py.
"""

import pytest

from cms.settings.env import database_from_env, env_networks, env_rate, replicas_from_env

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


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("off", None), ("600/minute", (600, 60)), ("20/second", (20, 1)), ("50/10seconds", (50, 10))],
)
def test_delivery_rate_limit_setting(monkeypatch, value, expected):
    monkeypatch.setenv("CMS_DELIVERY_RATE_LIMIT", value)
    assert env_rate("CMS_DELIVERY_RATE_LIMIT") == expected


@pytest.mark.parametrize("value", ["600", "0/minute", "ten/minute", "5/fortnight"])
def test_a_bad_delivery_rate_limit_fails_at_startup(monkeypatch, value):
    monkeypatch.setenv("CMS_DELIVERY_RATE_LIMIT", value)
    with pytest.raises(ValueError, match="CMS_DELIVERY_RATE_LIMIT"):
        env_rate("CMS_DELIVERY_RATE_LIMIT")


def test_trusted_proxies_are_checked_at_startup(monkeypatch):
    monkeypatch.setenv("CMS_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    assert env_networks("CMS_TRUSTED_PROXIES") == ["10.0.0.0/8", "::1"]
    monkeypatch.setenv("CMS_TRUSTED_PROXIES", "10.0.0.0/8,proxy.example")
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an address or a network"):
        env_networks("CMS_TRUSTED_PROXIES")
