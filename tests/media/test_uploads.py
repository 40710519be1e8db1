"""Uploads through the management API with real files: what is stored, what is served, what is refused.

Every refusal is asserted as its whole envelope, with nothing written (no row, no file on disk)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from media.models import Asset
from media.sniffing import UNSUPPORTED
from tests.media.files import GPS_IFD, HTML, PDF, SVG_WITH_SCRIPT, jpeg_with_gps, png, png_bomb, webp_with_exif

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    return b"".join(response.streaming_content)


def assert_refused(response, status: int, envelope: dict, files_before: list[Path]) -> None:
    assert response.status_code == status, response.content
    assert response.json() == envelope
    assert Asset.objects.count() == 0
    assert stored_files() == files_before


def test_png_is_stored_with_its_facts_and_served(api, client, upload, editor):
    content = png(4, 3)
    response = upload(
        api, "Logo Final.png", content, "image/png", title="Logo", tags="brand,logo", **{"alt.en": "Our logo"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    asset = Asset.objects.get()
    assert body == {
        "data": {
            "id": asset.pk,
            "kind": "image",
            "mimeType": "image/png",
            "size": len(content),
            "width": 4,
            "height": 3,
            "color": "#c81e1e",  # the average colour of a (200, 30, 30) square
            "url": asset.file.url,
            "filename": "Logo Final.png",
            "title": "Logo",
            "alt": {"en": "Our logo"},
            "focalPoint": None,
            "tags": ["brand", "logo"],
            "sha256": asset.sha256,
            "uploadedBy": editor[0].pk,
            "createdAt": body["data"]["createdAt"],
            "updatedAt": body["data"]["updatedAt"],
        },
        "meta": {"created": True},
    }
    assert body["data"]["url"].startswith(f"/media/sites/{asset.site_id}/") and body["data"]["url"].endswith(".png")
    assert served(client, body["data"]["url"]) == content
    assert client.get(body["data"]["url"])["Content-Type"] == "image/png"


def test_jpeg_loses_its_gps_and_exif_but_keeps_its_pixels_and_orientation(api, client, upload):
    content = jpeg_with_gps(orientation=6)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the test file does carry GPS
        original_pixels = original.tobytes()
    response = upload(api, "photo.JPG", content, "image/jpeg")
    assert response.status_code == 201, response.content
    data = served(client, response.json()["data"]["url"])
    assert len(data) == response.json()["data"]["size"] < len(content)
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD)
        assert dict(exif) == {0x0112: 6}  # only the orientation, so the photo still shows upright
        assert image.tobytes() == original_pixels  # not re-encoded


def test_images_appended_after_a_jpeg_go_too(api, client, upload):
    """Phones append more JPEGs (MPF: previews, depth maps) after the image's end, each with its own EXIF."""
    main = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(main, "JPEG", progressive=True)
    content = main.getvalue() + jpeg_with_gps()
    response = upload(api, "phone.jpg", content, "image/jpeg")
    assert response.status_code == 201, response.content
    data = served(client, response.json()["data"]["url"])
    assert b"PhoneMaker" not in data and data.endswith(b"\xff\xd9") and len(data) <= len(main.getvalue())
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (16, 16) and not image.getexif()
        image.load()


def test_webp_and_png_metadata_are_stripped(api, client, upload):
    response = upload(api, "pic.webp", webp_with_exif(), "image/webp")
    assert response.status_code == 201, response.content
    with Image.open(io.BytesIO(served(client, response.json()["data"]["url"]))) as image:
        assert not image.getexif()
    response = upload(api, "text.png", png(text="secret location"), "image/png")
    data = served(client, response.json()["data"]["url"])
    assert b"secret location" not in data
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size == (4, 3)


