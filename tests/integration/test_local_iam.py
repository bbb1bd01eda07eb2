"""The local AWS enforces the IAM policies of template.yaml (infra/local/iam.py, moto_server.py).

A moto server of its own (the session's shared one does not enforce), provisioned like the local
stack: the administrator bootstraps, then each function's execution role holds exactly its template
policy. Every probe below is a real request to moto; "allowed" means moto did not refuse it with
AccessDenied (it may still reject a probe item as invalid, after authorising it).
"""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from infra import template as sam
from infra.local.iam import create_function_identities, create_service_identity, enable_enforcement, function_policy
from infra.local.moto_process import moto_server
from infra.local.provision import (
    UNAUTHENTICATED,
    aws_client,
    function_role_name,
    provision,
    register_credentials,
)
from infra.template import FUNCTION

TEMPLATE = sam.load()
FUNCTIONS = sorted(sam.resources(TEMPLATE, FUNCTION))
DENIED = {"AccessDenied", "AccessDeniedException"}
PROBE_KEY = {"__probe": {"S": "x"}}


@pytest.fixture(scope="module")
def enforcing_endpoint(tmp_path_factory) -> Iterator[str]:
    # A moto of its own: this module turns enforcement on, which other modules' servers must not see.
    with moto_server(tmp_path_factory.mktemp("iam")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def stack(enforcing_endpoint):
    admin = enable_enforcement(enforcing_endpoint)
    register_credentials(enforcing_endpoint, admin)
    try:
        resources = provision(enforcing_endpoint, stack_name=f"aj74-iam-{uuid.uuid4().hex[:6]}")
        identities = create_function_identities(resources, admin)
        service = create_service_identity(resources, admin)
        yield resources, admin, identities, service
    finally:
        register_credentials(enforcing_endpoint, None)


def outcome(call) -> str:
    try:
        call()
    except ClientError as error:
        code = error.response["Error"]["Code"]
        return "denied" if code in DENIED else "allowed"
    return "allowed"


def granted(policy: dict, action: str, resource: str) -> bool:
    """What IAM decides for an identity policy of Allow statements (the template has no Deny)."""
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        if any(fnmatch.fnmatchcase(action, a) for a in statement["Action"]) and any(
            fnmatch.fnmatchcase(resource, r) for r in statement["Resource"]
        ):
            return True
    return False


DYNAMODB_PROBES = {
    "dynamodb:GetItem": lambda c, t: c.get_item(TableName=t, Key=PROBE_KEY),
    "dynamodb:PutItem": lambda c, t: c.put_item(TableName=t, Item=PROBE_KEY),
    "dynamodb:UpdateItem": lambda c, t: c.update_item(TableName=t, Key=PROBE_KEY),
    "dynamodb:DeleteItem": lambda c, t: c.delete_item(TableName=t, Key=PROBE_KEY),
    "dynamodb:Query": lambda c, t: c.query(
        TableName=t, KeyConditionExpression="#k = :v", ExpressionAttributeNames={"#k": "__probe"},
        ExpressionAttributeValues={":v": {"S": "x"}}),
    "dynamodb:Scan": lambda c, t: c.scan(TableName=t, Limit=1),
    "dynamodb:BatchWriteItem": lambda c, t: c.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": PROBE_KEY}}]}),
    "dynamodb:BatchGetItem": lambda c, t: c.batch_get_item(RequestItems={t: {"Keys": [PROBE_KEY]}}),
}


# ------------------------------------------------------------------ bootstrap
def test_dummy_keys_are_refused_and_the_administrator_may_do_anything(stack, enforcing_endpoint):
    resources, admin, _, _ = stack
    with pytest.raises(ClientError) as refused:
        aws_client("sqs", enforcing_endpoint, credentials=UNAUTHENTICATED).list_queues()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert aws_client("dynamodb", enforcing_endpoint, credentials=admin).list_tables()["TableNames"]
    table = next(iter(resources.tables.values()))
    dynamodb = aws_client("dynamodb", enforcing_endpoint, credentials=admin)
    assert outcome(lambda: dynamodb.scan(TableName=table)) == "allowed"


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_each_function_role_holds_exactly_its_template_policy(stack, enforcing_endpoint, function_id):
    resources, admin, identities, _ = stack
    iam = aws_client("iam", enforcing_endpoint, credentials=admin)
    role = function_role_name(resources.stack_name, function_id)
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert len(names) == 1
    assert iam.get_role_policy(RoleName=role, PolicyName=names[0])["PolicyDocument"] == function_policy(
        resources, function_id)
    assert not iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert identities[function_id].principal_arn.endswith(f":assumed-role/{role}/{function_id}")
    # The role's ARN is what ``!GetAtt <Function>Role.Arn`` resolves to (secret resource policies).
    assert resources.get_att(f"{function_id}Role", "Arn") == iam.get_role(RoleName=role)["Role"]["Arn"]


# ------------------------------------------------------------------ the examples that matter
def test_the_ballot_consumer_may_not_scan_the_ballots(stack, enforcing_endpoint):
    resources, _, identities, _ = stack
    consumer = aws_client("dynamodb", enforcing_endpoint, credentials=identities["BallotConsumerFunction"])
    with pytest.raises(ClientError) as refused:
        consumer.scan(TableName=resources.tables["BallotsTable"])
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "dynamodb:Scan" in error["Message"]
    assert resources.get_att("BallotsTable", "Arn") in error["Message"]
    # ...while what its policy grants goes through (a probe moto authorises, then finds invalid).
    policy = function_policy(resources, "BallotConsumerFunction")
    allowed = [a for a in DYNAMODB_PROBES if granted(policy, a, resources.get_att("BallotsTable", "Arn"))]
    assert allowed
    for action in allowed:
        assert outcome(lambda a=action: DYNAMODB_PROBES[a](consumer, resources.tables["BallotsTable"])) == "allowed"


def test_the_api_may_not_delete_ballots(stack, enforcing_endpoint):
    resources, _, identities, _ = stack
    api = aws_client("dynamodb", enforcing_endpoint, credentials=identities["ApiFunction"])
    with pytest.raises(ClientError) as refused:
        api.delete_item(TableName=resources.tables["BallotsTable"], Key=PROBE_KEY)
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"


def test_a_transaction_needs_each_items_action_on_each_table(stack, enforcing_endpoint):
    resources, _, identities, _ = stack
    consumer = aws_client("dynamodb", enforcing_endpoint, credentials=identities["BallotConsumerFunction"])
    policy = function_policy(resources, "BallotConsumerFunction")
    arns = {lid: resources.get_att(lid, "Arn") for lid in resources.tables}
    may_put = [lid for lid, arn in arns.items() if granted(policy, "dynamodb:PutItem", arn)]
    may_not_delete = [lid for lid, arn in arns.items() if not granted(policy, "dynamodb:DeleteItem", arn)]
    assert may_put and may_not_delete

    def transact(*items):
        return lambda: consumer.transact_write_items(TransactItems=list(items))

    put = {"Put": {"TableName": resources.tables[may_put[0]], "Item": PROBE_KEY}}
    delete = {"Delete": {"TableName": resources.tables[may_not_delete[0]], "Key": PROBE_KEY}}
    assert outcome(transact(put)) == "allowed"
    assert outcome(transact(put, delete)) == "denied"


# ------------------------------------------------------------------ every table, action and function
@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_dynamodb_allows_exactly_what_the_template_grants(stack, enforcing_endpoint, function_id):
    resources, _, identities, _ = stack
    client = aws_client("dynamodb", enforcing_endpoint, credentials=identities[function_id])
    policy = function_policy(resources, function_id)
    expected, actual = {}, {}
    for lid, table in resources.tables.items():
        arn = resources.get_att(lid, "Arn")
        for action, probe in DYNAMODB_PROBES.items():
            expected[(lid, action)] = "allowed" if granted(policy, action, arn) else "denied"
            actual[(lid, action)] = outcome(lambda p=probe, t=table: p(client, t))
        index_query = lambda t=table: client.query(  # noqa: E731
            TableName=t, IndexName="probe-index", KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": "__probe"}, ExpressionAttributeValues={":v": {"S": "x"}})
        expected[(lid, "Query index")] = "allowed" if granted(policy, "dynamodb:Query", f"{arn}/index/probe-index") \
            else "denied"
        actual[(lid, "Query index")] = outcome(index_query)
    assert actual == expected
    assert "allowed" in actual.values() and "denied" in actual.values()


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_queues_and_topics_allow_exactly_what_the_template_and_sam_grant(stack, enforcing_endpoint, function_id):
    resources, _, identities, _ = stack
    sqs = aws_client("sqs", enforcing_endpoint, credentials=identities[function_id])
    sns = aws_client("sns", enforcing_endpoint, credentials=identities[function_id])
    policy = function_policy(resources, function_id)
    expected, actual = {}, {}
    for lid, url in resources.queues.items():
        arn = resources.get_att(lid, "Arn")
        # SendMessage is probed in its own test (a message sent here would reach a consumer).
        probes = {
            "sqs:GetQueueAttributes": lambda u=url: sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["QueueArn"]),
            "sqs:ReceiveMessage": lambda u=url: sqs.receive_message(QueueUrl=u, WaitTimeSeconds=0,
                                                                    VisibilityTimeout=0),
            "sqs:DeleteMessage": lambda u=url: sqs.delete_message_batch(
                QueueUrl=u, Entries=[{"Id": "1", "ReceiptHandle": "probe"}]),
            "sqs:ChangeMessageVisibility": lambda u=url: sqs.change_message_visibility_batch(
                QueueUrl=u, Entries=[{"Id": "1", "ReceiptHandle": "probe", "VisibilityTimeout": 0}]),
        }
        for action, probe in probes.items():
            expected[(lid, action)] = "allowed" if granted(policy, action, arn) else "denied"
            actual[(lid, action)] = outcome(probe)
    for lid, topic in resources.topics.items():
        expected[(lid, "sns:Publish")] = "allowed" if granted(policy, "sns:Publish", topic) else "denied"
        actual[(lid, "sns:Publish")] = outcome(lambda t=topic: sns.publish(TopicArn=t, Message="probe"))
    assert actual == expected


def test_sending_to_a_queue_needs_send_message_even_in_a_batch(stack, enforcing_endpoint):
    resources, _, identities, _ = stack
    queue = next(lid for lid in resources.queues
                 if any(s.queue_logical_id == lid for f in resources.functions.values() for s in f.sqs_events))
    url, arn = resources.queues[queue], resources.get_att(queue, "Arn")
    for function_id in FUNCTIONS:
        sqs = aws_client("sqs", enforcing_endpoint, credentials=identities[function_id])
        expected = "allowed" if granted(function_policy(resources, function_id), "sqs:SendMessage", arn) else "denied"
        assert outcome(lambda s=sqs: s.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "{}"}])) \
            == expected, function_id
    # Leave the queue empty for whoever polls it.
    aws_client("sqs", enforcing_endpoint).purge_queue(QueueUrl=url)


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_secrets_allow_exactly_what_the_template_grants(stack, enforcing_endpoint, function_id):
    resources, _, identities, _ = stack
    secrets = {lid: arn for lid, arn in resources.physical_ids.items()
               if resources.resource_types[lid] == "AWS::SecretsManager::Secret"}
    if not secrets:
        pytest.skip("the template declares no secret")
    client = aws_client("secretsmanager", enforcing_endpoint, credentials=identities[function_id])
    policy = function_policy(resources, function_id)
    for lid, arn in secrets.items():
        expected = "allowed" if granted(policy, "secretsmanager:GetSecretValue", arn) else "denied"
        # By ARN, as the functions read them, and by name, which moto resolves to the same ARN.
        assert outcome(lambda a=arn: client.get_secret_value(SecretId=a)) == expected, lid
        name = arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
        assert outcome(lambda n=name: client.get_secret_value(SecretId=n)) == expected, lid


