"""The images bucket as template.yaml declares it (docs/decisions/016-images.md): never public,
read by CloudFront alone through origin access control and only under media/, uploads from the
admin origin only; and as the local stack creates it in moto's S3."""

from __future__ import annotations

import pytest
import requests

from infra import template as sam
from infra.local.provision import aws_client, provision

ADMIN_ORIGIN = "https://admin.example"


@pytest.fixture(scope="module")
def template() -> dict:
    return sam.load()


def resource(template, logical_id: str) -> dict:
    return template["Resources"][logical_id]


def test_the_images_bucket_blocks_every_kind_of_public_access(template):
    bucket = resource(template, "MediaBucket")["Properties"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]  # no ACLs at all
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert "WebsiteConfiguration" not in bucket and "AccessControl" not in bucket


def test_only_cloudfront_reads_it_and_only_the_cleaned_images(template):
    policy = resource(template, "MediaBucketPolicy")
    assert policy["Properties"]["Bucket"] == {"Ref": "MediaBucket"}
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]

    # One Allow: CloudFront's service principal, GetObject under media/ (never uploads/), from our distribution
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == {"Fn::Sub": "${MediaBucket.Arn}/media/*"}
    assert "${MediaDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    # ... and no request without TLS at all
    deny = next(s for s in statements if s.get("Sid") == "TlsOnly")
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": False}}


def test_cloudfront_serves_the_bucket_through_origin_access_control(template):
    oac = resource(template, "MediaOriginAccessControl")
    assert oac["Type"] == "AWS::CloudFront::OriginAccessControl"
    config = oac["Properties"]["OriginAccessControlConfig"]
    assert (config["OriginAccessControlOriginType"], config["SigningBehavior"], config["SigningProtocol"]) == (
        "s3", "always", "sigv4")

    distribution = resource(template, "MediaDistribution")["Properties"]["DistributionConfig"]
    (origin,) = distribution["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["MediaBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    behaviour = distribution["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]


def test_uploads_come_from_the_admin_origin_only_and_expire_unless_confirmed(template):
    bucket = resource(template, "MediaBucket")["Properties"]
    (rule,) = bucket["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [{"Ref": "AdminOrigin"}] and rule["AllowedMethods"] == ["POST"]
    expiry = next(r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "uploads/")
    assert expiry["ExpirationInDays"] == 1


def test_the_api_alone_signs_uploads_and_names_the_cdn(template):
    api = resource(template, "ApiFunction")["Properties"]
    env = api["Environment"]["Variables"]
    assert env["MEDIA_BUCKET"] == {"Ref": "MediaBucket"}
    cdn = {"Fn::Sub": "https://${MediaDistribution.DomainName}"}
    assert env["MEDIA_PUBLIC_URL"] == {"Fn::If": ["InAws", cdn, "direct"]}  # locally: the S3 endpoint itself
    statements = [s for p in api["Policies"] for s in p.get("Statement", [])]
    media = [s for s in statements if "MediaBucket" in str(s["Resource"])]
    assert media == [{"Effect": "Allow", "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                      "Resource": {"Fn::Sub": "${MediaBucket.Arn}/*"}}]
    for function_id, other in template["Resources"].items():
        if other["Type"] == "AWS::Serverless::Function" and function_id != "ApiFunction":
            assert "MediaBucket" not in str(other["Properties"].get("Policies")), function_id


def test_the_admin_site_may_post_to_the_bucket(template):
    csp = resource(template, "AdminSiteHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src"))
    assert "https://${MediaBucket.RegionalDomainName}" in connect


# ------------------------------------------------------------------ the local stack's bucket
@pytest.fixture(scope="module")
def local_bucket(moto_endpoint):
    resources = provision(moto_endpoint, stack_name="aj74-media-template", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": ADMIN_ORIGIN})
    return resources.ref("MediaBucket"), aws_client("s3", moto_endpoint), moto_endpoint


def test_the_local_bucket_gets_the_templates_cors_and_public_access_block(local_bucket):
    bucket, s3, _ = local_bucket

    cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert [(r["AllowedOrigins"], r["AllowedMethods"]) for r in cors] == [([ADMIN_ORIGIN], ["POST"])]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_locally_the_s3_endpoint_stands_in_for_cloudfront_media_only(local_bucket):
    bucket, s3, endpoint = local_bucket
    s3.put_object(Bucket=bucket, Key="media/probe", Body=b"clean", ContentType="image/png")
    s3.put_object(Bucket=bucket, Key="uploads/probe", Body=b"raw", ContentType="image/png")

    assert requests.get(f"{endpoint}/{bucket}/media/probe", timeout=10).status_code == 200
    assert requests.get(f"{endpoint}/{bucket}/uploads/probe", timeout=10).status_code == 403