def test_svg_is_served_without_scripts_handlers_or_external_references(api, client, upload):
    response = upload(api, "logo.svg", SVG_WITH_SCRIPT, "image/svg+xml")
    assert response.status_code == 201, response.content
    assert (
        response.json()["data"] | {"kind": "image", "mimeType": "image/svg+xml", "width": 120, "height": 40}
        == (response.json()["data"])
    )
    text = served(client, response.json()["data"]["url"]).decode()
    lowered = text.lower()
    for banned in ("<script", "alert", "onload", "onclick", "javascript:", "evil.example", "tracker.example"):
        assert banned not in lowered, banned
    assert "foreignobject" not in lowered and "<image" not in lowered and "@import" not in lowered
    assert '<rect id="box"' in text and 'href="#box"' in text and "<circle" in text  # the drawing stays
    assert client.get(response.json()["data"]["url"])["Content-Type"] == "image/svg+xml"


def test_pdf_is_a_file_asset(api, upload):
    response = upload(api, "report.pdf", PDF, "application/pdf")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["kind"], data["mimeType"], data["width"], data["height"], data["color"]) == (
        "file",
        "application/pdf",
        None,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("fake.png", HTML, "image/png", "The content is HTML, which is never accepted."),
        ("page.html", HTML, "text/html", "The content is HTML, which is never accepted."),
        (
            "logo.jpg",
            png(),
            "application/octet-stream",
            "The content is image/png, but the name `logo.jpg` says otherwise; name it with .png.",
        ),
        ("logo.png", png(), "image/gif", "The content is image/png, but it was sent as image/gif."),
        ("empty.png", b"", "image/png", "The file is empty."),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream", UNSUPPORTED),
    ],
)
def test_what_is_not_what_it_claims_is_refused(api, upload, name, content, content_type, message):
    before = stored_files()
    response = upload(api, name, content, content_type)
    assert_refused(
        response,
        422,
        {
            "error": {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {"file": message},
            }
        },
        before,
    )


def test_a_decompression_bomb_is_refused_before_decoding(api, upload):
    bomb = png_bomb()
    assert len(bomb) < 1_000_000
    before = stored_files()
    assert_refused(
        upload(api, "bomb.png", bomb, "image/png"),
        413,
        {
            "error": {
                "code": "payload_too_large",
                "message": "The image has too many pixels.",
                "fields": {
                    "file": "Too many pixels for an image (a decompression bomb?): width x height must be at most "
                    "50000000."
                },
            }
        },
        before,
    )


@override_settings(CMS={**settings.CMS, "MEDIA_MAX_IMAGE_PIXELS": 100})
def test_an_image_over_our_own_pixel_limit_names_its_size(api, upload):
    response = upload(api, "big.png", png(20, 10), "image/png")
    assert response.status_code == 413
    assert response.json()["error"]["fields"] == {
        "file": "Too many pixels for an image (a decompression bomb?): width x height must be at most 100; "
        "this one has 20 x 10."
    }


@override_settings(CMS={**settings.CMS, "MEDIA_MAX_UPLOAD_BYTES": 100})
def test_a_file_over_the_upload_limit_is_413(api, upload, upload_json):
    before = stored_files()
    big = png(64, 64, (1, 2, 3)) + b""
    assert len(big) > 100
    envelope = {
        "error": {
            "code": "payload_too_large",
            "message": "The file is over the 100 byte limit.",
            "fields": {"file": "At most 100 bytes."},
        }
    }
    assert_refused(upload(api, "big.png", os.urandom(200), "image/png"), 413, envelope, before)
    envelope["error"]["fields"] = {"contentBase64": "At most 100 bytes."}
    assert_refused(upload_json(api, "big.png", os.urandom(200)), 413, envelope, before)


def test_a_body_declared_over_the_upload_limit_is_refused_before_reading(api):
    limit = settings.CMS["MEDIA_MAX_UPLOAD_BYTES"] * 4 // 3 + 64 * 1024
    response = api.generic(
        "POST", "/api/v1/assets", b"{}", content_type="application/json", CONTENT_LENGTH=str(limit + 1)
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": f"The request body is over the {limit} byte limit."}
    }


