"""Tasks for the worker's own tests: one the database "goes away" under once, one that fails for good."""

from __future__ import annotations

from pathlib import Path

from django.db import OperationalError
from django_tasks import task


@task()
def interrupted_once(marker: str, error: str) -> str:
    """Raises `OperationalError(error)` on its first run (leaving `marker`), then succeeds."""
    path = Path(marker)
    runs = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(runs))
    if runs == 1:
        raise OperationalError(error)
    return f"done in {runs} runs"
