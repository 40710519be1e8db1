"""Database connections persist between requests, on PostgreSQL and SQLite (the hot paths must not pay a connect)."""

from cms.settings.env import database_from_env


def test_postgres_connections_persist_and_are_health_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://cms@db.example:5432/cms")
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    config = database_from_env(tmp_path / "unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True

    monkeypatch.setenv("DB_CONN_MAX_AGE", "600")
    assert database_from_env(tmp_path / "unused.sqlite3")["CONN_MAX_AGE"] == 600


def test_sqlite_connections_persist_too(monkeypatch, tmp_path):
    """A SQLite connect runs its PRAGMAs and registers Django's functions: most of a delivery miss when paid per
    request (bench/delivery.py)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    config = database_from_env(tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["CONN_MAX_AGE"] == 60
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
