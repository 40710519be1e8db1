"""The docs build as a site with no warning, their links resolve, and nothing in the repository points
outside it (issue 21: docs that referred to files that were never in the repository)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.docs.markdown import DOCS, ROOT

LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "test-artifacts", "__pycache__", ".mypy_cache", ".ruff_cache"}
# Names of documents that lived outside the repository; spelled in pieces so this file does not name them.
OUTSIDE = [name + ".md" for name in ("FIELDS", "API", "STYLE")] + ["../" + "shared"]


def test_mkdocs_builds_strictly(tmp_path):
    """`mkdocs build --strict`: a broken link, a missing anchor or a page left out of the nav fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "fields" / "index.html").exists()


def test_relative_links_of_docs_and_readme_resolve():
    """Every relative link of README.md and docs/*.md names a file that exists (anchors: mkdocs checks them)."""
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for match in LINK.finditer(page.read_text()):
            target = match["target"]
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            if not (page.parent / target.split("#")[0]).exists():
                broken.append(f"{page.name}: {target}")
    assert broken == []


def test_nothing_points_outside_the_repository():
    found = []
    for path in ROOT.rglob("*"):
        if any(part in SKIPPED_DIRS for part in path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix not in {".py", ".md", ".txt", ".toml", ".yml", ".yaml", ".html", ".js", ".css", ""}:
            continue
        text = path.read_text(errors="replace")
        found += [f"{path.relative_to(ROOT)}: {name}" for name in OUTSIDE if name in text]
    assert found == []


def test_readme_links_every_docs_page():
    readme = (ROOT / "README.md").read_text()
    assert [p.name for p in sorted(DOCS.glob("*.md")) if f"(docs/{p.name})" not in readme] == []
