"""Media fixtures: uploads through the real API (multipart or JSON), a clean delivery cache, the files."""

from __future__ import annotations

import base64

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from delivery import cache as dcache
from tests.media.s3 import bucket, s3_endpoint  # noqa: F401  (fixtures: a real S3-compatible server, a bucket)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in a folder of its own (rows roll back; files would not)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def clean_delivery_cache():
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    dcache.local_clear()
    yield
    dcache.local_clear()


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """`upload(client, "logo.png", content, content_type="image/png", query="", **form)`: a multipart upload;
    the commit's callbacks run as after a real commit."""

    def send(client, name: str, content: bytes, content_type: str = "application/octet-stream", query="", **form):
        body = {"file": SimpleUploadedFile(name, content, content_type=content_type), **form}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/api/v1/assets{query}", body, format="multipart")

    return send


@pytest.fixture
def upload_json(django_capture_on_commit_callbacks):
    def send(client, name: str, content: bytes, query="", **values):
        body = {"filename": name, "contentBase64": base64.b64encode(content).decode(), **values}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/api/v1/assets{query}", body, format="json")

    return send


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`commit(lambda: api.delete(...))`: run a request with its after-commit callbacks (cache, files)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run
