"""One real server (`python -m cms.server`, as production runs it) with `make run`'s demo site, shared by every
test of the clients (clients/js, clients/python) and the example frontend (examples/frontend): they only read,
so the demo is seeded once, into a private SQLite file. Two blocks the demo lacks are written through the
management API: a global block only in English (to see locale fallback) and a draft (to see preview)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.delivery.servers import ROOT, call, server_env, start_server, stop_server

JS_CLIENT = ROOT / "clients" / "js"
PY_CLIENT = ROOT / "clients" / "python"
EXAMPLE = ROOT / "examples" / "frontend"

if str(PY_CLIENT) not in sys.path:
    sys.path.insert(0, str(PY_CLIENT))  # the Python client is tested from its source tree, as `pip -e` would

PROMO = {
    "name": "Promo",
    "type": "global",
    "tags": ["promo"],
    "schema": [{"name": "headline", "type": "string", "required": True}],
    "data": {"headline": "Only in English"},
}
DRAFT = {
    "name": "Draft Note",
    "type": "global",
    "schema": [{"name": "note", "type": "text"}],
    "data": {"note": "Not published yet"},
}


@dataclass(frozen=True)
class Demo:
    url: str
    site: str
    token: str  # every scope, preview included (an owner's)

    def env(self) -> dict[str, str]:
        return {**server_env(), "CMS_URL": self.url, "CMS_SITE": self.site, "CMS_PREVIEW_TOKEN": self.token}


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Iterator[Demo]:
    directory = tmp_path_factory.mktemp("clients-server")
    env = server_env(
        DATABASE_URL=f"sqlite:///{directory / 'cms.sqlite3'}",
        CACHE_URL="locmem://",
        MEDIA_ROOT=str(directory / "media"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.clients.seed_server", str(directory)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    token = done.stdout.strip().splitlines()[-1]
    process, base = start_server(env)
    try:
        for path, body in (
            ("/api/v1/site-blocks", PROMO),
            ("/api/v1/site-blocks/promo/publish", None),
            ("/api/v1/site-blocks", DRAFT),
        ):
            status, _, answer = call("POST", base + path, body, token)
            assert status in (200, 201), answer
        yield Demo(base, "demo", token)
    finally:
        stop_server(process)


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"`{program}` is not installed: the JS client and the example frontend need Node.js 20+")
    return found


def npm_ready(package: Path) -> None:
    """`npm ci` in `package` unless its node_modules already match its package-lock.json (node_modules is
    kept, gitignored, so only the first run on a clean clone installs)."""
    need("node")
    npm = need("npm")
    lock = package / "package-lock.json"
    installed = package / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=package, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"npm ci failed in {package}:\n{done.stdout}\n{done.stderr}"


def run_node(args: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [need("node"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
