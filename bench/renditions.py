"""Benchmark: a 4000 x 3000 JPEG to an 800 px webp rendition, first (made) and cached, and 16 parallel requests
for one new rendition (it must be made once).

Builds a throwaway test database, uploads the photo through the media service, serves the real WSGI application
from a threaded server on 127.0.0.1 (an ephemeral port), and times `GET /api/v1/delivery/{site}/assets/{id}/
rendition?w=800&fmt=webp` over HTTP (the 302 to the file, not following it). Prints the first and the median
cached time, their ratio, and how many renditions 16 simultaneous requests for a new size made.

    .venv/bin/python bench/renditions.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from PIL import Image  # noqa: E402

SIZE = (4000, 3000)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def photo() -> bytes:
    """A 4000 x 3000 JPEG with detail in every channel (a flat image would flatter the resize)."""
    channels = [
        Image.linear_gradient("L").resize(SIZE),
        Image.radial_gradient("L").resize(SIZE),
        Image.effect_mandelbrot(SIZE, (-2.0, -1.2, 1.0, 1.2), 60),
    ]
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=88)
    return out.getvalue()


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    # Models and services after `django.setup()` at the top (startup order).
    from accounts.permissions import Actor
    from media import renditions, services
    from tests.conftest import build_site, issue_token

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        site = build_site("bench", ("en",))
        user, _ = issue_token(site, username="bench")
        content = photo()
        asset, _ = services.asset_upload(
            actor=Actor(user=user, site=site, role="owner"), upload=services.Upload(content, "photo.jpg")
        )
        base = f"/api/v1/delivery/bench/assets/{asset.pk}/rendition"
        status, _ = get(port, f"{base}?w=160&fmt=webp")  # warm the server, the site facts and the imports
        assert status == 302, status

        made = renditions.made()
        status, first = get(port, f"{base}?w=800&fmt=webp")
        assert status == 302 and renditions.made() == made + 1
        cached = []
        for _ in range(args.repeat):
            status, seconds = get(port, f"{base}?w=800&fmt=webp")
            assert status == 302
            cached.append(seconds)
        assert renditions.made() == made + 1

        made = renditions.made()
        barrier = threading.Barrier(16)
        statuses: list[int] = []

        def one() -> None:
            barrier.wait()
            statuses.append(get(port, f"{base}?w=1024&fmt=webp")[0])

        threads = [threading.Thread(target=one) for _ in range(16)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        wall = time.perf_counter() - started
        parallel_made = renditions.made() - made

        median = statistics.median(cached)
        print(
            f"renditions ({connection.vendor}, {SIZE[0]} x {SIZE[1]} JPEG of {len(content) // 1024} KB -> 800 px webp):"
        )
        print(f"  first (made):          {first * 1000:8.1f} ms")
        print(f"  cached (median of {args.repeat}): {median * 1000:8.2f} ms")
        print(f"  first / cached:        {first / median:8.0f}x")
        print(
            f"  16 parallel requests for a new 1024 px rendition: {len(statuses)} answers "
            f"({sorted(set(statuses))}), made {parallel_made} time(s), {wall * 1000:.0f} ms wall"
        )
        if parallel_made != 1 or statuses != [302] * 16:
            raise SystemExit("FAILED: the parallel rendition was not made exactly once")
    finally:
        server.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
