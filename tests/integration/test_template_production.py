"""template.yaml is production-ready: security scan, configuration the code reads, the properties
the design depends on (runtime, logs, tables, the ballot queue) and the admin site's headers.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from infra import template as sam
from infra.local.admin_server import security_headers
from infra.template import FUNCTION, REPO_ROOT
from infra.template import PATH as TEMPLATE

CHECKOV = REPO_ROOT / ".venv" / "checkov" / "bin" / "checkov"
SOURCES = [REPO_ROOT / "app.py", *(REPO_ROOT / "functions").glob("*.py"),
           *(REPO_ROOT / "layers" / "common" / "aj74").rglob("*.py")]
ENV_READ = re.compile(
    r"""(?:env\.get|_(?:required|text|int)\(env,|os\.environ\.get|os\.getenv|os\.environ\[)\s*\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
# Read by the code but never set by the template, each for a reason.
NOT_FROM_TEMPLATE = {
    "AWS_REGION": "set by the Lambda runtime",
    "AWS_DEFAULT_REGION": "set by the Lambda runtime",
    "AWS_ENDPOINT_URL": "the local stack's moto endpoint; unset in AWS",
}
# Secrets reach only the functions that need them (docs/decisions/012): their ARNs are set there alone.
ONLY_FOR = {
    "BALLOT_KEY_SECRET_ARN": {"ApiFunction"},
    "BALLOT_MESSAGE_KEY_ARN": {"ApiFunction", "BallotConsumerFunction"},
    # Only the anchor writer knows the Object Lock bucket (docs/decisions/013).
    "AUDIT_ANCHOR_BUCKET": {"AuditAnchorFunction"},
    # Only the API uploads and shows images (docs/decisions/016-images.md).
    "MEDIA_BUCKET": {"ApiFunction"},
    "MEDIA_PUBLIC_URL": {"ApiFunction"},
    # Web Push: the API gives the public half, the fan-out signs (docs/decisions/018-web-push.md).
    "VAPID_KEY_SECRET_ARN": {"ApiFunction", "PushFanoutFunction"},
}


@pytest.fixture(scope="module")
def template() -> dict:
    return sam.load()


# ------------------------------------------------------------------ checkov


def test_checkov_finds_nothing_unsuppressed_and_every_suppression_has_a_reason(template):
    # Given the pinned checkov in its own venv (make install)
    assert CHECKOV.exists(), "run `make install` to create .venv/checkov"

    # When it scans the template
    done = subprocess.run([str(CHECKOV), "-f", str(TEMPLATE), "--framework", "cloudformation", "--quiet",
                           "--compact", "-o", "json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report

    # Then no check fails, and every skip says why
    failed = [(c["check_id"], c["resource"]) for c in report.get("results", {}).get("failed_checks", [])]
    assert failed == [], f"checkov failures (fix, or skip in the resource's Metadata with a reason): {failed}"
    assert report["summary"]["parsing_errors"] == 0
    for logical_id, resource in template["Resources"].items():
        for skip in ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip", []):
            assert len(str(skip.get("comment", "")).split()) >= 8, f"{logical_id}: {skip['id']} needs a real reason"


# ------------------------------------------------------------------ configuration


def test_every_environment_variable_the_code_reads_is_set_for_every_function(template):
    read = {name for path in SOURCES for name in ENV_READ.findall(path.read_text(encoding="utf-8"))}
    assert {"STAGE", "BALLOTS_TABLE", "BALLOT_QUEUE_URL"} <= read, "the scan finds the settings reads"

    for function_id in sam.resources(template, FUNCTION):
        names = set(sam.environment(template, function_id))
        missing = sorted(read - names - set(NOT_FROM_TEMPLATE) - set(ONLY_FOR))
        assert missing == [], f"{function_id} reads environment variables template.yaml does not set: {missing}"
        for name, functions in ONLY_FOR.items():
            assert (name in names) == (function_id in functions), f"{name} on {function_id}"


def test_no_secret_value_is_a_parameter_or_an_environment_value(template):
    # The ballot path's keys are generated in Secrets Manager; the template names them by ARN only.
    assert not [p for p, spec in template["Parameters"].items() if spec.get("NoEcho")]
    secrets = sam.resources(template, "AWS::SecretsManager::Secret")
    assert set(secrets) == {"BallotKeySecret", "BallotMessageKey", "VapidKeySecret"}
    assert all("GenerateSecretString" in r["Properties"] and "SecretString" not in r["Properties"]
               for r in secrets.values())
    for function_id in sam.resources(template, FUNCTION):
        for name in sam.environment(template, function_id):
            assert not ("SECRET" in name or "KEY" in name) or name.endswith("_ARN"), (function_id, name)


def test_the_amendment_window_is_the_ballot_queue_retention(template):
    queue = template["Resources"]["BallotQueue"]["Properties"]
    window = template["Globals"]["Function"]["Environment"]["Variables"]["BALLOT_QUEUE_RETENTION_SECONDS"]
    assert int(window) == int(queue["MessageRetentionPeriod"])


def test_powertools_is_configured_in_globals(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    for name in ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"):
        assert variables.get(name), name


# ------------------------------------------------------------------ functions


def test_every_function_runs_python_312_on_arm64_with_its_own_log_group(template):
    log_groups = sam.resources(template, "AWS::Logs::LogGroup")

    for function_id in sam.resources(template, FUNCTION):
        props = sam.function_properties(template, function_id)
        assert props["Runtime"] == "python3.12", function_id
        assert props["Architectures"] == ["arm64"], function_id
        assert props["MemorySize"] and props["Timeout"], function_id
        group = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert group in log_groups, function_id
    for group_id, group in log_groups.items():
        assert "RetentionInDays" in group["Properties"], group_id


def test_the_api_has_access_logs_and_throttling(template):
    api = template["Resources"]["Api"]["Properties"]

    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] > 0


def test_the_ballot_queue_outlasts_six_consumer_timeouts_and_redrives(template):
    consumer = template["Resources"]["BallotConsumerFunction"]["Properties"]
    queue = template["Resources"]["BallotQueue"]["Properties"]
    (event,) = consumer["Events"].values()

    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["BallotDeadLetterQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # 16 ledger shards x 1,000 WCU/s; each instance writes ~100 ballots/s (see the template comment).
    assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] * 100 <= 16 * 1000


# ------------------------------------------------------------------ tables


def test_every_table_is_on_demand_recoverable_and_encrypted(template):
    for table_id, table in sam.tables(template).items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", table_id
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, table_id
        assert props["SSESpecification"]["SSEEnabled"] is True, table_id


@pytest.mark.parametrize("table_id", ["BallotsTable", "AuditTable"])
def test_the_ballot_ledger_and_audit_log_survive_a_stack_deletion(template, table_id):
    table = template["Resources"][table_id]

    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


# ------------------------------------------------------------------ operations


def test_alarms_cover_the_ballot_path_and_notify_the_alarm_topic(template):
    alarms = sam.resources(template, "AWS::CloudWatch::Alarm")
    metrics = {json.dumps(a["Properties"], sort_keys=True) for a in alarms.values()}
    text = " ".join(metrics)

    for metric in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", '"Errors"',
                   "5XXError", "Throttles"):
        assert metric in text, metric
    for alarm_id, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], alarm_id
    assert sam.resources(template, "AWS::CloudWatch::Dashboard")


# ------------------------------------------------------------------ admin site hosting


@pytest.mark.parametrize("site", ["AdminSite", "ResidentSite"])
def test_each_web_app_bucket_is_private_encrypted_versioned_and_read_through_its_own_distribution(template, site):
    bucket = template["Resources"][f"{site}Bucket"]["Properties"]

    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    config = template["Resources"][f"{site}Distribution"]["Properties"]["DistributionConfig"]
    assert config["Origins"][0]["OriginAccessControlId"] == {"Fn::GetAtt": [f"{site}OriginAccessControl", "Id"]}
    assert config["Origins"][0]["DomainName"] == {"Fn::GetAtt": [f"{site}Bucket", "RegionalDomainName"]}
    # The same strict CSP for both apps: one response-headers policy.
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "AdminSiteHeadersPolicy"}


def test_the_resident_app_has_an_origin_of_its_own_so_its_service_worker_cannot_reach_the_admin_site(template):
    # A service worker controls its own origin only: two distributions, two origins, two buckets.
    resources = template["Resources"]
    admin = resources["AdminSiteDistribution"]["Properties"]["DistributionConfig"]["Origins"]
    resident = resources["ResidentSiteDistribution"]["Properties"]["DistributionConfig"]["Origins"]
    assert [o["DomainName"] for o in admin] != [o["DomainName"] for o in resident]
    assert resources["ResidentSiteBucket"] is not resources["AdminSiteBucket"]


def test_cloudfront_sends_the_same_security_headers_as_the_local_admin_server(template):
    # Given the headers the local server sends for an API at some execute-api origin
    api_origin = "https://abc123.execute-api.eu-central-1.amazonaws.com"
    media_origin = "https://aj74-media.s3.eu-central-1.amazonaws.com"  # the images bucket, where uploads go
    local = security_headers(api_origin + "/prod", media_origin=media_origin)

    # When the template's response-headers policy is rendered for that API
    config = template["Resources"]["AdminSiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    headers = config["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    csp = (csp.replace("${Api}", "abc123").replace("${AWS::Region}", "eu-central-1")
           .replace("${AWS::URLSuffix}", "amazonaws.com")
           .replace("https://${MediaBucket.RegionalDomainName}", media_origin))

    # Then both send one policy, and HSTS on top in production (HTTPS only)
    assert " ".join(csp.split()) == local["Content-Security-Policy"]
    assert headers["FrameOptions"]["FrameOption"] == local["X-Frame-Options"]
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == local["Referrer-Policy"]
    assert local["X-Content-Type-Options"] == "nosniff" and headers["ContentTypeOptions"]["Override"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_production_only_resources_are_skipped_by_the_local_stack(template):
    # moto's CloudFormation cannot create CloudFront, alarms or dashboards; they carry InAws. The
    # audit anchor bucket exists locally too (infra/local/buckets.py applies its Object Lock), and so
    # does the images bucket (the local S3 endpoint serves its media/ as CloudFront would).
    local_only_types = ("AWS::CloudFront::", "AWS::CloudWatch::", "AWS::S3::")
    for logical_id, resource in template["Resources"].items():
        if resource["Type"].startswith(local_only_types) and logical_id not in ("AuditAnchorBucket", "MediaBucket"):
            assert resource.get("Condition") == "InAws", logical_id


def test_the_audit_anchor_bucket_locks_every_head_in_compliance_mode(template):
    bucket = template["Resources"]["AuditAnchorBucket"]
    props = bucket["Properties"]
    assert "Condition" not in bucket and bucket["DeletionPolicy"] == "Retain"
    assert props["ObjectLockEnabled"] is True and props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 5}}}
    assert all(props["PublicAccessBlockConfiguration"].values())


