"""Production server candidates side by side: granian, uvicorn and gunicorn, on throughput and under slow clients.

    .venv/bin/python bench/servers.py             # SQLite file DB, Redis db 10 (see the env knobs below)

Seeds a site (bench/delivery.py's blocks), starts every server on loopback at once, each with the same
number of worker processes, the same Django app and Redis cache:

Then rounds that run every path below on every server in turn (so other load on the machine falls on all
alike), each server keeping its best round per path, printed as req/s, as a ratio to the same server's bare
view, and as a ratio to granian's on that path:

    baseline   wrk on a bare Django view (same body size): the server's own ceiling
    hit        wrk on a delivery cache hit
    304        the hit with If-None-Match
    page       a page by path (cache hit)
    miss       every request a different block and locale, after the site's generation was bumped
    sync       a sync feed page of 100 changes (never cached)
and then, one server at a time:

    slowloris  N connections each holding a half-sent request head (default 8, twice the workers), then:
               the latency of a normal request (median of 5, each given 10 s; timeouts counted) as a ratio to
               the same request without the attack, and wrk's hit throughput during the attack
    8 MB line  one request with an 8 MB request line: status and seconds until the answer

gunicorn runs as the former production config did (sync workers, `limit_request_line = 0`); uvicorn with
its WSGI interface (h11, the pure-Python parser); granian with `cms/server.py`, the production command.
A server is "safe" when no normal request timed out under the slow heads and the hit path kept at least half
its throughput; the last line names the fastest safe one on the miss path (what reaches an origin behind a
CDN), then the hit path.

Knobs: BENCH_SECONDS (3), BENCH_ROUNDS (3), BENCH_SLOW (2 x workers), WEB_WORKERS (2 per CPU),
BENCH_BLOCKS (2000), BENCH_REDIS_URL (redis://127.0.0.1:6379/10), BENCH_SERVERS (granian,uvicorn,gunicorn).
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_BLOCKS", "2000")  # 6,000 block/locale pairs: enough distinct misses
os.environ.setdefault("BENCH_ROUNDS", "3")

from bench import delivery as bench_delivery  # noqa: E402  (after the path and knobs above)

WORKERS = int(os.environ.get("WEB_WORKERS") or 0) or (os.cpu_count() or 1) * 2
SLOW = int(os.environ.get("BENCH_SLOW") or 0) or 2 * WORKERS
SERVERS = os.environ.get("BENCH_SERVERS", "granian,uvicorn,gunicorn").split(",")
BIN = Path(sys.executable).parent


def server_command(name: str, env: dict[str, str]) -> list[str]:
    host, port = env["HOST"], env["PORT"]
    if name == "granian":
        from cms.server import command  # after Django's settings are in the environment (startup order)

        return command(env)
    if name == "uvicorn":
        return [
            str(BIN / "uvicorn"),
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            port,
            "--workers",
            str(WORKERS),
            "--no-access-log",
            "--log-level",
            "warning",
            "wiring.wsgi:application",
        ]
    if name == "gunicorn":
        return [
            str(BIN / "gunicorn"),
            "-b",
            f"{host}:{port}",
            "-w",
            str(WORKERS),
            "-k",
            "sync",
            "--limit-request-line",
            "0",
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            "wiring.wsgi:application",
        ]
    raise ValueError(name)


def start(name: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    from tests.delivery.servers import free_port  # after Django's setup (startup order)

    port = free_port()
    # One request per process for every server (cms.server's default is 2 threads per process): the same
    # slots everywhere, so the comparison is of the servers.
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_WORKERS": str(WORKERS), "WEB_THREADS": "1"}
    env["ACCESS_LOG"] = ""
    env["LOG_LEVEL"] = "WARNING"
    process = subprocess.Popen(
        server_command(name, env), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    wait_up(process, base)
    return process, base


def wait_up(process: subprocess.Popen, base: str, seconds: float = 180) -> None:
    """Until the server answers anything; a loaded machine takes its time to start 4 Django workers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/api/v1/delivery/-/blocks/-", timeout=1)
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
            continue
        return
    process.kill()
    raise RuntimeError(f"the server did not answer within {seconds:.0f} s")