def test_quota_of_files_and_bytes_per_site(api, upload, make_client, other_site):
    assert upload(api, "a.png", png(1, 1), "image/png").status_code == 201
    used = Asset.objects.get().size
    with override_settings(CMS={**settings.CMS, "MEDIA_QUOTA_FILES": 1}):
        before = stored_files()
        response = upload(api, "b.png", png(2, 2), "image/png")
        assert response.status_code == 409
        assert response.json() == {
            "error": {
                "code": "quota_exceeded",
                "message": "The site already has 1 of its 1 files.",
                "fields": {"file": "At most 1 files per site; delete some first."},
            }
        }
        assert stored_files() == before and Asset.objects.count() == 1
        # another site has its own quota
        other = make_client(site_=other_site)
        assert upload(other, "b.png", png(2, 2), "image/png").status_code == 201
    with override_settings(CMS={**settings.CMS, "MEDIA_QUOTA_BYTES": used + 10}):
        response = upload(api, "c.png", png(3, 3), "image/png")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "quota_exceeded"
        usage = api.get("/api/v1/assets/usage").json()
        assert usage == {
            "data": {
                "bytes": used,
                "files": 1,
                "quotaBytes": used + 10,
                "quotaFiles": 10_000,
                "maxUploadBytes": settings.CMS["MEDIA_MAX_UPLOAD_BYTES"],
            }
        }


def test_the_same_bytes_twice_are_one_asset_unless_asked(api, upload, upload_json):
    first = upload(api, "a.png", png(), "image/png")
    files = stored_files()
    again = upload_json(api, "copy.png", png(), title="Another")
    assert again.status_code == 200
    assert again.json() == {"data": first.json()["data"], "meta": {"created": False}}
    assert stored_files() == files and Asset.objects.count() == 1
    third = upload(api, "a.png", png(), "image/png", query="?duplicate=true")
    assert third.status_code == 201 and third.json()["data"]["id"] != first.json()["data"]["id"]
    assert Asset.objects.count() == 2 and len(stored_files()) == 2


def test_json_upload_with_base64_and_values(api, upload_json, client):
    response = upload_json(
        api, "doc.pdf", PDF, title="Report", alt={"fr": "Rapport"}, tags=["docs"], focalPoint={"x": 0.25, "y": 1}
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["title"], data["alt"], data["tags"], data["focalPoint"]) == (
        "Report",
        {"fr": "Rapport"},
        ["docs"],
        {"x": 0.25, "y": 1.0},
    )
    assert served(client, data["url"]) == PDF


def test_json_upload_names_every_problem(api, upload_json):
    response = api.post(
        "/api/v1/assets",
        {"filename": "a.png", "contentBase64": 5, "alt": {"de": "x", "en": 3}, "tags": ["ok", ""], "extra": 1},
        format="json",
    )
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {"extra": "Unknown field."},
        }
    }
    response = api.post(
        "/api/v1/assets",
        {"filename": "a.png", "contentBase64": 5, "alt": {"de": "x", "en": 3}, "tags": ["ok", ""]},
        format="json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {
                "contentBase64": "Must be the file's bytes in base64 (RFC 4648, padding optional).",
                "alt.de": "Not a locale of this site: one of en, es, fr.",
                "alt.en": "Must be a string.",
                "tags[1]": "Must be a non-empty string of at most 50 characters, no comma.",
            },
        }
    }
    response = api.post("/api/v1/assets", {"filename": "a.png", "contentBase64": "***"}, format="json")
    assert response.json()["error"]["fields"] == {
        "contentBase64": "Must be the file's bytes in base64 (RFC 4648, padding optional)."
    }
    response = upload_json(api, "a.png", png(), focalPoint={"x": 2, "y": 0})
    assert response.json()["error"]["fields"] == {
        "focalPoint": "Must be {x, y} with each a number from 0 to 1, or null."
    }
    assert Asset.objects.count() == 0


def test_multipart_without_file_or_with_unknown_fields(api):
    response = api.post("/api/v1/assets", {"title": "x"}, format="multipart")
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {"file": "This field is required."},
        }
    }
    response = api.post("/api/v1/assets", {"file": io.BytesIO(png()), "owner": "me"}, format="multipart")
    assert response.json()["error"]["fields"] == {"owner": "Unknown field."}
    assert Asset.objects.count() == 0


