"""The media library on S3: the same uploads, renditions, replaces and deletes as the local tests, with
`STORAGES["default"]` switched to `MEDIA_STORAGE_URL=s3://…` and a real S3-compatible server (moto's server
mode on a free loopback port, tests/media/s3.py) behind it. Files are read back over HTTP from the
URLs the API answers, and from the bucket itself; nothing may land in `MEDIA_ROOT`."""

from __future__ import annotations

import base64
import io
import socket
import threading
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from cms.settings.env import media_storage_from_url
from media import renditions
from media.models import Asset
from media.storage import CACHE_CONTROL
from tests.media.files import GPS_IFD, HTML, SVG_WITH_SCRIPT, jpeg_with_gps, png
from tests.media.s3 import KEYS, Bucket


def fetch(url: str) -> tuple[bytes, Message]:
    """GET `url` over HTTP (the moto server on loopback), as a browser or CDN would: no credentials."""
    assert url.startswith("http://127.0.0.1:"), url
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def local_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def key_of(bucket: Bucket, url: str) -> str:
    prefix = f"{bucket.endpoint}/{bucket.name}/"
    assert url.startswith(prefix), url
    return url[len(prefix) :]


pytestmark = pytest.mark.django_db


def test_a_png_goes_to_the_bucket_and_its_url_serves_it(api, client, upload, bucket):
    content = png(4, 3)
    response = upload(api, "Logo.png", content, "image/png")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    asset = Asset.objects.get()
    key = key_of(bucket, data["url"])
    assert key == asset.file.name and key.startswith(f"sites/{asset.site_id}/") and key.endswith("/Logo.png")
    assert bucket.objects() == [key] and bucket.read(key) == content
    body, headers = fetch(data["url"])
    assert body == content
    assert headers["Content-Type"] == "image/png" and headers["Cache-Control"] == CACHE_CONTROL
    assert local_files() == []
    assert client.get(f"/media/{key}").status_code == 404  # the local view does not serve another storage's names


def test_jpeg_in_the_bucket_carries_no_gps_and_svg_no_script(api, upload, bucket):
    photo = upload(api, "photo.jpg", jpeg_with_gps(orientation=6), "image/jpeg").json()["data"]
    stored = bucket.read(key_of(bucket, photo["url"]))
    assert fetch(photo["url"])[0] == stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD) and dict(exif) == {0x0112: 6}
    svg = upload(api, "logo.svg", SVG_WITH_SCRIPT, "image/svg+xml").json()["data"]
    text, headers = fetch(svg["url"])
    assert headers["Content-Type"] == "image/svg+xml"
    for banned in (b"<script", b"alert", b"onload", b"evil.example"):
        assert banned not in text.lower(), banned
    assert b'<rect id="box"' in text


def test_a_refused_upload_writes_nothing_to_the_bucket(api, upload, bucket):
    response = upload(api, "fake.png", HTML, "image/png")
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {"file": "The content is HTML, which is never accepted."},
        }
    }
    assert Asset.objects.count() == 0 and bucket.objects() == []


def test_a_rendition_is_made_once_in_the_bucket_and_served_from_it(api, client, upload, bucket):
    photo = upload(api, "photo.jpg", jpeg_with_gps(400, 300, orientation=6), "image/jpeg").json()["data"]
    url = f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w=160&fmt=webp"
    before = renditions.made()
    first = client.get(url)
    assert first.status_code == 302
    key = key_of(bucket, first["Location"])
    assert key.startswith(f"renditions/{Asset.objects.get().site_id}/{photo['id']}/") and key.endswith("-160w.webp")
    data, headers = fetch(first["Location"])
    assert headers["Content-Type"] == "image/webp" and headers["Cache-Control"] == CACHE_CONTROL
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("WEBP", (160, 213)) and not image.getexif()
    assert client.get(url)["Location"] == first["Location"]
    assert renditions.made() == before + 1
    assert bucket.objects("renditions/") == [key] and local_files() == []


def test_parallel_requests_for_a_new_rendition_make_it_once_on_s3(api, upload, bucket):
    asset = Asset.objects.get(pk=upload(api, "big.png", png(1200, 900), "image/png").json()["data"]["id"])
    before = renditions.made()
    names: list[str] = []
    start = threading.Barrier(8)

    def request() -> None:
        start.wait()
        names.append(renditions.rendition(asset, renditions.Spec(800, "webp")))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(names) == 8 and len(set(names)) == 1
    assert renditions.made() == before + 1
    assert bucket.objects("renditions/") == [names[0]]


SCHEMA = [{"name": "logo", "type": "image"}]


