"""The scripts of docs/frontends.md run against the live demo server and print what the page says they print;
the page's excerpt of the demo's types is the generated text."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request

from tests.clients.conftest import JS_CLIENT, PY_CLIENT, run_node
from tests.docs.markdown import DOCS, snippet


def printed() -> list[str]:
    """The lines the page shows under "prints"."""
    found = re.search(r"^prints\n\n```text\n(.*?)^```", (DOCS / "frontends.md").read_text(), re.M | re.S)
    assert found
    return found[1].splitlines()


def test_javascript_example_prints_what_the_page_says(demo, tmp_path):
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "cms-client").symlink_to(JS_CLIENT)  # as `npm install ./clients/js` links it
    script = tmp_path / "frontend.mjs"
    script.write_text(snippet("frontends.md", "frontend.mjs"))
    done = run_node([str(script)], cwd=tmp_path, env=demo.env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == printed()


def test_python_example_prints_the_same(demo, tmp_path):
    script = tmp_path / "frontend.py"
    script.write_text(snippet("frontends.md", "frontend.py"))
    env = {**demo.env(), "PYTHONPATH": str(PY_CLIENT)}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == printed()


def test_the_pages_excerpt_of_the_demo_types_is_what_the_api_generates(demo):
    request = urllib.request.Request(
        f"{demo.url}/api/v1/site-blocks/types.ts", headers={"Authorization": f"Bearer {demo.token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        generated = answer.read().decode()
    assert snippet("frontends.md", "types.ts (the demo's header)") in generated
