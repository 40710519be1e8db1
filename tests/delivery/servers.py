"""Starting real production servers for tests and the benchmarks, on a free loopback port.

Used by the two-server test, the fault and slow-client tests and `bench/delivery.py`, so all run the exact
production command (`python -m cms.server`: granian, see `cms/server.py`) with only the environment changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "cms.server"]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings.base"
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start_server(env: dict[str, str], *, workers: int = 1, threads: int = 1, log=subprocess.DEVNULL):
    """Start the production server; returns `(process, base_url)` once it answers."""
    process, base = spawn_server(env, workers=workers, threads=threads, log=log)
    wait_ready(process, base)
    return process, base


def spawn_server(env: dict[str, str], *, workers: int = 1, threads: int = 1, log=subprocess.DEVNULL):
    """Start the production server without waiting (start several at once, then `wait_ready` each)."""
    port = free_port()
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)}
    env.setdefault("ACCESS_LOG", "")
    env.setdefault("LOG_LEVEL", "WARNING")
    process = subprocess.Popen(
        SERVER,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_ready(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/api/v1/delivery/-/blocks/-", timeout=1)
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError:
            time.sleep(0.05)
            continue
        return
    process.kill()
    raise RuntimeError("the server did not answer within 30 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def call(
    method: str, url: str, body: dict | None = None, token: str | None = None, timeout: float = 10
) -> tuple[int, Message, dict]:
    """One JSON request to a server under test: status, headers (case-insensitive: granian sends them in lower
    case) and the decoded body, whatever the status."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, method=method, data=data)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")
