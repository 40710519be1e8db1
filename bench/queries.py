"""Benchmark of content queries: a filtered list page and a full-text search, cold and cached, by site size.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench .venv/bin/python bench/queries.py --blocks 10000
    BENCH_DATABASE_URL=… .venv/bin/python bench/queries.py --blocks 10000,100000     # the growth check

Seeds one site per size (`q10000`, `q100000`: N published blocks, each in 3 locales, inserted in bulk, their
search documents written by `delivery.search.rebuild`, statistics fresh), starts the production server
(`python -m cms.server`, Redis cache) on loopback, and times single requests, one after another:

    baseline   the bare Django view (same server and middleware), a body of the filtered page's size
    filter     `schemaOf=…&data.category=c7&data.price[lte]=500&order=-data.price&limit=10` (2 filters + order)
    search     `q=zork7 hosting&highlight=1&limit=10` (ranked, with snippets)

each `cold` (the site's generation bumped before every request: the answer is built from the database) and
`cached` (the same request again: an answer cache hit). It prints medians in ms, each as a ratio to the
baseline's, and the SQL queries of one answer (built in-process) per size.

The data: every block has the same schema; `category` groups blocks by hundreds (`c0` holds blocks 0-99, so a
site of N blocks has N/100 categories) and the search word `zork<k>` is in the title of the same hundred, while
`hosting` is in every block. So both queries match 100 blocks x 1 locale at every size: the bench measures
finding them among N (the indexes' work), not sorting more matches (that grows with the matches on any
database; see docs/delivery-api.md "Index plan").

Exits 1 when queries per answer differ between sizes, or, when the run has sizes 10x apart, a cold median grows
more than 2x from the smallest to the largest size.

Knobs: --blocks (comma-separated sizes, 10000), --cold (samples, 15), --cached (samples, 100), --reuse (keep
the sites an earlier run seeded in the same database),
BENCH_DATABASE_URL (SQLite file when unset), BENCH_REDIS_URL (redis://127.0.0.1:6379/10).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import delivery as bench_delivery  # noqa: E402  (after the path above)

LOCALES = ("en", "fr", "es")
GROUP = 100
SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "summary", "type": "text"},
    {"name": "body", "type": "richtext"},
    {"name": "category", "type": "string"},
    {"name": "price", "type": "number"},
]
WORDS = [
    "cloud",
    "server",
    "storage",
    "network",
    "backup",
    "archive",
    "mirror",
    "region",
    "zone",
    "cluster",
    "node",
    "volume",
]


def data_for(index: int, locale: str) -> dict:
    group = index // GROUP
    words = " ".join(WORDS[(index + n) % len(WORDS)] for n in range(8))
    return {
        "title": f"Product {index} zork{group} ({locale})",
        "summary": f"Managed hosting of {words}.",
        "body": f"<p>The <b>{words}</b> plan, hosting included.</p><p>Block {index} in {locale}.</p>",
        "category": f"c{group}",
        "price": (index * 37) % 1000,
    }


def seed_site(slug: str, count: int, *, reuse: bool = False) -> int:
    from django.db import connection, transaction

    from accounts.models import Site
    from blocks.models import SiteBlock
    from delivery import search
    from locales.models import Locale, SiteLocale

    started = time.perf_counter()
    if reuse and SiteBlock.objects.filter(site__slug=slug).count() == count * len(LOCALES):
        print(f"kept {slug}: {count} blocks x {len(LOCALES)} locales (--reuse)")
        return Site.objects.get(slug=slug).pk
    Site.objects.filter(slug=slug).delete()
    with transaction.atomic():
        site = Site.objects.create(name=slug.title(), slug=slug, default_locale="en")
        for code in LOCALES:
            locale, _ = Locale.objects.get_or_create(code=code, defaults={"name": code})
            SiteLocale.objects.create(site=site, locale=locale)
        rows = []
        for index in range(count):
            key = uuid.uuid4()
            for code in LOCALES:
                data = data_for(index, code)
                rows.append(
                    SiteBlock(
                        site=site,
                        locale=code,
                        translation_key=key,
                        name=f"Product {index:06d}",
                        slug=f"b-{index}",
                        type="global",
                        tags=["product"],
                        status="published",
                        schema=SCHEMA,
                        data=data,
                        published_snapshot={"schema": SCHEMA, "data": data},
                        published_version=1,
                    )
                )
            if len(rows) >= 3000:
                SiteBlock.objects.bulk_create(rows)
                rows = []
        SiteBlock.objects.bulk_create(rows)
        search.rebuild(site.pk, batch=3000)
    with connection.cursor() as cursor:  # as a live database has them: GIN pending lists merged, statistics
        if connection.vendor == "postgresql":
            for index in ("siteblock_live_schema_gin", "siteblock_live_data_gin", "searchdocument_vector_gin"):
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE")
    print(f"seeded {slug}: {count} blocks x {len(LOCALES)} locales in {time.perf_counter() - started:.1f}s")
    return site.pk


def queries_for(slug: str, count: int) -> dict[str, str]:
    group = (count // GROUP) // 2
    filtered = {
        "schemaOf": "b-0",
        "data.category": f"c{group}",
        "data.price[lte]": "500",
        "order": "-data.price",
        "limit": "10",
        "locale": "fr",
    }
    searched = {"q": f"zork{group} hosting", "highlight": "1", "limit": "10", "locale": "fr"}
    return {"filter": f"/blocks?{urlencode(filtered)}", "search": f"/search?{urlencode(searched)}"}


def answer_queries(slug: str, path: str) -> int:
    """SQL queries of one answer, built in-process (site facts as a warm server has them)."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from delivery import access, views

    access.load_site(slug)
    request = RequestFactory().get(f"/api/v1/delivery/{slug}{path}")
    spec = views.SearchSpec() if path.startswith("/search") else views.ListSpec()
    spec.check(request.GET)
    facts = access.load_site(slug)
    chain = views._chain(facts, "fr")
    with CaptureQueriesContext(connection) as queries:
        entry = spec.build(facts, chain, False)
    assert entry.status == 200, entry.body[:300]
    return len(queries)


