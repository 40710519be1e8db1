"""Issue 17's admin in a real browser (Debian Chromium via Playwright; `-m browser`).

An editor drops two files on the media library (drag and drop, both at once, a progress bar), opens a block,
picks the image from the library in the block's image field, sets its focal point by clicking the picture and
its alt text, and publishes; the delivery API then answers the resolved image. axe-core finds no serious or
critical problem on the library and in the chooser, at 1440 and 390 px; the screenshots of both at both widths
are written to `docs/img/` (docs/editors.md shows them).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.services import block_create
from media.models import Asset
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import blocking, log_in
from tests.media.files import PDF

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SCHEMA = [{"name": "title", "type": "string", "required": True}, {"name": "logo", "type": "image", "label": "Logo"}]

DROP = """([zone, files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type }));
  }
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def landscape(width: int, height: int) -> bytes:
    """A PNG that looks like a picture in the screenshots: a sky, a sun and two hills."""
    sky = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB", (sky.point(lambda v: 70 + v // 2), sky.point(lambda v: 130 + v // 3), Image.new("L", sky.size, 220))
    )
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.62, height * 0.12, width * 0.78, height * 0.38), fill=(255, 205, 80))
    draw.polygon(
        [(0, height), (0, height * 0.62), (width * 0.35, height * 0.48), (width * 0.7, height)], fill=(70, 140, 80)
    )
    draw.polygon(
        [(width * 0.3, height), (width * 0.75, height * 0.55), (width, height * 0.7), (width, height)],
        fill=(50, 110, 65),
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def no_blocking_axe(page, selector: str, where: str) -> None:
    assert page.csp_violations == [], page.csp_violations
    found = blocking(page, {"include": [[selector]]})
    page.csp_violations.clear()  # axe's own injected script sets inline styles while it measures
    assert found == [], f"{where}: {found}"


def doc_shot(page, name: str, *, full_page: bool = True) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=full_page, animations="disabled")


