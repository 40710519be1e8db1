"""The import-linter contracts cover every app of the project, so a new app cannot slip past the layers."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

PYPROJECT = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())


def project_apps() -> set[str]:
    """The installed apps that live in this repository, and `cms` (the project package, not an installed app)."""
    base = Path(settings.BASE_DIR).resolve()
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == base}
    return ours | {"cms"}


def contract(kind: str) -> dict:
    [found] = [c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == kind]
    return found


def test_every_app_is_in_a_layer_and_checked_for_cycles():
    layered = {name.strip() for layer in contract("layers")["layers"] for name in layer.split("|")}
    ours = project_apps()
    assert ours, "no project apps found"
    assert ours <= set(PYPROJECT["tool"]["importlinter"]["root_packages"])
    assert ours == layered, f"apps without a layer: {ours - layered}; layers naming no app: {layered - ours}"
    assert ours <= set(contract("acyclic_siblings")["ancestors"])


def test_mypy_checks_every_app():
    checked = set(PYPROJECT["tool"]["mypy"]["packages"])
    assert project_apps() <= checked, f"not type-checked: {project_apps() - checked}"