def test_the_audit_anchor_writer_may_only_put_objects_and_read_the_head(template):
    statements = template["Resources"]["AuditAnchorFunction"]["Properties"]["Policies"][0]["Statement"]
    grants = {(a, json.dumps(s["Resource"], sort_keys=True)) for s in statements for a in s["Action"]}
    assert grants == {("dynamodb:Query", json.dumps({"Fn::GetAtt": ["AuditTable", "Arn"]})),
                      ("s3:PutObject", json.dumps({"Fn::Sub": "${AuditAnchorBucket.Arn}/*"}))}


def test_the_audit_table_is_written_by_put_item_alone(template):
    # Append-only: no function may update or delete an audit entry (docs/decisions/013).
    writers = set()
    for function_id, resource in sam.resources(template, FUNCTION).items():
        for policy in resource["Properties"].get("Policies") or []:
            for statement in policy["Statement"]:
                if statement["Resource"] == {"Fn::GetAtt": ["AuditTable", "Arn"]}:
                    assert set(statement["Action"]) <= {"dynamodb:PutItem", "dynamodb:Query"}, function_id
                    if "dynamodb:PutItem" in statement["Action"]:
                        writers.add(function_id)
                else:
                    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [
                        statement["Resource"]]
                    assert "AuditTable" not in json.dumps(resources), function_id
    assert writers == {"ApiFunction", "PollSchedulerFunction"}


def test_template_path_is_the_one_checked():
    assert Path(TEMPLATE) == REPO_ROOT / "template.yaml"
