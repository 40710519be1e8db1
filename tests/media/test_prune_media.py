"""`manage.py prune_media`: the files no asset holds (a deleted site's, a stale rendition) go, on the local file
system and on a real S3-compatible server alike; what assets hold, and anything younger than the grace, stays."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from accounts.models import Site
from media.models import Asset
from tests.media.files import png

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["local", "s3"])
def stored(request):
    """`stored()`: every file name in the default storage (the local folder, or the test's bucket)."""
    if request.param == "s3":
        bucket = request.getfixturevalue("bucket")
        return bucket.objects
    root = Path(settings.MEDIA_ROOT)
    return lambda: sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def prune(*options: str) -> list[str]:
    out = io.StringIO()
    call_command("prune_media", *options, stdout=out)
    return out.getvalue().splitlines()


def test_files_no_asset_holds_are_removed_after_the_grace(api, client, upload, make_client, other_site, stored):
    kept = Asset.objects.get(pk=upload(api, "kept.png", png(300, 200), "image/png").json()["data"]["id"])
    kept_rendition = client.get(f"/api/v1/delivery/acme/assets/{kept.pk}/rendition?w=160")
    assert kept_rendition.status_code == 302
    gone = upload(make_client(site_=other_site), "gone.png", png(300, 200, (1, 2, 3)), "image/png").json()["data"]
    other_site.is_public = True
    other_site.save()
    slug = other_site.slug
    assert client.get(f"/api/v1/delivery/{slug}/assets/{gone['id']}/rendition?w=160").status_code == 302
    stale = default_storage.save(f"renditions/{kept.site_id}/{kept.pk}/0000000000000000-160w.webp", ContentFile(b"x"))
    Site.objects.filter(pk=other_site.pk).delete()  # the database's cascade: rows go, files stay
    before = stored()
    assert len(before) == 5
    orphans = sorted(
        name for name in before if name.startswith((f"sites/{other_site.pk}/", f"renditions/{other_site.pk}/"))
    )
    assert len(orphans) == 2

    assert prune("--dry-run") == ["0 file(s) would remove."]  # all younger than the hour of grace
    assert sorted(prune("--dry-run", "--older-than-minutes", "0")[:-1]) == sorted(
        f"would remove {name}" for name in [*orphans, stale]
    )
    assert stored() == before
    lines = prune("--older-than-minutes", "0")
    assert lines[-1] == "3 file(s) removed."
    remaining = stored()
    assert len(remaining) == 2 and kept.file.name in remaining
    assert next(name for name in remaining if name.startswith("renditions/")).startswith(
        f"renditions/{kept.site_id}/{kept.pk}/{kept.sha256[:16]}-160w"
    )
    assert prune("--older-than-minutes", "0") == ["0 file(s) removed."]


def test_a_negative_grace_is_refused():
    with pytest.raises(CommandError, match=r"--older-than-minutes must be 0 or more\."):
        prune("--older-than-minutes", "-1")
