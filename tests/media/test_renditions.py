"""Renditions through the delivery API: allowed widths and formats only, made once, upright, without metadata,
new after a replace; a request for anything else is a 400 that does no work."""

from __future__ import annotations

import base64
import io
import threading
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from media import renditions
from media.models import Asset
from tests.media.files import GPS_IFD, PDF, SVG_WITH_SCRIPT, jpeg_with_gps, png

pytestmark = pytest.mark.django_db


def follow(client, response) -> bytes:
    assert response.status_code == 302, response.content
    assert response["Cache-Control"] == "public, max-age=60"
    return b"".join(client.get(response["Location"]).streaming_content)


def rendition_files() -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "renditions").rglob("*.*"))


def test_a_rendition_is_made_once_upright_and_without_gps(api, client, upload):
    photo = upload(api, "photo.jpg", jpeg_with_gps(400, 300, orientation=6), "image/jpeg").json()["data"]
    url = f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w=160&fmt=webp"
    before = renditions.made()
    first = client.get(url)
    data = follow(client, first)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP"
        assert image.size == (160, 213)  # turned upright (orientation 6), then 160 wide
        exif = image.getexif()
        assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD) and not exif
    again = client.get(url)
    assert again["Location"] == first["Location"]
    assert renditions.made() == before + 1
    # a width over the original's does not grow the image; other formats
    with Image.open(io.BytesIO(follow(client, client.get(url.replace("w=160&fmt=webp", "w=640&fmt=png"))))) as image:
        assert (image.format, image.size) == ("PNG", (300, 400))
    with Image.open(io.BytesIO(follow(client, client.get(url.replace("&fmt=webp", "&fmt=jpeg"))))) as image:
        assert image.format == "JPEG" and not image.getexif()
    with Image.open(io.BytesIO(follow(client, client.get(url.replace("&fmt=webp", ""))))) as image:
        assert image.format == "WEBP"  # the default


def test_parallel_requests_for_a_new_rendition_make_it_once(api, upload):
    asset = Asset.objects.get(pk=upload(api, "big.png", png(1200, 900), "image/png").json()["data"]["id"])
    before = renditions.made()
    names: list[str] = []
    start = threading.Barrier(16)

    def request() -> None:
        start.wait()
        names.append(renditions.rendition(asset, renditions.Spec(800, "webp")))

    threads = [threading.Thread(target=request) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(names) == 16 and len(set(names)) == 1
    assert renditions.made() == before + 1
    assert len(rendition_files()) == 1


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("w=123", {"w": renditions.WIDTH_MESSAGE}),
        ("", {"w": renditions.WIDTH_MESSAGE}),
        ("w=800&fmt=gif", {"fmt": renditions.FORMAT_MESSAGE}),
        ("w=99999999999999999999&fmt=bmp", {"w": renditions.WIDTH_MESSAGE, "fmt": renditions.FORMAT_MESSAGE}),
        ("w=%C2%B3", {"w": renditions.WIDTH_MESSAGE}),  # a superscript three: a digit to `isdigit`, not to `int`
        ("w=160&fit=fill&ar=1:1", {"fit": renditions.FIT_MESSAGE}),
        ("w=160&fit=contain", {"fit": renditions.FIT_NEEDS_RATIO}),
        ("w=160&q=55", {"q": renditions.QUALITY_MESSAGE}),
        ("w=160&q=%C2%B3", {"q": renditions.QUALITY_MESSAGE}),
        ("w=160&fmt=png&q=80", {"q": renditions.QUALITY_LOSSLESS}),
        ("w=160&fmt=gif&q=80", {"fmt": renditions.FORMAT_MESSAGE}),
        (
            "w=1&fit=contain&q=100",
            {"w": renditions.WIDTH_MESSAGE, "fit": renditions.FIT_NEEDS_RATIO, "q": renditions.QUALITY_MESSAGE},
        ),
    ],
)
def test_a_rendition_not_offered_is_400_and_does_no_work(api, client, upload, query, fields):
    photo = upload(api, "photo.png", png(50, 50), "image/png").json()["data"]
    before = renditions.made()
    response = client.get(f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "bad_request", "message": "This rendition is not offered.", "fields": fields}
    }
    assert renditions.made() == before and rendition_files() == []