def timed_get(url: str, timeout: float = 10) -> float | None:
    """Seconds for one GET (any HTTP status), None on a timeout or a dropped connection."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError:
        pass
    except OSError:
        return None
    return time.monotonic() - started


def latencies(url: str, count: int = 5) -> tuple[float | None, int]:
    """Median seconds of `count` sequential GETs and how many timed out (median None if all did)."""
    times = [timed_get(url) for _ in range(count)]
    done = [t for t in times if t is not None]
    return (statistics.median(done) if done else None), len(times) - len(done)


@contextlib.contextmanager
def slowloris(base: str, count: int):
    """`count` connections, each holding a request head that never ends."""
    host, port = base.removeprefix("http://").split(":")
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /api/v1/delivery/bench/blocks/b-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(sock)
        time.sleep(0.5)
        yield
    finally:
        for sock in held:
            sock.close()


def huge_line(base: str) -> tuple[str, float]:
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    line = b"GET /api/v1/delivery/bench/pages?path=/" + b"a" * 8_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            with contextlib.suppress(OSError):
                sock.sendall(line)
            answer = sock.recv(100)
        status = answer.split(b" ", 2)[1].decode() if answer else "closed"
    except OSError as error:
        status = type(error).__name__
    return status, time.monotonic() - started


def wrk_rps(wrk: str, url: str, headers: dict | None = None, script: str | None = None) -> float:
    try:
        return bench_delivery.run_wrk(wrk, url, headers=headers, script=script)["rps"]
    except (AttributeError, subprocess.TimeoutExpired):  # no figures at all: nothing was answered
        return 0.0


def urls_of(base: str) -> dict[str, tuple[str, dict, str | None]]:
    """Each path's wrk target on one server: (url, headers, script)."""
    delivery = f"{base}/api/v1/delivery/{bench_delivery.SITE}"
    hit_url = f"{delivery}/blocks/b-7?locale=fr"
    page_url = f"{delivery}/pages?path=/page-10&locale=es"
    status, headers, body = bench_delivery.fetch(hit_url)
    assert status == 200, (base, status, body[:300])
    assert bench_delivery.fetch(page_url)[0] == 200
    baseline_url = f"{base}/api/v1/delivery/_bench/baseline?bytes={len(body)}"
    assert len(bench_delivery.fetch(baseline_url)[2]) == len(body)
    sync_url = f"{delivery}/sync?limit=100&cursor={bench_delivery.sync_cursor(bench_delivery.SITE, 100)}"
    assert bench_delivery.fetch(sync_url)[0] == 200
    return {
        "baseline": (baseline_url, {}, None),
        "hit": (hit_url, {}, None),
        "304": (hit_url, {"If-None-Match": headers["ETag"]}, None),
        "page": (page_url, {}, None),
        "miss": (f"{delivery}/blocks/b-0", {}, "miss"),
        "sync": (sync_url, {}, None),
    }


def measure_all(env: dict[str, str], wrk: str, miss_script: Path) -> dict[str, dict]:
    """Every server started at once (an idle one costs nothing), then rounds that run every path on every
    server in turn, so load from anything else on the machine falls on all of them alike; each keeps its
    best round per path. Then the slow-client checks, one server at a time."""
    from delivery import cache as dcache  # after Django's setup (startup order)
    from tests.delivery.servers import stop_server  # after Django's setup (startup order)

    started = {name: start(name, env) for name in SERVERS}
    try:
        targets = {name: urls_of(base) for name, (_, base) in started.items()}
        for name in SERVERS:
            bench_delivery.run_wrk(wrk, targets[name]["hit"][0], seconds=1)  # warm every worker; not measured
        results: dict[str, dict] = {name: {} for name in SERVERS}
        for _ in range(bench_delivery.ROUNDS):
            for path in PATHS:
                for name in SERVERS:
                    url, headers, script = targets[name][path]
                    if script == "miss":
                        dcache.bump(bench_delivery.SITE)  # a new generation: every request below is a miss
                        script = str(miss_script)
                    rps = wrk_rps(wrk, url, headers, script)
                    results[name][path] = max(results[name].get(path, 0.0), rps)
        for name, (_, base) in started.items():
            row = results[name]
            hit_url = targets[name]["hit"][0]
            row["calm"], _ = latencies(hit_url)
            with slowloris(base, SLOW):
                row["attacked"], row["timeouts"] = latencies(hit_url)
                row["hit_attacked"] = wrk_rps(wrk, hit_url)
            row["line_status"], row["line_seconds"] = huge_line(base)
        return results
    finally:
        for process, _ in started.values():
            stop_server(process)


