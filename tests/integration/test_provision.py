"""The local AWS is provisioned from template.yaml: every table, queue and topic, nothing hard-coded."""

from __future__ import annotations

import json
import uuid

import pytest

from infra import template as sam
from infra.local.provision import aws_client, provision
from infra.template import FUNCTION, QUEUE, TABLE, TOPIC
from infra.template import PATH as TEMPLATE_PATH

TEMPLATE = sam.load()


def declared(resource_type: str) -> set[str]:
    return set(sam.resources(TEMPLATE, resource_type))


def all_tables(endpoint: str) -> set[str]:
    """Every table of the server, every page: the session's other modules provision stacks in the same
    server, over a hundred tables (one page of ListTables)."""
    pages = aws_client("dynamodb", endpoint).get_paginator("list_tables").paginate()
    return {name for page in pages for name in page["TableNames"]}


@pytest.fixture(scope="module")
def resources(moto_endpoint):
    return provision(moto_endpoint, stack_name=f"aj74-test-{uuid.uuid4().hex[:8]}")


def test_every_table_queue_and_topic_of_the_template_exists(resources, moto_endpoint):
    tables = all_tables(moto_endpoint)
    queues = set(aws_client("sqs", moto_endpoint).list_queues()["QueueUrls"])
    topics = {t["TopicArn"] for t in aws_client("sns", moto_endpoint).list_topics()["Topics"]}

    assert set(resources.tables) == declared(TABLE)
    assert set(resources.tables.values()) <= tables
    assert set(resources.queues) == declared(QUEUE)
    assert set(resources.queues.values()) <= queues
    assert all(url.startswith(moto_endpoint) for url in resources.queues.values())
    assert set(resources.topics) == declared(TOPIC)
    assert set(resources.topics.values()) <= topics


def test_the_audit_anchor_bucket_exists_with_the_templates_object_lock(resources, moto_endpoint):
    # moto's CloudFormation creates the bucket but ignores versioning and Object Lock (infra/local/buckets.py)
    s3 = aws_client("s3", moto_endpoint)
    bucket = resources.ref("AuditAnchorBucket")
    declared_lock = TEMPLATE["Resources"]["AuditAnchorBucket"]["Properties"]["ObjectLockConfiguration"]

    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == declared_lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert lock["Rule"]["DefaultRetention"]["Years"] == declared_lock["Rule"]["DefaultRetention"]["Years"]
    assert resources.get_att("AuditAnchorBucket", "Arn") == f"arn:aws:s3:::{bucket}"


def test_queues_keep_their_redrive_policy(resources, sqs):
    with_policy = {lid for lid in declared(QUEUE) if "RedrivePolicy" in TEMPLATE["Resources"][lid]["Properties"]}
    assert with_policy, "the template declares at least one queue with a dead-letter queue"
    for logical_id in with_policy:
        expected = TEMPLATE["Resources"][logical_id]["Properties"]["RedrivePolicy"]
        attributes = sqs.get_queue_attributes(QueueUrl=resources.ref(logical_id), AttributeNames=["All"])
        policy = json.loads(attributes["Attributes"]["RedrivePolicy"])
        assert policy["deadLetterTargetArn"] == resources.resolve(expected["deadLetterTargetArn"])
        assert int(policy["maxReceiveCount"]) == int(expected["maxReceiveCount"])


@pytest.mark.parametrize("function_id", sorted(declared(FUNCTION)))
def test_env_for_resolves_every_variable(resources, function_id):
    env = resources.env_for(function_id)

    expected_names = set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
    own = TEMPLATE["Resources"][function_id]["Properties"].get("Environment", {}).get("Variables", {})
    assert set(env) == expected_names | set(own)
    assert all(isinstance(value, str) and value for value in env.values())
    assert env["STAGE"] == "local"
    for name, value in {**TEMPLATE["Globals"]["Function"]["Environment"]["Variables"], **own}.items():
        if isinstance(value, dict) and value.get("Ref") in resources.physical_ids:
            assert env[name] == resources.ref(value["Ref"])


def test_functions_carry_their_handler_and_events(resources):
    for logical_id in declared(FUNCTION):
        props = TEMPLATE["Resources"][logical_id]["Properties"]
        spec = resources.functions[logical_id]
        assert f"{spec.module}.{spec.attribute}".endswith(props["Handler"])
        assert spec.timeout_seconds == props.get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])
        for event in spec.sqs_events:
            declared_event = props["Events"][event.name]["Properties"]
            assert event.queue_url == resources.ref(event.queue_logical_id)
            assert event.batch_size == declared_event.get("BatchSize", 10)
            assert event.report_batch_item_failures == (
                "ReportBatchItemFailures" in declared_event.get("FunctionResponseTypes", [])
            )
        for event in spec.schedule_events:
            assert event.expression == props["Events"][event.name]["Properties"]["Schedule"]
    assert any(f.sqs_events for f in resources.functions.values())
    assert any(f.schedule_events for f in resources.functions.values())


def test_a_table_added_to_the_template_appears_with_no_other_change(moto_endpoint, tmp_path):
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    text = text.replace(
        "        POINTS_PER_BALLOT: !Ref PointsPerBallot\n",
        "        POINTS_PER_BALLOT: !Ref PointsPerBallot\n        PETITIONS_TABLE: !Ref PetitionsTable\n",
    ).replace(
        "Resources:\n",
        "Resources:\n  PetitionsTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      BillingMode: PAY_PER_REQUEST\n"
        "      AttributeDefinitions: [{AttributeName: petition_id, AttributeType: S}]\n"
        "      KeySchema: [{AttributeName: petition_id, KeyType: HASH}]\n",
        1,
    )
    template = tmp_path / "template.yaml"
    template.write_text(text, encoding="utf-8")

    extended = provision(moto_endpoint, stack_name="aj74-test-extended", template_path=template)

    name = extended.tables["PetitionsTable"]
    assert aws_client("dynamodb", moto_endpoint).describe_table(TableName=name)["Table"]["TableStatus"]
    assert extended.env_for("BallotConsumerFunction")["PETITIONS_TABLE"] == name


def test_provisioning_again_replaces_the_previous_stack(moto_endpoint):
    stack_name = "aj74-test-restart"
    first = provision(moto_endpoint, stack_name=stack_name)
    second = provision(moto_endpoint, stack_name=stack_name)

    tables = all_tables(moto_endpoint)
    queues = set(aws_client("sqs", moto_endpoint).list_queues()["QueueUrls"])
    # Tables the template retains on deletion are removed too: every start is a fresh, empty stack.
    assert not set(first.tables.values()) & tables
    assert not set(first.queues.values()) & queues
    assert set(second.tables.values()) <= tables
    # Secrets are generated afresh in the local Secrets Manager on every start, never passed in.
    secrets = aws_client("secretsmanager", moto_endpoint)
    for logical_id in ("BallotKeySecret", "BallotMessageKey"):
        assert first.ref(logical_id).startswith("arn:aws:secretsmanager:")
        value = secrets.get_secret_value(SecretId=second.ref(logical_id))["SecretString"]
        assert len(value) == 64 and value.isalnum()
    assert first.ref("BallotKeySecret") != second.ref("BallotKeySecret")