def timed(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, _, body = bench_delivery.fetch(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert status == 200, (url, status, body[:300])
    return elapsed, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", default="10000", help="comma-separated site sizes (blocks, each in 3 locales)")
    parser.add_argument("--cold", type=int, default=15, help="cold samples per query and size")
    parser.add_argument("--cached", type=int, default=100, help="cached samples per query and size")
    parser.add_argument("--reuse", action="store_true", help="keep a site seeded by an earlier run of the same size")
    args = parser.parse_args()
    sizes = sorted({int(one) for one in args.blocks.split(",")})
    database, cache_url, workdir = bench_delivery.configure()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", "-v", "0")
    for count in sizes:
        seed_site(f"q{count}", count, reuse=args.reuse)
    from delivery import cache as dcache
    from tests.delivery.servers import server_env, start_server, stop_server

    env = server_env(CMS_BENCH_BASELINE="1", ACCESS_LOG="")
    process, base = start_server(env, workers=2)
    results: dict[tuple[int, str, str], float] = {}
    sizes_of_bodies: dict[str, int] = {}
    queries: dict[tuple[int, str], int] = {}
    matched: dict[tuple[int, str], int] = {}
    try:
        for count in sizes:
            slug = f"q{count}"
            for name, path in queries_for(slug, count).items():
                url = f"{base}/api/v1/delivery/{slug}{path}"
                _, body = timed(url)
                sizes_of_bodies[name] = len(body)
                matched[(count, name)] = json.loads(body)["meta"]["total"]
                cold = []
                for _ in range(args.cold):
                    dcache.bump(slug)
                    cold.append(timed(url)[0])
                timed(url)  # this process's memo and the shared cache hold it now
                cached = [timed(url)[0] for _ in range(args.cached)]
                results[(count, name, "cold")] = statistics.median(cold)
                results[(count, name, "cached")] = statistics.median(cached)
                queries[(count, name)] = answer_queries(slug, path)
        baseline_url = f"{base}/api/v1/delivery/_bench/baseline?bytes={sizes_of_bodies['filter']}"
        timed(baseline_url)
        baseline = statistics.median(timed(baseline_url)[0] for _ in range(args.cached))
    finally:
        stop_server(process)
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"content queries benchmark: db {database.split(':', 1)[0]}, cache {cache_url.split('?')[0]}, "
        f"{len(LOCALES)} locales, medians of {args.cold} cold and {args.cached} cached sequential requests"
    )
    print(f"baseline (bare view, {sizes_of_bodies['filter']} bytes): {baseline:.2f} ms")
    header = ("blocks", "query", "matches", "cold ms", "x base", "cached ms", "x base", "SQL")
    print("{:>8} {:<7} {:>7} {:>8} {:>7} {:>9} {:>7} {:>4}".format(*header))
    for count in sizes:
        for name in ("filter", "search"):
            cold, cached = results[(count, name, "cold")], results[(count, name, "cached")]
            print(
                f"{count:>8} {name:<7} {matched[(count, name)]:>7} {cold:>8.2f} {cold / baseline:>7.1f} "
                f"{cached:>9.2f} {cached / baseline:>7.1f} {queries[(count, name)]:>4}"
            )
    failed = []
    for name in ("filter", "search"):
        counts = {queries[(count, name)] for count in sizes}
        if len(counts) > 1:
            failed.append(f"{name}: queries per answer grow with the site ({sorted(counts)})")
        small, large = sizes[0], sizes[-1]
        if large >= 10 * small:
            growth = results[(large, name, "cold")] / results[(small, name, "cold")]
            verdict = "met" if growth <= 2 else "MISSED"
            print(f"{name}: cold {small} -> {large} blocks: x{growth:.2f} (target <= 2: {verdict})")
            if growth > 2:
                failed.append(f"{name}: cold time grows x{growth:.2f}")
    for line in failed:
        print("FAILED", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
