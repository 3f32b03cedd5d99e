"""Pictures in S3-compatible object storage (django-storages), against a server started
for the test run: moto's server mode (`moto[server]`, a dev dependency) on a free
loopback port, spoken to over HTTP as a real bucket would be. Skipped only if moto
cannot start here."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.files.storage import default_storage

from media.models import Image
from tests.factories.media import ImageFactory, picture_bytes, upload
from tests.media.test_stripping import TELL_TALES, _phone_exif

BUCKET = "broadsheet-media"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    try:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError as error:
        pytest.skip(f"moto's server cannot start: {error}")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip("moto's server exited at start (is moto[server] installed?)")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.terminate()
        pytest.skip("moto's server did not answer within 20 s")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """STORAGES["default"] as config/settings.py makes it when MEDIA_BUCKET is set."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-1")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "eu-west-1",
                "default_acl": "public-read",
                "querystring_auth": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.mark.django_db
def test_pictures_and_renditions_go_to_the_bucket_public_and_immutable(bucket, settings):
    image = ImageFactory(file=upload(picture_bytes(1300, 900, exif=_phone_exif())))

    names = {image.file.name, *(r["name"] for r in image.renditions)}
    assert names == _keys(bucket)
    for name in names:
        stored = bucket.get_object(Bucket=BUCKET, Key=name)
        assert stored["CacheControl"] == "public, max-age=31536000, immutable"
        body = stored["Body"].read()
        for tell_tale in TELL_TALES:
            assert tell_tale not in body, name
        grants = bucket.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
        assert any(g["Grantee"].get("URI", "").endswith("/global/AllUsers") for g in grants)
    # Unsigned URLs on the bucket's endpoint: shared pages can hold them.
    url = default_storage.url(image.file.name)
    assert url.startswith(f"{settings.STORAGES['default']['OPTIONS']['endpoint_url']}/{BUCKET}/")
    assert "Signature" not in url


@pytest.mark.django_db
def test_a_custom_domain_serves_the_pictures(bucket, settings):
    settings.STORAGES["default"]["OPTIONS"]["custom_domain"] = "cdn.example.com"
    settings.STORAGES = {**settings.STORAGES}  # announce the change

    image = ImageFactory()

    assert default_storage.url(image.file.name) == f"https://cdn.example.com/{image.file.name}"


@pytest.mark.django_db
def test_deleting_a_picture_empties_the_bucket_after_commit(bucket, run_on_commit):
    image = ImageFactory()
    assert _keys(bucket)

    run_on_commit(image.delete)

    assert _keys(bucket) == set()
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_bucket_stores_nothing(settings, chief_client):
    from django.urls import reverse

    from media import services

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": f"http://127.0.0.1:{_free_port()}",
                "region_name": "eu-west-1",
                "access_key": "testing",
                "secret_key": "testing",
            },
        },
    }

    response = chief_client.post(
        reverse("admin:media_image_add"),
        {
            "upload": upload(picture_bytes()),
            "title": "T",
            "alt_text": "A",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )

    assert response.status_code == 200
    assert services.STORAGE_UNAVAILABLE_MESSAGE in " ".join(
        response.context["adminform"].form.errors["upload"]
    )
    assert not Image.objects.exists()