def test_drop_upload_choose_focal_point_alt_and_publish(page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    site = build_site("acme", ("en", "fr"))
    owner = member(site, "olga", "owner")
    member(site, "ed", "editor")
    block = block_create(
        actor=Actor(user=owner, site=site, role="owner"),
        name="Header",
        slug="header",
        type="global",
        schema=SCHEMA,
        data={"title": "Welcome"},
    )
    log_in(page, "ed")

    # 1. The library: two files dropped at once upload with one progress bar, then show in the grid.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/admin/media/asset/")
    expect(page.locator("#cms-library .cms-empty")).to_contain_text("No files yet")
    files = [
        ["team-photo.png", "image/png", base64.b64encode(landscape(1600, 1000)).decode()],
        ["price-list.pdf", "application/pdf", base64.b64encode(PDF).decode()],
        ["notes.png", "image/png", base64.b64encode(b"<html><body>not a picture</body></html>").decode()],
    ]
    page.locator("#cms-dropzone").evaluate_handle("zone => zone")  # present before the drop
    page.evaluate(DROP, [page.locator("#cms-dropzone").element_handle(), files])
    expect(page.locator("#cms-upload-label")).to_have_text("Uploaded 2 of 3 files (1 refused, see below).")
    expect(page.locator("#cms-upload-progress")).to_have_js_property("value", 100)
    expect(page.locator("#cms-upload-list li")).to_have_count(3)
    expect(page.locator("#cms-upload-list li.cms-upload-failed")).to_have_text(
        "notes.png: refused. The request did not validate. The content is HTML, which is never accepted."
    )
    expect(page.locator("#cms-grid .cms-card")).to_have_count(2)
    expect(page.locator("#cms-count")).to_have_text("2 assets")
    expect(page.locator("#cms-grid img").first).to_have_js_property("complete", True)
    doc_shot(page, "media-uploaded-1440", full_page=False)
    photo = Asset.objects.get(original_name="team-photo.png")
    assert (photo.kind, photo.width, photo.height) == ("image", 1600, 1000)
    assert Asset.objects.get(original_name="price-list.pdf").kind == "file"

    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/media/asset/")
        expect(page.locator("#cms-grid img").first).to_have_js_property("complete", True)
        no_blocking_axe(page, "#cms-library", f"library at {width}px")
        doc_shot(page, f"media-library-{width}")

    # 2. The block's image field: choose from the library (a dialog), keyboard focus handled.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
    field = page.locator('.cms-asset-field[data-name="d.logo"]')
    expect(field.locator(".cms-asset-none")).to_have_text("No image chosen.")
    # Upload in place: the new image is chosen (a progress bar while it goes); Remove empties the field again.
    field.locator(".cms-asset-upload").set_input_files(
        files=[{"name": "sketch.png", "mimeType": "image/png", "buffer": landscape(640, 400)}]
    )
    expect(field.locator(".cms-asset-status")).to_have_text("Uploaded and chosen: sketch.png.")
    sketch = Asset.objects.get(original_name="sketch.png")
    expect(field.locator(".cms-asset-id")).to_have_value(str(sketch.pk))
    expect(field.locator(".cms-asset-picture img")).to_be_visible()
    field.locator(".cms-asset-remove").click()
    expect(field.locator(".cms-asset-none")).to_be_visible()
    expect(field.locator(".cms-asset-id")).to_have_value("")
    expect(field.locator(".cms-asset-choose")).to_be_focused()
    field.locator(".cms-asset-choose").click()
    dialog = page.locator("#cms-chooser")
    expect(dialog).to_be_visible()
    expect(page.locator("#cms-choose-q")).to_be_focused()
    expect(dialog.locator(".cms-choose-item")).to_have_count(2)  # an image field lists images only
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        expect(dialog.locator(".cms-choose-item img").first).to_have_js_property("complete", True)
        no_blocking_axe(page, "#cms-chooser", f"chooser at {width}px")
        doc_shot(page, f"media-chooser-{width}", full_page=False)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.fill("#cms-choose-q", "team")  # typing searches
    expect(dialog.locator("#cms-choose-count")).to_contain_text("1 asset match")
    dialog.locator(".cms-choose-item").first.click()
    expect(dialog).to_be_hidden()
    expect(field.locator(".cms-asset-choose")).to_be_focused()
    name = re.compile(r"^team-photo\.png \(1600 \u00d7 1000, [\d.]+ KB\)$")  # \u00d7: the multiplication sign
    expect(field.locator(".cms-asset-name")).to_have_text(name)
    expect(field.locator(".cms-asset-status")).to_contain_text("Chosen: team-photo.png")

    # 3. The focal point: a click on the picture, saved in the library at once.
    picture = field.locator(".cms-asset-picture img")
    expect(picture).to_have_js_property("complete", True)
    box = picture.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    expect(field.locator(".cms-asset-status")).to_contain_text("Focal point saved: 25% across, 75% down.")
    photo.refresh_from_db()
    assert (round(photo.focal_x, 2), round(photo.focal_y, 2)) == (0.25, 0.75)
    # ... and by keyboard: the arrow keys move it.
    field.locator(".cms-asset-picture").focus()
    page.keyboard.press("ArrowRight")
    expect(field.locator(".cms-asset-status")).to_contain_text("Focal point saved: 30% across, 75% down.")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        no_blocking_axe(page, '.cms-asset-field[data-name="d.logo"]', f"image field at {width}px")
    page.set_viewport_size({"width": 1440, "height": 900})
    field.scroll_into_view_if_needed()
    doc_shot(page, "media-field-1440", full_page=False)

    # 4. Alt text for this use of the image, then Publish what is in the form.
    page.fill('input[name="d.logo.alt"]', "The Acme team")
    with page.expect_navigation():
        page.click("#cms-publish")
    expect(page.locator(".messagelist .success")).to_contain_text("published")

    answer = Client().get("/api/v1/delivery/acme/blocks/header")
    assert answer.status_code == 200, answer.content
    logo = answer.json()["data"]["data"]["logo"]
    assert logo == {
        "asset": photo.pk,
        "alt": "The Acme team",
        "url": photo.url,
        "mimeType": "image/png",
        "size": photo.size,
        "name": "team-photo.png",
        "width": 1600,
        "height": 1000,
        "color": photo.color,
        "renditions": [
            {"width": w, "url": f"/api/v1/delivery/acme/assets/{photo.pk}/rendition?w={w}&fmt=webp"}
            for w in (320, 640, 1280)
        ],
    }
    # The rendition it offers is served, cropped around the focal point when asked for a shape.
    rendition = Client().get(f"/api/v1/delivery/acme/assets/{photo.pk}/rendition?w=320&fmt=webp&ar=1:1")
    assert rendition.status_code == 302

    # 5. The asset's own page says where it is used; it passes axe too.
    page.goto(f"/admin/media/asset/{photo.pk}/change/")
    expect(page.locator("#cms-used")).to_contain_text("Block `header` (en): data.logo in the working copy, data.logo")
    no_blocking_axe(page, "#cms-asset", "asset page")
    doc_shot(page, "media-asset-1440")
