"""The code of docs/webhooks.md, copied from the page: the signature checks accept what the service signs and
refuse a changed body, another secret and an old timestamp (Python in process, JavaScript with node); the
local receiver accepts what the service's sender sends."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import override_settings

from tests.docs.markdown import snippet
from webhooks import sending
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_local_receiver_of_the_docs_accepts_what_the_service_sends(tmp_path):
    """receiver.py, started as the page says, answers 204 to a delivery signed and sent by the service's own
    sender (`webhooks.sending.post`), and 401 to one signed with another secret."""
    port = free_port()
    (tmp_path / "receiver.py").write_text(snippet("webhooks.md", "receiver.py"))
    receiver = subprocess.Popen(
        [sys.executable, str(tmp_path / "receiver.py"), SECRET, str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):  # until it listens (at most 10 s)
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        good = signed_headers(secret=SECRET, body=BODY, delivery_id="d1", event="block.published")
        bad = signed_headers(secret="another-secret-of-16-chars", body=BODY, delivery_id="d2", event="block.published")
        with override_settings(CMS={**settings.CMS, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True}):
            assert sending.post(url, BODY, good, timeout=10) == 204
            assert sending.post(url, BODY, bad, timeout=10) == 401
    finally:
        receiver.terminate()
        out, _ = receiver.communicate(timeout=10)
    lines = out.splitlines()
    assert lines[0].startswith("block.published signature ok {'id': 'd1'")
    assert lines[1].startswith("block.published BAD SIGNATURE")
