"""Browser uploads to the local S3 with IAM enforced (infra/local/s3_browser.py): a presigned
POST is authenticated by its form, as S3 does it: the policy's signature with the signer's key,
then the signer's s3:PutObject on the key. A moto server of its own (enforcement is global)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
import requests
from botocore.config import Config

from infra.local.iam import create_function_identities, enable_enforcement
from infra.local.provision import REGION, aws_client, provision, register_credentials
from tests.integration.conftest import moto_server

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture(scope="module")
def enforcing_endpoint(tmp_path_factory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("media-iam")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def stack(enforcing_endpoint):
    admin = enable_enforcement(enforcing_endpoint)
    register_credentials(enforcing_endpoint, admin)
    try:
        resources = provision(enforcing_endpoint, stack_name=f"aj74-media-iam-{uuid.uuid4().hex[:6]}")
        yield resources, admin, create_function_identities(resources, admin)
    finally:
        register_credentials(enforcing_endpoint, None)


def presign(endpoint: str, credentials, bucket: str, key: str) -> dict:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **credentials.client_kwargs(),
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return s3.generate_presigned_post(Bucket=bucket, Key=key, Fields={"Content-Type": "image/jpeg"},
                                      Conditions=[["content-length-range", 1, 1024], {"Content-Type": "image/jpeg"}],
                                      ExpiresIn=60)


def post(form: dict, data: bytes = JPEG) -> requests.Response:
    return requests.post(form["url"], data=form["fields"], files={"file": ("a.jpg", data, "image/jpeg")}, timeout=10)


def test_a_form_the_api_signed_uploads_without_any_authorization_header(stack, enforcing_endpoint):
    resources, admin, identities = stack
    bucket, key = resources.ref("MediaBucket"), f"uploads/{uuid.uuid4().hex}"

    response = post(presign(enforcing_endpoint, identities["ApiFunction"], bucket, key))

    assert response.status_code == 204, response.text
    stored = aws_client("s3", enforcing_endpoint, credentials=admin).get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == JPEG


def test_a_tampered_policy_or_signature_is_refused(stack, enforcing_endpoint):
    resources, _, identities = stack
    form = presign(enforcing_endpoint, identities["ApiFunction"], resources.ref("MediaBucket"), "uploads/x")
    forged = {**form, "fields": {**form["fields"], "x-amz-signature": "0" * 64}}

    response = post(forged)

    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_a_form_signed_by_a_role_without_put_object_is_refused(stack, enforcing_endpoint):
    resources, _, identities = stack
    form = presign(enforcing_endpoint, identities["BallotConsumerFunction"], resources.ref("MediaBucket"), "uploads/y")

    response = post(form)

    assert response.status_code == 403 and "<Code>AccessDenied</Code>" in response.text


def test_the_policy_still_holds_the_size(stack, enforcing_endpoint):
    resources, _, identities = stack
    form = presign(enforcing_endpoint, identities["ApiFunction"], resources.ref("MediaBucket"), "uploads/z")

    assert post(form, JPEG * 100).status_code == 400


def test_clean_images_are_readable_without_credentials_as_cloudfront_serves_them(stack, enforcing_endpoint):
    resources, admin, _ = stack
    bucket = resources.ref("MediaBucket")
    s3 = aws_client("s3", enforcing_endpoint, credentials=admin)
    s3.put_object(Bucket=bucket, Key="media/probe", Body=JPEG, ContentType="image/jpeg")
    s3.put_object(Bucket=bucket, Key="uploads/probe", Body=JPEG, ContentType="image/jpeg")

    assert requests.get(f"{enforcing_endpoint}/{bucket}/media/probe", timeout=10).status_code == 200
    assert requests.get(f"{enforcing_endpoint}/{bucket}/uploads/probe", timeout=10).status_code == 403


def test_the_browsers_preflight_from_the_admin_origin_is_answered(stack, enforcing_endpoint):
    # An upload with a progress listener is not a "simple" request: the browser asks first.
    resources, _, _ = stack
    origin = resources.parameters["AdminOrigin"]
    response = requests.options(f"{enforcing_endpoint}/{resources.ref('MediaBucket')}", timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})

    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
