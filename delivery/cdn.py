"""A CDN in front of the delivery API: what each answer depends on (its keys), and purging exactly those keys.

**Keys.** Every delivery answer names what it depends on in `Surrogate-Key` (Fastly, Varnish with xkey) and
`Cache-Tag` (Cloudflare), the same keys space- and comma-separated:

    cms.s{site}                      every answer of the site (a locale or site change purges it)
    cms.s{site}.b.{slug}             a block in any locale: its answers, those that fell back to it, and
                                     those that include it (`include=N` resolving a reference to it)
    cms.s{site}.b.{slug}.{locale}    the block in the locale that served the answer
    cms.s{site}.p.{path digest}      the page at a path (also its 404: a page published there later purges it)
    cms.s{site}.list                 lists, and answers whose `dataSource` fields show other blocks
    cms.a{asset}                     an asset the answer shows (its file, alt text or title changed)

(`cms` is `CMS_CDN_KEY_PREFIX`: give each installation that shares a CDN service its own.)

**Purgers.** `configured_purger()` is the one `CMS_CDN_PURGER` names: Varnish (xkey over HTTP `PURGE`), Fastly
or Cloudflare (their purge-by-key APIs), or none. What is purged when, and the retries, are
`delivery.purging`'s.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Protocol

from cms.conf import cms_setting

logger = logging.getLogger("cms.delivery.cdn")

#: events that can change what a delivery reader sees even when the block is not (or no longer) published
LIVE_EVENTS = frozenset({"block.published", "block.unpublished", "block.deleted", "block.restored"})


# -- keys -----------------------------------------------------------------------------------------------------
def _prefix() -> str:
    return cms_setting("CDN_KEY_PREFIX")


def site_key(site_id: int) -> str:
    return f"{_prefix()}.s{site_id}"


def block_key(site_id: int, slug: str) -> str:
    return f"{_prefix()}.s{site_id}.b.{slug}"


def block_locale_key(site_id: int, slug: str, locale: str) -> str:
    return f"{_prefix()}.s{site_id}.b.{slug}.{locale}"


def path_key(site_id: int, path: str) -> str:
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{_prefix()}.s{site_id}.p.{digest}"


def list_key(site_id: int) -> str:
    return f"{_prefix()}.s{site_id}.list"


def asset_key(asset_id: int) -> str:
    return f"{_prefix()}.a{asset_id}"


def site_keys(site_id: int) -> list[str]:
    return [site_key(site_id)]


def answer_keys(
    site_id: int,
    *,
    slug: str | None = None,
    locale: str | None = None,
    path: str | None = None,
    lists: bool = False,
    assets: Iterable[int] = (),
    included: Iterable[str] = (),
) -> str:
    """The keys of one answer, space-separated (the `Surrogate-Key` value; `Cache-Tag` is it comma-separated).
    `included`: the slugs of the blocks its references named (`blocks.references`), found or not."""
    keys = [site_key(site_id)]
    if slug is not None:
        keys.append(block_key(site_id, slug))
        if locale is not None:
            keys.append(block_locale_key(site_id, slug, locale))
    keys.extend(block_key(site_id, other) for other in sorted(set(included) - {slug}))
    if path is not None:
        keys.append(path_key(site_id, path))
    if lists:
        keys.append(list_key(site_id))
    keys.extend(asset_key(asset_id) for asset_id in sorted(assets))
    return " ".join(keys)


def key_headers(keys: str) -> dict[str, str]:
    return {"Surrogate-Key": keys, "Cache-Tag": keys.replace(" ", ",")}


def block_event_keys(event) -> list[str]:
    """What a committed block event makes stale at the CDN (nothing for a draft's change)."""
    if event.event not in LIVE_EVENTS and event.status != "published":
        return []
    keys = [block_key(event.site_id, event.slug), list_key(event.site_id)]
    if event.path:
        keys.append(path_key(event.site_id, event.path))
    return keys


# -- purgers --------------------------------------------------------------------------------------------------
class PurgeFailed(Exception):
    """The CDN did not confirm the purge (unreachable, or an error answer)."""


class Purger(Protocol):
    def purge(self, keys: list[str]) -> None: ...


class NoPurger:
    """`CMS_CDN_PURGER=none` (the default): no CDN, or one that only honours `Cache-Control`."""

    def purge(self, keys: list[str]) -> None:
        return None


def _send(request: urllib.request.Request) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=cms_setting("CDN_PURGE_TIMEOUT_SECONDS")) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise PurgeFailed(f"{request.get_method()} {request.full_url}: HTTP {error.code}") from None
    except (OSError, ValueError) as error:  # refused, timed out, a malformed URL
        raise PurgeFailed(f"{request.get_method()} {request.full_url}: {error}") from None


