"""The scripts of the docs, run as a reader runs them against a live server with the demo site of `make run`
and a token from `create_api_token`: the quickstart's first block in curl, Python and JavaScript
(docs/index.md), the `If-Match` round trip (docs/management-api.md) and the ETag revalidation
(docs/delivery-api.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from blocks.models import SiteBlock
from tests.docs.markdown import DOCS, snippet
from tests.docs.test_docs_examples import clear_caches


def token_line_of_quickstart() -> list[str]:
    """The `create_api_token` arguments the quickstart shows."""
    text = (DOCS / "index.md").read_text()
    found = re.search(r"manage\.py create_api_token (.+?) \| tail -1", text)
    assert found, "the quickstart shows how to make a token"
    return found[1].split()


@pytest.fixture
def demo(live_server, tmp_path, settings):
    """`make run`'s demo site, and a token made as the quickstart says."""
    settings.BASE_DIR = tmp_path  # seed_demo keeps the admin password under BASE_DIR/var
    clear_caches()
    call_command("seed_demo", "--base-url", live_server.url, stdout=StringIO())
    out = StringIO()
    call_command("create_api_token", *token_line_of_quickstart(), stdout=out)
    yield {**os.environ, "CMS_URL": live_server.url, "CMS_TOKEN": out.getvalue().splitlines()[-1]}, tmp_path
    clear_caches()


def run(command: list[str], env: dict, cwd: Path) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def assert_published_hero() -> None:
    hero = SiteBlock.objects.get(site__slug="demo", slug="hero")
    assert hero.status == "published"
    assert hero.data == {"title": "Build faster", "cta": "/signup"}


@pytest.mark.parametrize(
    ("title", "command"),
    [
        ("first-block.sh", ["bash", "-eo", "pipefail"]),
        ("first_block.py", [sys.executable]),
        ("first_block.mjs", ["node"]),
    ],
)
def test_quickstart_first_block(demo, title, command):
    env, tmp_path = demo
    if shutil.which(command[0]) is None or (title.endswith(".sh") and shutil.which("curl") is None):
        pytest.skip(f"{command[0]} (or curl) is not installed")
    script = tmp_path / title
    script.write_text(snippet("index.md", title))
    out = run([*command, str(script)], env, tmp_path)
    assert_published_hero()
    if title.endswith(".sh"):
        assert '"status":"published"' in out and '"data":{"title":"Build faster","cta":"/signup"}' in out
    else:
        lines = out.splitlines()
        assert lines[0] == "created hero version 1"
        assert lines[1] == "status published"
        assert lines[2].startswith("delivered ")
        assert json.loads(lines[2].removeprefix("delivered ")) == {"title": "Build faster", "cta": "/signup"}


def run_shell(demo, page: str, title: str) -> list[str]:
    env, tmp_path = demo
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    script = tmp_path / title
    script.write_text(snippet(page, title))
    return run(["bash", "-eo", "pipefail", str(script)], env, tmp_path).splitlines()


def test_if_match_script_writes_once_then_is_stale(demo):
    written, stale = run_shell(demo, "management-api.md", "if-match.sh")
    header = SiteBlock.objects.get(site__slug="demo", slug="header", locale="en")
    assert json.loads(written)["data"]["data"]["tagline"] == "Build faster"
    assert json.loads(stale)["error"]["code"] == "stale_write"
    assert header.data["tagline"] == "Build faster"
    assert header.version == json.loads(written)["data"]["version"]


def test_revalidate_script_gets_304(demo):
    assert run_shell(demo, "delivery-api.md", "revalidate.sh") == ["304"]