def test_the_local_lambda_service_only_describes(stack, enforcing_endpoint):
    resources, _, _, service = stack
    cloudformation = aws_client("cloudformation", enforcing_endpoint, credentials=service)
    assert cloudformation.describe_stacks(StackName=resources.stack_name)["Stacks"]
    dynamodb = aws_client("dynamodb", enforcing_endpoint, credentials=service)
    table = next(iter(resources.tables.values()))
    assert dynamodb.describe_table(TableName=table)["Table"]["TableName"] == table
    assert outcome(lambda: dynamodb.get_item(TableName=table, Key=PROBE_KEY)) == "denied"


# ------------------------------------------------------------------ the audit anchor bucket (docs/decisions/013)
@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_only_the_anchor_writer_may_put_into_the_anchor_bucket_and_nobody_deletes(stack, enforcing_endpoint,
                                                                                  function_id):
    resources, _, identities, _ = stack
    bucket = resources.ref("AuditAnchorBucket")
    s3 = aws_client("s3", enforcing_endpoint, credentials=identities[function_id])
    key = f"heads/probe-{function_id}-{uuid.uuid4().hex[:6]}.json"
    expected = "allowed" if function_id == "AuditAnchorFunction" else "denied"

    assert outcome(lambda: s3.put_object(Bucket=bucket, Key=key, Body=b"{}", IfNoneMatch="*")) == expected
    assert outcome(lambda: s3.delete_object(Bucket=bucket, Key=key)) == "denied"
    assert outcome(lambda: s3.get_object(Bucket=bucket, Key=key)) == "denied"
    # (moto authorises PutObjectRetention as s3:PutObject, so it is not probed here; in AWS it is its
    # own action, which no role holds, and compliance mode refuses shortening a retention anyway.)


