"""A real S3-compatible server for the media tests: moto's server mode on a free loopback port (the fixtures in
conftest.py start it once per session and give each test a bucket of its own, made the default storage)."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer

from cms.settings.env import media_storage_from_url
from media.storage import S3MediaStorage

KEYS = {"access_key": "test-key", "secret_key": "test-secret"}  # moto takes any; real ones come from boto3's chain


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def public_read(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }


class Bucket:
    def __init__(self, endpoint: str, name: str):
        self.endpoint, self.name = endpoint, name
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
        )
        self.client.create_bucket(Bucket=name)
        # What docs/media.md "Storage" asks of a production bucket: anyone may read its objects (not list them).
        self.client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))

    def objects(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """A new bucket per test, made the default storage exactly as `MEDIA_STORAGE_URL` would."""
    store = Bucket(s3_endpoint, f"media-{uuid.uuid4().hex[:12]}")
    default = media_storage_from_url(f"s3://{store.name}?endpoint_url={s3_endpoint}&region=us-east-1")
    default["OPTIONS"] |= KEYS
    settings.STORAGES = {**settings.STORAGES, "default": default}
    assert isinstance(default_storage, S3MediaStorage)
    yield store
    for key in store.objects():
        store.client.delete_object(Bucket=store.name, Key=key)
    store.client.delete_bucket(Bucket=store.name)