PATHS = ("baseline", "hit", "304", "page", "miss", "sync")


def safe(row: dict) -> bool:
    """Not held by slow clients: no normal request timed out while half-sent heads were held, and the
    attack cost the hit path less than half its throughput."""
    return row["timeouts"] == 0 and row["hit_attacked"] >= row["hit"] / 2


def main() -> int:
    database, cache_url, workdir = bench_delivery.configure()
    bench_delivery.seed()
    wrk = bench_delivery.ensure_wrk()
    from tests.delivery.servers import server_env  # after Django's setup (startup order)

    miss_script = workdir / "miss.lua"
    miss_script.write_text(
        bench_delivery.MISS_SCRIPT
        % {"threads": bench_delivery.THREADS, "blocks": bench_delivery.BLOCKS, "site": bench_delivery.SITE}
    )
    env = server_env(CMS_BENCH_BASELINE="1")
    results = measure_all(env, wrk, miss_script)

    print()
    print(
        f"servers benchmark: {WORKERS} workers each, wrk -t{bench_delivery.THREADS} -c{bench_delivery.CONNECTIONS} "
        f"-d{bench_delivery.SECONDS}s best of {bench_delivery.ROUNDS} interleaved rounds, {SLOW} half-sent heads held, "
        f"{bench_delivery.BLOCKS} blocks x {len(bench_delivery.LOCALES)} locales, "
        f"db {database.split(':', 1)[0]}, cache {cache_url.split('?')[0]}, {os.cpu_count()} CPUs"
    )
    reference_name = "granian" if "granian" in results else next(iter(results))
    reference = results[reference_name]
    print(f"req/s per path (in brackets: vs the same server's bare view; then vs {reference_name} on that path)")
    print(f"{'server':<9} " + " ".join(f"{path:>22}" for path in PATHS))
    for name, row in results.items():
        cells = []
        for path in PATHS:
            versus = row[path] / reference[path] if reference[path] else 0.0
            cells.append(f"{row[path]:>7.0f} ({row[path] / row['baseline']:>4.0%}) {versus:>5.0%}")
        print(f"{name:<9} " + " ".join(f"{cell:>22}" for cell in cells))
    print()
    print(
        f"{'server':<9} {'normal req calm':>16} {'under attack':>13} {'timeouts':>9} {'hit r/s attacked':>17} "
        f"{'8 MB line':>16} {'safe':>5}"
    )
    for name, row in results.items():
        calm, attacked = row["calm"], row["attacked"]
        attack = "timed out" if attacked is None else f"{attacked * 1000:.1f} ms ({attacked / calm:.1f}x)"
        print(
            f"{name:<9} {calm * 1000:>13.1f} ms {attack:>13} {row['timeouts']:>6}/5 {row['hit_attacked']:>17.0f} "
            f"{row['line_status']:>6} in {row['line_seconds']:.2f}s {'yes' if safe(row) else 'NO':>5}"
        )
    safe_ones = [name for name, row in results.items() if safe(row)]
    if safe_ones:
        # The origin mostly serves misses (a CDN takes the hits): rank by the miss path, then the hit path.
        best = max(safe_ones, key=lambda name: (results[name]["miss"], results[name]["hit"]))
        print(f"\nfastest safe server (by miss, then hit r/s): {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