def test_replace_keeps_the_id_and_the_delivery_answer_follows_with_working_urls(api, client, upload, commit, bucket):
    logo = upload(api, "logo.png", png(4, 3), "image/png", **{"alt.en": "Logo"}).json()["data"]
    block = {
        "name": "Header",
        "slug": "header",
        "type": "global",
        "schema": SCHEMA,
        "data": {"logo": {"asset": logo["id"]}},
    }
    assert commit(lambda: api.post("/api/v1/site-blocks", block, format="json")).status_code == 201
    assert commit(lambda: api.post("/api/v1/site-blocks/header/publish")).status_code == 200
    delivered = client.get("/api/v1/delivery/acme/blocks/header").json()["data"]["data"]["logo"]
    assert delivered["url"] == logo["url"] and fetch(delivered["url"])[0] == png(4, 3)
    rendition = client.get(f"/api/v1/delivery/acme/assets/{logo['id']}/rendition?w=160&fmt=png")["Location"]
    assert status_of(rendition) == 200

    new = png(6, 6, (0, 0, 0))
    body = {"filename": "logo.png", "contentBase64": base64.b64encode(new).decode()}
    replaced = commit(lambda: api.post(f"/api/v1/assets/{logo['id']}/file", body, format="json"))
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["data"]["id"] == logo["id"] and replaced.json()["data"]["url"] != logo["url"]
    delivered = client.get("/api/v1/delivery/acme/blocks/header").json()["data"]["data"]["logo"]
    assert delivered["url"] == replaced.json()["data"]["url"] and fetch(delivered["url"])[0] == new
    assert status_of(logo["url"]) == 404 and status_of(rendition) == 404  # the old file and its renditions went
    assert bucket.objects() == [key_of(bucket, delivered["url"])]


def test_delete_removes_the_file_and_its_renditions_from_the_bucket(api, client, upload, commit, bucket):
    photo = upload(api, "photo.png", png(300, 200), "image/png").json()["data"]
    other = upload(api, "other.png", png(5, 5, (1, 2, 3)), "image/png").json()["data"]
    for width in (160, 320):
        location = client.get(f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w={width}")["Location"]
        assert status_of(location) == 200
    assert len(bucket.objects()) == 4
    response = commit(lambda: api.delete(f"/api/v1/assets/{photo['id']}"))
    assert response.status_code == 200, response.content
    assert bucket.objects() == [key_of(bucket, other["url"])]  # exactly the other asset's file is left
    assert status_of(photo["url"]) == 404 and local_files() == []


@pytest.mark.parametrize(
    ("url", "storage"),
    [
        ("", {"BACKEND": "django.core.files.storage.FileSystemStorage"}),
        (
            "s3://media?endpoint_url=http://127.0.0.1:9000&region=us-east-1",
            {
                "BACKEND": "media.storage.S3MediaStorage",
                "OPTIONS": {
                    "bucket_name": "media",
                    "location": "",
                    "endpoint_url": "http://127.0.0.1:9000",
                    "region_name": "us-east-1",
                },
            },
        ),
        (
            "s3://media/cms/prod/?custom_domain=cdn.example.com&addressing_style=path",
            {
                "BACKEND": "media.storage.S3MediaStorage",
                "OPTIONS": {
                    "bucket_name": "media",
                    "location": "cms/prod",
                    "custom_domain": "cdn.example.com",
                    "addressing_style": "path",
                },
            },
        ),
    ],
)
def test_media_storage_url_is_read_into_storages(url, storage):
    assert media_storage_from_url(url) == storage


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://key:secret@media", "put credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not the URL"),
        ("s3://media?endpoint=http://x", "unknown option(s) endpoint"),
        ("s3://media?addressing_style=dns", "addressing_style must be one of auto, path, virtual"),
        ("gs://media", "use s3://bucket[/prefix]"),
        ("s3:///prefix", "use s3://bucket[/prefix]"),
    ],
)
def test_a_wrong_media_storage_url_stops_the_start(url, message):
    with pytest.raises(ValueError, match="MEDIA_STORAGE_URL") as raised:
        media_storage_from_url(url)
    assert message in str(raised.value) and "secret" not in str(raised.value)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


STORAGE_DOWN = {
    "error": {
        "code": "service_unavailable",
        "message": "The media storage cannot be reached right now; nothing was changed. Retry shortly.",
    }
}


def test_an_unreachable_store_is_503_and_writes_nothing(api, client, upload, commit, bucket, settings):
    photo = upload(api, "photo.png", png(300, 200), "image/png").json()["data"]
    asset = Asset.objects.get()
    down = media_storage_from_url(f"s3://{bucket.name}?endpoint_url=http://127.0.0.1:{closed_port()}")
    down["OPTIONS"] |= KEYS
    settings.STORAGES = {**settings.STORAGES, "default": down}

    response = upload(api, "other.png", png(5, 5, (9, 9, 9)), "image/png")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == STORAGE_DOWN
    body = {"filename": "new.png", "contentBase64": base64.b64encode(png(6, 6)).decode()}
    replaced = commit(lambda: api.post(f"/api/v1/assets/{photo['id']}/file", body, format="json"))
    assert (replaced.status_code, replaced.json()) == (503, STORAGE_DOWN)
    before = renditions.made()
    rendition = client.get(f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w=160")
    assert (rendition.status_code, rendition.json()) == (503, STORAGE_DOWN)
    assert rendition["Access-Control-Allow-Origin"] == "*"

    assert renditions.made() == before
    assert list(Asset.objects.values_list("pk", "file", "sha256")) == [(asset.pk, asset.file.name, asset.sha256)]
    assert bucket.objects() == [asset.file.name] and local_files() == []
