"""A live server with `make run`'s demo site, for the clients (clients/js, clients/python) and the example
frontend (examples/frontend): tokens made with `create_api_token`, and two blocks the demo lacks (a global
block only in English, to see locale fallback; a draft, to see preview), written through the management API."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.docs.test_docs_examples import clear_caches

ROOT = Path(__file__).resolve().parents[2]
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


@dataclass
class Demo:
    url: str
    site: str
    read_token: str
    preview_token: str

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "CMS_URL": self.url,
            "CMS_SITE": self.site,
            "CMS_READ_TOKEN": self.read_token,
            "CMS_PREVIEW_TOKEN": self.preview_token,
        }


def token(*scopes: str, role: str = "owner") -> str:
    out = StringIO()
    call_command(
        "create_api_token",
        "--site",
        "demo",
        "--user",
        "clients",
        "--role",
        role,
        "--scopes",
        ",".join(scopes),
        stdout=out,
    )
    return out.getvalue().splitlines()[-1]


def write(client: Client, secret: str, path: str, body: dict | None = None) -> dict:
    answer = client.post(path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code in (200, 201), answer.content
    return answer.json()


@pytest.fixture
def demo(live_server, tmp_path, settings) -> Demo:
    settings.BASE_DIR = tmp_path  # seed_demo keeps the admin password under BASE_DIR/var
    clear_caches()
    call_command("seed_demo", "--base-url", live_server.url, stdout=StringIO())
    writer = token("read", "write", "publish")
    client = Client()
    write(client, writer, "/api/v1/site-blocks", PROMO)
    write(client, writer, "/api/v1/site-blocks/promo/publish")
    write(client, writer, "/api/v1/site-blocks", DRAFT)
    yield Demo(live_server.url, "demo", token("read"), token("read", "preview"))
    clear_caches()


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
        cwd=package,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"npm ci failed in {package}:\n{done.stdout}\n{done.stderr}"


def run_node(args: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [need("node"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