def _chunks(keys: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


class VarnishPurger:
    """Varnish with vmod xkey (deploy/varnish/cms.vcl): `PURGE /` with the keys in an `xkey` header, to every
    Varnish in `CMS_CDN_PURGE_URLS` (a comma list: one per cache host)."""

    def __init__(self, urls: list[str]) -> None:
        assert urls, "CMS_CDN_PURGER=varnish needs CMS_CDN_PURGE_URLS (e.g. http://127.0.0.1:6081/)"
        self.urls = urls

    def purge(self, keys: list[str]) -> None:
        failures = []
        for url in self.urls:
            for chunk in _chunks(keys, 100):
                try:
                    _send(urllib.request.Request(url, method="PURGE", headers={"xkey": " ".join(chunk)}))
                except PurgeFailed as error:
                    failures.append(str(error))
        if failures:
            raise PurgeFailed("; ".join(failures))


class FastlyPurger:
    """Fastly's purge by surrogate keys: `POST /service/{id}/purge` with `{"surrogate_keys": [...]}` (at most
    256 a request) and the API token in `Fastly-Key`; `CMS_CDN_FASTLY_SOFT_PURGE` marks them stale instead."""

    def __init__(self, *, service_id: str, api_key: str, api_url: str, soft: bool) -> None:
        assert service_id and api_key, (
            "CMS_CDN_PURGER=fastly needs CMS_CDN_FASTLY_SERVICE_ID and CMS_CDN_FASTLY_API_KEY"
        )
        self.url = f"{api_url.rstrip('/')}/service/{service_id}/purge"
        self.headers = {"Fastly-Key": api_key, "Accept": "application/json", "Content-Type": "application/json"}
        if soft:
            self.headers["Fastly-Soft-Purge"] = "1"

    def purge(self, keys: list[str]) -> None:
        for chunk in _chunks(keys, 256):
            body = json.dumps({"surrogate_keys": chunk}).encode()
            _send(urllib.request.Request(self.url, data=body, method="POST", headers=self.headers))


class CloudflarePurger:
    """Cloudflare's purge by cache tags: `POST /zones/{zone}/purge_cache` with `{"tags": [...]}` (at most 30 a
    request) and an API token (`Authorization: Bearer …`, with the Cache Purge permission)."""

    def __init__(self, *, zone_id: str, api_token: str, api_url: str) -> None:
        assert zone_id and api_token, "CMS_CDN_PURGER=cloudflare needs CMS_CDN_CLOUDFLARE_ZONE_ID and _API_TOKEN"
        self.url = f"{api_url.rstrip('/')}/zones/{zone_id}/purge_cache"
        self.headers = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}

    def purge(self, keys: list[str]) -> None:
        for chunk in _chunks(keys, 30):
            body = json.dumps({"tags": chunk}).encode()
            answer = _send(urllib.request.Request(self.url, data=body, method="POST", headers=self.headers))
            try:
                success = json.loads(answer).get("success")
            except (ValueError, AttributeError):
                success = None
            if success is not True:
                raise PurgeFailed(f"POST {self.url}: the answer does not say success: {answer[:200]!r}")


def configured_purger() -> Purger:
    """The purger `CMS_CDN_PURGER` names (`none`, `varnish`, `fastly`, `cloudflare`), with its settings."""
    name = cms_setting("CDN_PURGER")
    if name == "varnish":
        urls = [url.strip() for url in cms_setting("CDN_PURGE_URLS").split(",") if url.strip()]
        return VarnishPurger(urls)
    if name == "fastly":
        return FastlyPurger(
            service_id=cms_setting("CDN_FASTLY_SERVICE_ID"),
            api_key=cms_setting("CDN_FASTLY_API_KEY"),
            api_url=cms_setting("CDN_FASTLY_API_URL"),
            soft=cms_setting("CDN_FASTLY_SOFT_PURGE"),
        )
    if name == "cloudflare":
        return CloudflarePurger(
            zone_id=cms_setting("CDN_CLOUDFLARE_ZONE_ID"),
            api_token=cms_setting("CDN_CLOUDFLARE_API_TOKEN"),
            api_url=cms_setting("CDN_CLOUDFLARE_API_URL"),
        )
    assert name == "none", f"CMS_CDN_PURGER must be none, varnish, fastly or cloudflare, not {name!r}"
    return NoPurger()


def purge_now(keys: list[str]) -> None:
    """Purge `keys` at once; raises `PurgeFailed` (what the retry task needs to know)."""
    if keys:
        configured_purger().purge(keys)