def test_other_refusals(api, client, upload, make_client, other_site):
    svg = upload(api, "logo.svg", SVG_WITH_SCRIPT, "image/svg+xml").json()["data"]
    pdf = upload(api, "doc.pdf", PDF, "application/pdf").json()["data"]
    foreign = upload(make_client(site_=other_site), "x.png", png(8, 8), "image/png").json()["data"]
    base = "/api/v1/delivery/acme/assets"
    assert client.get(f"{base}/{svg['id']}/rendition?w=160").json() == {
        "error": {
            "code": "bad_request",
            "message": f"Renditions are made of PNG, JPEG, GIF and WebP images; asset {svg['id']} is image/svg+xml.",
        }
    }
    assert client.get(f"{base}/{pdf['id']}/rendition?w=160").status_code == 400
    assert client.get(f"{base}/{foreign['id']}/rendition?w=160").json() == {
        "error": {"code": "not_found", "message": f"No asset {foreign['id']} in this site."}
    }
    assert client.get(f"{base}/{svg['id']}/rendition?w=160&h=90").json() == {
        "error": {
            "code": "bad_request",
            "message": "Unknown query parameter: h.",
            "fields": {"h": "Unknown query parameter."},
        }
    }
    assert client.get("/api/v1/delivery/nope/assets/1/rendition?w=160").json()["error"]["code"] == "not_found"
    assert client.get(f"{base}/%C2%B3/rendition?w=160").json() == {
        "error": {"code": "not_found", "message": "No asset \u00b3 in this site."}
    }
    assert api.get("/api/v1/assets/%C2%B3").json() == {
        "error": {"code": "not_found", "message": "No asset \u00b3 in this site."}
    }
    assert client.post(f"{base}/{svg['id']}/rendition?w=160").status_code == 405
    assert rendition_files() == []


def test_private_sites_want_a_read_token(api, client, upload, site, make_client):
    """Without a token of its own, a private site's rendition answers as an unknown site does (issue 14, 16)."""
    photo = upload(api, "photo.png", png(20, 20), "image/png").json()["data"]
    site.is_public = False
    site.save()
    url = f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w=160"
    hidden = client.get(url)
    assert hidden.status_code == 404
    assert hidden.json() == {"error": {"code": "not_found", "message": "No site `acme`."}}
    unknown = client.get(f"/api/v1/delivery/zzzz/assets/{photo['id']}/rendition?w=160")
    assert unknown.content.replace(b"zzzz", b"acme") == hidden.content
    reader = make_client(role="viewer", scopes=("read",))
    assert reader.get(url).status_code == 302


def test_replacing_the_file_gives_new_renditions(api, client, upload, commit):
    photo = upload(api, "photo.png", png(300, 200), "image/png").json()["data"]
    url = f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w=160"
    first = client.get(url)["Location"]
    body = {"filename": "photo.png", "contentBase64": base64.b64encode(png(300, 300, (0, 0, 0))).decode()}
    assert commit(lambda: api.post(f"/api/v1/assets/{photo['id']}/file", body, format="json")).status_code == 200
    assert client.get(first).status_code == 404  # the old file's renditions went with it
    second = client.get(url)
    assert second["Location"] != first
    with Image.open(io.BytesIO(follow(client, second))) as image:
        assert image.size == (160, 160)
    assert commit(lambda: api.delete(f"/api/v1/assets/{photo['id']}")).status_code == 200
    assert client.get(second["Location"]).status_code == 404 and rendition_files() == []


