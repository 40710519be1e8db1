"""`manage.py import_assets`: a folder into a site's library, through the upload service and its checks."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from media.models import Asset
from tests.media.files import HTML, PDF, png

pytestmark = pytest.mark.django_db


def test_import_reports_each_file_and_fails_when_one_was_refused(site, tmp_path):
    folder = tmp_path / "in"
    (folder / "docs").mkdir(parents=True)
    (folder / "logo.png").write_bytes(png())
    (folder / "copy.png").write_bytes(png())
    (folder / "docs" / "report.pdf").write_bytes(PDF)
    (folder / "fake.png").write_bytes(HTML)
    (folder / ".DS_Store").write_bytes(b"junk")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_assets", str(folder), "--site", "acme", "--tag", "imported", stdout=out)
    assert exited.value.code == 1
    logo, report = Asset.objects.order_by("pk")
    assert out.getvalue().splitlines() == [
        f"created  copy.png -> asset {logo.pk} (image/png)",
        f"created  docs/report.pdf -> asset {report.pk} (application/pdf)",
        "refused  fake.png: The request did not validate. file: The content is HTML, which is never accepted.",
        f"exists   logo.png -> asset {logo.pk} (image/png)",
        "2 created, 1 exists, 1 refused.",
    ]
    assert logo.tags == ["imported"] and logo.uploaded_by is None and logo.site == site


def test_import_needs_a_folder_and_a_site(site, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_assets", str(tmp_path / "missing"), "--site", "acme")
    with pytest.raises(CommandError, match="No site `nope`"):
        call_command("import_assets", str(tmp_path), "--site", "nope")
