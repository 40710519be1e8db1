"""The signature checks of docs/webhooks.md, copied from the page, accept what the service signs and refuse
a changed body, another secret and an old timestamp (Python in process, JavaScript with node)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from tests.docs.markdown import snippet
from webhooks.signing import signed_headers

SECRET = "a-local-secret-of-16-chars"
BODY = b'{"id":"d1","event":"block.published","time":"2025-06-30T09:00:00.000Z"}'


def cases() -> list[tuple[str, dict, bytes, bool]]:
    """(what, headers, body, expected) as the worker sends them (`webhooks.signing.signed_headers`)."""
    fresh = signed_headers(secret=SECRET, body=BODY, delivery_id="d1", event="block.published")
    old = signed_headers(secret=SECRET, body=BODY, delivery_id="d1", event="block.published", now=time.time() - 3600)
    other = signed_headers(secret="another-secret-of-16-chars", body=BODY, delivery_id="d1", event="block.published")
    return [
        ("signed now", fresh, BODY, True),
        ("body changed", fresh, BODY.replace(b"published", b"deleted"), False),
        ("another secret", other, BODY, False),
        ("an hour old", old, BODY, False),
        ("no signature", {k: v for k, v in fresh.items() if k != "X-CMS-Signature"}, BODY, False),
    ]


def test_python_verify_of_the_docs():
    namespace: dict = {}
    exec(compile(snippet("webhooks.md", "verify.py"), "verify.py", "exec"), namespace)
    for what, headers, body, expected in cases():
        assert namespace["verify"](SECRET, headers, body) is expected, what


def test_javascript_verify_of_the_docs(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    (tmp_path / "verify.mjs").write_text(snippet("webhooks.md", "verify.mjs"))
    checks = [
        {"what": what, "headers": {k.lower(): v for k, v in sent.items()}, "body": body.decode(), "expected": expected}
        for what, sent, body, expected in cases()
    ]
    (tmp_path / "run.mjs").write_text(
        'import { verify } from "./verify.mjs";\n'
        f"const checks = {json.dumps(checks)};\n"
        "for (const c of checks) {\n"
        f'  const got = verify("{SECRET}", c.headers, Buffer.from(c.body));\n'
        "  if (got !== c.expected) { console.log(`${c.what}: ${got}`); process.exitCode = 1; }\n"
        "}\n"
    )
    done = subprocess.run(["node", str(tmp_path / "run.mjs")], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
