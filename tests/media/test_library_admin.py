"""The media library in the admin (editor/media_library.py) and the block editor's image field posting an asset,
through the admin's own pages and endpoints, with a logged-in member's session."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_create
from media.models import Asset
from tests.editor.conftest import logged_in, member
from tests.editor.helpers import change_url, post_change
from tests.media.files import PDF, png

pytestmark = pytest.mark.django_db

LIBRARY = "/admin/media/asset/"
SCHEMA = [{"name": "title", "type": "string"}, {"name": "logo", "type": "image"}]


@pytest.fixture
def ed(site):
    return logged_in(member(site, "ed", "editor"))


def admin_upload(client, site, name: str, content: bytes, commit):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return commit(lambda: client.post(f"{LIBRARY}upload/", {"site": site.pk, "file": file}))


def make_block(site, data: dict, slug: str = "header") -> SiteBlock:
    owner = member(site, "olga", "owner")
    return block_create(
        actor=Actor(user=owner, site=site, role="owner"),
        name=slug.title(),
        slug=slug,
        type="global",
        schema=SCHEMA,
        data=data,
    )


def test_uploads_answer_json_and_refusals_say_why(site, ed, commit):
    response = admin_upload(ed, site, "logo.png", png(400, 300), commit)
    assert response.status_code == 201
    body = response.json()
    asset = Asset.objects.get(pk=body["id"])
    assert (body["kind"], body["name"], body["width"], body["height"], body["created"]) == (
        "image",
        "logo.png",
        400,
        300,
        True,
    )
    assert asset.uploaded_by.username == "ed"
    again = admin_upload(ed, site, "copy.png", png(400, 300), commit)
    assert (again.status_code, again.json()["id"], again.json()["created"]) == (200, body["id"], False)

    html = admin_upload(ed, site, "fake.png", b"<html><script>alert(1)</script></html>", commit)
    assert html.status_code == 422
    assert html.json() == {
        "error": "The request did not validate. The content is HTML, which is never accepted.",
        "code": "validation_failed",
    }
    viewer = logged_in(member(site, "vic", "viewer"))
    refused = admin_upload(viewer, site, "other.png", png(5, 5), commit)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "Your role or token does not allow changing the media library.",
        "code": "forbidden",
    }
    library = viewer.get(LIBRARY).content.decode()  # a viewer browses, without the drop zone or bulk actions
    assert "logo.png" in library and 'id="cms-dropzone"' not in library and 'id="cms-bulk"' not in library
    assert Asset.objects.count() == 1


def test_the_library_lists_filters_and_marks_what_is_used(site, other_site, ed, commit, django_assert_max_num_queries):
    used = admin_upload(ed, site, "logo.png", png(400, 300), commit).json()
    admin_upload(ed, site, "brochure.pdf", PDF, commit)
    admin_upload(ed, site, "spare.png", png(20, 10, (0, 200, 0)), commit)
    globex = logged_in(member(other_site, "gus", "editor"))
    admin_upload(globex, other_site, "secret.png", png(9, 9, (9, 9, 9)), commit)
    make_block(site, {"logo": {"asset": used["id"]}})

    with django_assert_max_num_queries(14):
        page = ed.get(LIBRARY).content.decode()
    assert "3 assets" in page and "secret.png" not in page
    assert page.count('class="cms-card cms-card-used"') == 1
    assert "logo.png" in page and "brochure.pdf" in page and "spare.png" in page
    assert "No alt text" in page

    def names(query: str) -> list[str]:
        html = ed.get(f"{LIBRARY}?{query}").content.decode()
        return [name for name in ("logo.png", "brochure.pdf", "spare.png") if f">{name}<" in html]

    assert names("kind=file") == ["brochure.pdf"]
    assert names("kind=image") == ["logo.png", "spare.png"]
    assert names("unused=1") == ["brochure.pdf", "spare.png"]
    assert names("q=spa") == ["spare.png"]
    assert ed.get(f"{LIBRARY}?site={other_site.pk}").status_code == 404  # not a member there


def test_bulk_tag_and_delete_with_a_confirm_page_naming_the_users(site, ed, commit):
    logo = admin_upload(ed, site, "logo.png", png(40, 30), commit).json()
    spare = admin_upload(ed, site, "spare.png", png(20, 10, (0, 200, 0)), commit).json()
    make_block(site, {"logo": {"asset": logo["id"]}})
    bulk = f"{LIBRARY}bulk/"

    response = ed.post(bulk, {"site": site.pk, "ids": [logo["id"], spare["id"]], "action": "tag", "tag": "brand"})
    assert response.status_code == 302
    assert sorted(Asset.objects.values_list("tags", flat=True)) == [["brand"], ["brand"]]

    confirm = ed.post(bulk, {"site": site.pk, "ids": [logo["id"], spare["id"]], "action": "delete"})
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Block `header` (en): data.logo in the working copy" in text
    assert "Also delete the 1 in use" in text
    assert Asset.objects.count() == 2  # nothing deleted before the confirmation

    kept = commit(
        lambda: ed.post(bulk, {"site": site.pk, "ids": [logo["id"], spare["id"]], "action": "delete", "confirmed": "1"})
    )
    assert kept.status_code == 302
    assert list(Asset.objects.values_list("pk", flat=True)) == [logo["id"]]
    messages = [str(m) for m in kept.wsgi_request._messages]
    assert messages == ["Deleted 1 asset.", "Kept, since blocks use them: logo.png."]

    forced = commit(
        lambda: ed.post(
            bulk, {"site": site.pk, "ids": [logo["id"]], "action": "delete", "confirmed": "1", "force": "1"}
        )
    )
    assert forced.status_code == 302 and not Asset.objects.exists()


def test_the_asset_page_edits_alt_per_locale_focal_point_tags_and_replaces_the_file(site, ed, commit):
    logo = admin_upload(ed, site, "logo.png", png(40, 30), commit).json()
    make_block(site, {"logo": {"asset": logo["id"]}})
    url = reverse("admin:media_asset_change", args=[logo["id"]])
    page = ed.get(url).content.decode()
    assert 'for="cms-alt-fr"' in page and "Block `header` (en): data.logo in the working copy, 1 revision." in page

    response = commit(
        lambda: ed.post(
            url,
            {
                "title": "Logo",
                "alt.en": "Acme logo",
                "alt.fr": "Logo d'Acme",
                "tags": "brand, header",
                "focal_x": "0.25",
                "focal_y": "0.75",
            },
        )
    )
    assert response.status_code == 302
    asset = Asset.objects.get(pk=logo["id"])
    assert (asset.title, asset.alt, asset.tags, asset.focal_x, asset.focal_y) == (
        "Logo",
        {"en": "Acme logo", "fr": "Logo d'Acme"},
        ["brand", "header"],
        0.25,
        0.75,
    )

    bad = ed.post(url, {"title": "Logo", "focal_x": "2", "focal_y": "0.5"})
    assert bad.status_code == 200
    assert "Must be {x, y} with each a number from 0 to 1, or null." in bad.content.decode()

    replaced = commit(lambda: ed.post(url, {"file": SimpleUploadedFile("logo-v2.png", png(80, 60, (0, 0, 255)))}))
    assert replaced.status_code == 302
    asset.refresh_from_db()
    assert (asset.pk, asset.original_name, asset.width, asset.alt["fr"]) == (
        logo["id"],
        "logo-v2.png",
        80,
        "Logo d'Acme",
    )

    focal = ed.post(
        f"{LIBRARY}{logo['id']}/focal/",
        json.dumps({"focalPoint": {"x": 0.1, "y": 0.2}}),
        content_type="application/json",
    )
    assert focal.status_code == 200 and focal.json()["focalPoint"] == {"x": 0.1, "y": 0.2}
    wrong = ed.post(
        f"{LIBRARY}{logo['id']}/focal/", json.dumps({"focalPoint": {"x": 3}}), content_type="application/json"
    )
    assert wrong.status_code == 422
    assert wrong.json() == {
        "error": "The request did not validate. Must be {x, y} with each a number from 0 to 1, or null.",
        "code": "validation_failed",
    }


def test_the_image_field_offers_the_chooser_and_posts_the_asset(site, other_site, ed, commit):
    logo = admin_upload(ed, site, "logo.png", png(400, 300), commit).json()
    block = make_block(site, {"title": "Hi"})
    page = ed.get(change_url(block)).content.decode()
    assert 'class="cms-asset-field" data-kind="image" data-name="d.logo"' in page
    assert ">Choose from library</button>" in page and "editor/media.js" in page

    response = post_change(ed, block, {"d.title": "Hi", "d.logo.asset": str(logo["id"]), "d.logo.alt": "Our logo"})
    assert response.status_code == 302, response.content.decode()[:2000]
    block.refresh_from_db()
    assert block.data["logo"] == {"asset": logo["id"], "alt": "Our logo"}
    page = ed.get(change_url(block)).content.decode()
    assert f'value="{logo["id"]}" class="cms-asset-id"' in page
    assert f'src="/admin/media/asset/{logo["id"]}/thumb/"' in page
    assert ed.get(f"/admin/media/asset/{logo['id']}/thumb/").status_code == 302

    # Another site's asset is refused at the field, like any write.
    other = Asset.objects.create(
        site=other_site, original_name="x.png", kind="image", mime_type="image/png", size=1, sha256="0" * 64
    )
    response = post_change(ed, block, {"d.title": "Hi", "d.logo.asset": str(other.pk)})
    assert response.status_code == 200
    assert f"No asset {other.pk} in this site: it was deleted from the media library" in response.content.decode()


def test_restoring_a_revision_whose_asset_was_force_deleted_names_the_field(site, ed, commit):
    logo = admin_upload(ed, site, "logo.png", png(40, 30), commit).json()
    block = make_block(site, {"title": "Hi", "logo": {"asset": logo["id"]}})
    assert post_change(ed, block, {"d.title": "Hi", "d.logo.asset": ""}).status_code == 302
    block.refresh_from_db()
    assert "logo" not in block.data
    url = reverse("admin:media_asset_delete", args=[logo["id"]])
    assert commit(lambda: ed.post(url, {"confirmed": "1", "force": "1"})).status_code == 302
    assert not Asset.objects.exists()

    restore = reverse("admin:blocks_siteblock_restore", args=[block.pk, 1])
    response = ed.post(restore, {"version": str(block.version)})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:blocks_siteblock_revision", args=[block.pk, 1])
    assert [str(m) for m in response.wsgi_request._messages][-2:] == [
        "Not restored: The data did not validate.",
        f"Logo: No asset {logo['id']} in this site: it was deleted from the media library, or was never in it. "
        "Choose another file or remove this one.",
    ]
    block.refresh_from_db()
    assert "logo" not in block.data
    # The revision's page still opens, its image field showing the reference it holds.
    page = ed.get(reverse("admin:blocks_siteblock_revision", args=[block.pk, 1]))
    assert page.status_code == 200 and f'value="{logo["id"]}" class="cms-asset-id"' in page.content.decode()


def test_the_chooser_lists_the_blocks_sites_images_and_pictures_are_made_on_request(
    site, other_site, ed, commit, django_assert_max_num_queries
):
    photo = admin_upload(ed, site, "photo.png", png(800, 600), commit).json()
    admin_upload(ed, site, "brochure.pdf", PDF, commit)
    block = make_block(site, {"title": "Hi"})
    with django_assert_max_num_queries(8):
        images = ed.get(f"{LIBRARY}choose/?block={block.pk}&kind=image").content.decode()
    assert images.count('class="cms-choose-item"') == 1 and f'data-asset-id="{photo["id"]}"' in images
    assert f'src="/admin/media/asset/{photo["id"]}/thumb/"' in images  # a redirect, made when asked
    everything = ed.get(f"{LIBRARY}choose/?block={block.pk}&q=brochure").content.decode()
    assert everything.count('class="cms-choose-item"') == 1 and ">brochure.pdf<" in everything

    thumb = ed.get(f"{LIBRARY}{photo['id']}/thumb/")
    assert thumb.status_code == 302 and "/renditions/" in thumb["Location"] and thumb["Location"].endswith(".webp")
    info = ed.get(f"{LIBRARY}{photo['id']}/info/?locale=fr").json()
    assert (info["name"], info["width"], info["kind"], info["focalPoint"]) == ("photo.png", 800, "image", None)

    # Another site's block, or an asset of a site the user is not a member of: not found.
    globex = logged_in(member(other_site, "gus", "editor"))
    theirs = admin_upload(globex, other_site, "theirs.png", png(9, 9, (9, 9, 9)), commit).json()
    assert ed.get(f"{LIBRARY}{theirs['id']}/info/").status_code == 404
    assert ed.get(f"{LIBRARY}{theirs['id']}/thumb/").status_code == 404
    assert ed.get(f"{LIBRARY}choose/?site={other_site.pk}").status_code == 404
    their_block = make_block(other_site, {"title": "Theirs"}, slug="theirs")
    assert ed.get(f"{LIBRARY}choose/?block={their_block.pk}").status_code == 404