def test_roles_viewers_read_editors_write(api, make_client, upload, other_site):
    asset_id = upload(api, "a.png", png(), "image/png").json()["data"]["id"]
    viewer = make_client(role="viewer", scopes=("read",))
    forbidden = {"error": {"code": "forbidden", "message": "Your role or token only allows reading on this site."}}
    assert upload(viewer, "b.png", png(2, 2), "image/png").json() == forbidden
    assert viewer.patch(f"/api/v1/assets/{asset_id}", {"title": "x"}, format="json").json() == forbidden
    assert viewer.delete(f"/api/v1/assets/{asset_id}").json() == forbidden
    assert viewer.get(f"/api/v1/assets/{asset_id}").json()["data"]["id"] == asset_id
    # another site's token cannot see it
    stranger = make_client(site_=other_site)
    assert stranger.get(f"/api/v1/assets/{asset_id}").json() == {
        "error": {"code": "not_found", "message": f"No asset {asset_id} in this site."}
    }
    assert stranger.get("/api/v1/assets").json()["meta"]["total"] == 0
    assert Asset.objects.count() == 1


def test_list_filters_paginate_and_keep_a_flat_query_count(api, upload):
    for index in range(12):
        kind_name, content = (
            (f"p{index}.png", png(index + 1, 1)) if index % 3 else (f"d{index}.pdf", PDF + bytes([index]))
        )
        tags = "even" if index % 2 == 0 else "odd"
        assert (
            upload(api, kind_name, content, "application/octet-stream", tags=tags, title=f"Item {index}").status_code
            == 201
        )
    api.get("/api/v1/assets")  # warm the token's last-use stamp
    counts = {}
    for query in ("perPage=1", "perPage=100", "kind=image&perPage=5", "tag=even", "search=Item 1&page=1"):
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"/api/v1/assets?{query}")
        assert response.status_code == 200
        counts[query] = len(captured)
    assert set(counts.values()) == {3}, counts  # token, count, page: no query per row
    assert api.get("/api/v1/assets?kind=file").json()["meta"]["total"] == 4
    assert api.get("/api/v1/assets?tag=even").json()["meta"]["total"] == 6
    assert [row["title"] for row in api.get("/api/v1/assets?search=item 1").json()["data"]] == [
        "Item 11",
        "Item 10",
        "Item 1",
    ]
    page = api.get("/api/v1/assets?perPage=5&page=3").json()
    assert page["meta"] == {"total": 12, "perPage": 5, "currentPage": 3, "lastPage": 3} and len(page["data"]) == 2
    assert api.get("/api/v1/assets?kind=video").json() == {
        "error": {
            "code": "bad_request",
            "message": "Invalid filter.",
            "fields": {"kind": '"video" is not a valid choice.'},
        }
    }
    assert api.get("/api/v1/assets?folder=x").json()["error"]["code"] == "bad_request"


def test_patch_changes_values_only(api, upload):
    asset_id = upload(api, "a.png", png(), "image/png").json()["data"]["id"]
    response = api.patch(
        f"/api/v1/assets/{asset_id}",
        {"title": "  New  ", "alt": {"en": "A red square", "fr": "Un carré rouge"}, "focalPoint": {"x": 0.5, "y": 0.1}},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["title"], data["alt"], data["focalPoint"]) == (
        "New",
        {"en": "A red square", "fr": "Un carré rouge"},
        {"x": 0.5, "y": 0.1},
    )
    response = api.patch(f"/api/v1/assets/{asset_id}", {"focalPoint": None, "kind": "file"}, format="json")
    assert response.json()["error"]["fields"] == {"kind": "Unknown field."}
    assert (
        api.patch(f"/api/v1/assets/{asset_id}", {"focalPoint": None}, format="json").json()["data"]["focalPoint"]
        is None
    )