def test_an_anchored_head_cannot_be_deleted_or_overwritten_even_by_the_administrator(stack, enforcing_endpoint):
    # Given a head the anchor writer put into the bucket
    resources, admin, identities, _ = stack
    bucket = resources.ref("AuditAnchorBucket")
    writer = aws_client("s3", enforcing_endpoint, credentials=identities["AuditAnchorFunction"])
    key = f"heads/000000000001/{uuid.uuid4().hex}.json"
    writer.put_object(Bucket=bucket, Key=key, Body=b'{"seq": 1}', IfNoneMatch="*")
    s3 = aws_client("s3", enforcing_endpoint, credentials=admin)
    version = s3.head_object(Bucket=bucket, Key=key)
    assert version["ObjectLockMode"] == "COMPLIANCE"

    # Then the writer cannot put the same key again
    with pytest.raises(ClientError) as again:
        writer.put_object(Bucket=bucket, Key=key, Body=b'{"seq": 1, "forged": true}', IfNoneMatch="*")
    assert again.value.response["Error"]["Code"] == "PreconditionFailed"

    # And Object Lock refuses even the administrator (Allow *) to delete the locked version
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"], BypassGovernanceRetention=True)

    # And an unconditional overwrite only adds a version: the anchored one is still there
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"seq": 1, "forged": true}')
    original = s3.get_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])["Body"].read()
    assert original == b'{"seq": 1}'
