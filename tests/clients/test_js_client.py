"""The JS client (clients/js) against a live server: its own `node --test` suite, and the generated types of
the demo site compiled with `tsc --strict` together with a typed use of the client (clients/js/test/typed/)."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request

from tests.clients.conftest import JS_CLIENT, npm_ready, run_node


def summary(output: str) -> dict[str, int]:
    """`node --test`'s closing counts (`# pass 14`, `# fail 0`, …)."""
    return {name: int(count) for name, count in re.findall(r"^# (tests|pass|fail|skipped|todo) (\d+)$", output, re.M)}


def test_node_suite_passes_against_the_live_server(demo):
    npm_ready(JS_CLIENT)
    done = run_node(["--test", "--test-reporter=tap", "test/"], cwd=JS_CLIENT, env=demo.env())
    output = done.stdout + done.stderr
    counts = summary(done.stdout)
    assert done.returncode == 0, output
    assert counts["fail"] == 0, output
    # Every test ran and passed, but the sync tests may skip (with their reason) on a server without /sync.
    assert counts["tests"] == 21, output
    assert counts["pass"] + counts["skipped"] == 21 and counts["skipped"] <= 2, output
    assert counts["pass"] >= 19, output


def test_generated_types_compile_strictly_with_a_typed_use_of_the_client(demo, tmp_path):
    npm_ready(JS_CLIENT)
    request = urllib.request.Request(
        f"{demo.url}/api/v1/site-blocks/types.ts", headers={"Authorization": f"Bearer {demo.token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "application/typescript; charset=utf-8"
        (tmp_path / "types.ts").write_bytes(answer.read())
    shutil.copy(JS_CLIENT / "test" / "typed" / "usage.ts", tmp_path / "usage.ts")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "es2022",
            "module": "es2022",
            "moduleResolution": "bundler",
            "lib": ["es2022", "dom"],
            "skipLibCheck": False,
            "paths": {"cms-client": [str(JS_CLIENT / "src" / "index.d.ts")]},
        },
        "files": ["types.ts", "usage.ts"],
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    tsc = JS_CLIENT / "node_modules" / "typescript" / "bin" / "tsc"
    done = run_node([str(tsc), "-p", str(tmp_path / "tsconfig.json")], cwd=tmp_path, env=demo.env())
    assert done.returncode == 0, done.stdout + done.stderr