def bands() -> bytes:
    """300 x 200: red, green and blue bands, 100 px each, left to right."""
    image = Image.new("RGB", (300, 200))
    for index, color in enumerate(((255, 0, 0), (0, 255, 0), (0, 0, 255))):
        image.paste(color, (index * 100, 0, index * 100 + 100, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def edges(data: bytes) -> tuple[tuple, tuple, tuple]:
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        return rgb.size, rgb.getpixel((2, 80)), rgb.getpixel((rgb.width - 3, 80))


def test_an_aspect_ratio_crops_around_the_focal_point(api, client, upload, commit):
    asset = upload(api, "bands.png", bands(), "image/png").json()["data"]
    url = f"/api/v1/delivery/acme/assets/{asset['id']}/rendition?w=160&fmt=png&ar=1:1"
    red, green, blue = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    assert edges(follow(client, client.get(url))) == ((160, 160), red, blue)  # no focal point: the centre
    centred = client.get(url)["Location"]
    patch = {"focalPoint": {"x": 1, "y": 0.5}}
    assert commit(lambda: api.patch(f"/api/v1/assets/{asset['id']}", patch, format="json")).status_code == 200
    assert client.get(centred).status_code == 404  # crops of the old focal point are removed
    assert edges(follow(client, client.get(url))) == ((160, 160), green, blue)  # pushed right, up to the edge
    patch = {"focalPoint": {"x": 0, "y": 0.5}}
    assert commit(lambda: api.patch(f"/api/v1/assets/{asset['id']}", patch, format="json")).status_code == 200
    assert edges(follow(client, client.get(url))) == ((160, 160), red, green)
    tall = follow(client, client.get(url.replace("ar=1:1", "ar=9:16")))
    assert edges(tall)[0] == (112, 200)  # 9:16 of a 200 px tall image is 112 px wide: never grown to 160
    assert client.get(url.replace("ar=1:1", "ar=5:4")).json() == {
        "error": {
            "code": "bad_request",
            "message": "This rendition is not offered.",
            "fields": {"ar": renditions.RATIO_MESSAGE},
        }
    }


def test_contain_fits_the_whole_image_in_the_box_and_cover_crops_it(api, client, upload):
    asset = upload(api, "bands.png", bands(), "image/png").json()["data"]
    url = f"/api/v1/delivery/acme/assets/{asset['id']}/rendition?w=320&fmt=png&ar=16:9"
    red, blue = (255, 0, 0), (0, 0, 255)
    # a 320 x 180 box: the 300 x 200 image is held by its height (0.9), nothing is cut off
    assert edges(follow(client, client.get(url + "&fit=contain"))) == ((270, 180), red, blue)
    assert edges(follow(client, client.get(url))) == ((300, 169), red, blue)  # cover (the default) crops to 16:9
    assert client.get(url + "&fit=cover")["Location"] == client.get(url)["Location"]
    # a box wider than the image is tall: held by the width, never grown (1:1 of 160: 160 x 107)
    contained = follow(client, client.get(url.replace("w=320", "w=160").replace("16:9", "1:1") + "&fit=contain"))
    assert edges(contained) == ((160, 107), red, blue)


def test_quality_is_one_of_a_few_and_names_its_own_file(api, client, upload):
    photo = upload(api, "photo.jpg", jpeg_with_gps(400, 300), "image/jpeg").json()["data"]
    url = f"/api/v1/delivery/acme/assets/{photo['id']}/rendition?w=320&fmt=jpeg"
    before = renditions.made()
    low, high, default = (client.get(url + query)["Location"] for query in ("&q=50", "&q=90", ""))
    assert len({low, high, default}) == 3 and low.endswith("-q50.jpeg")
    assert renditions.made() == before + 3
    assert len(follow(client, client.get(url + "&q=50"))) < len(follow(client, client.get(url + "&q=90")))
    assert renditions.made() == before + 3  # each made once
    assert client.get(url.replace("jpeg", "webp") + "&q=60").status_code == 302
