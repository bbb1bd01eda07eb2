"""moto's server, with DynamoDB requests serialised so that transactions are atomic and isolated.

moto applies a TransactWriteItems item by item and rolls back by swapping in deep copies of whole
tables, with no lock: under concurrent requests a failed transaction's rollback can erase another
request's committed write, and a failed transaction's items can survive (we saw debits of
cancelled orders stay). DynamoDB guarantees all-or-nothing, serialisable transactions; one lock
around the backend's item operations makes the local AWS keep that promise. moto serves requests
on threads that share one interpreter, so the lock costs little throughput.

It also makes moto's IAM-like access control (off until the local stack turns it on through
``/moto-api/reset-auth``, see infra/local/iam.py) check the resource of a request, as IAM does.
moto itself names a resource only for SQS queues (and IAM roles): every DynamoDB, SNS or Secrets
Manager request is checked against ``*``, so a statement granting an action on a table's ARN never
matches and only ``Resource: "*"`` grants would work. :func:`authorisation_checks` names the
resources, and the actions IAM checks, of the calls our functions make:

- DynamoDB: the table (``table/<name>``), its index for a Query or Scan with ``IndexName``
  (``table/<name>/index/<index>``), every table of a BatchGetItem/BatchWriteItem, and each item of a
  transaction with the item's own action (PutItem, UpdateItem, DeleteItem, ConditionCheckItem,
  GetItem), as TransactWriteItems and TransactGetItems have no action of their own;
- SQS: the queue, with the action IAM checks for a batch call (SendMessageBatch needs
  sqs:SendMessage, DeleteMessageBatch sqs:DeleteMessage, ChangeMessageVisibilityBatch
  sqs:ChangeMessageVisibility), and the queue named by GetQueueUrl/CreateQueue;
- SNS: the topic (``TopicArn``, or ``TargetArn`` of a Publish; PublishBatch needs sns:Publish);
- Secrets Manager: the secret's full ARN, whether the caller named it by name or ARN.

Any other request keeps moto's own resource (``*`` for most), so only ``Resource: "*"`` grants it.

Run as ``python -m infra.local.moto_server -H 127.0.0.1 -p 4566`` (moto_server's arguments).
"""

from __future__ import annotations

import functools
import json
import sys
import threading
from typing import Any

# Every operation that reads or writes items; get_item is also called inside transactions (RLock).
SERIALISED = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
              "batch_write_item", "transact_get_items", "transact_write_items")


def serialise_dynamodb() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in SERIALISED:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "__serialised__", False):
            continue

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with lock:
                return __original(self, *args, **kwargs)

        locked.__serialised__ = True
        setattr(DynamoDBBackend, name, locked)


SQS_BATCH_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
TRANSACT_WRITE_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                          "ConditionCheck": "ConditionCheckItem"}


def _dynamodb_table_arn(response, name: str) -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:aws:dynamodb:{response.region}:{response.current_account}:table/{name}"


def _dynamodb_checks(response, action: str) -> list[tuple[str, str]]:
    body = getattr(response, "params", None) or {}
    if not body and getattr(response, "raw_body", None):
        try:
            body = json.loads(response.raw_body)
        except ValueError:
            body = {}
    if action in ("BatchGetItem", "BatchWriteItem"):
        return [(action, _dynamodb_table_arn(response, t)) for t in body.get("RequestItems") or {}] or [(action, "*")]
    if action in ("TransactWriteItems", "TransactGetItems"):
        checks = []
        for item in body.get("TransactItems") or []:
            for kind, operation in item.items():
                item_action = "GetItem" if action == "TransactGetItems" else TRANSACT_WRITE_ACTIONS.get(kind, kind)
                checks.append((item_action, _dynamodb_table_arn(response, operation["TableName"])))
        return checks or [(action, "*")]
    if body.get("TableName"):
        arn = _dynamodb_table_arn(response, body["TableName"])
        if body.get("IndexName") and action in ("Query", "Scan"):
            arn = f"{arn}/index/{body['IndexName']}"
        return [(action, arn)]
    for key in ("ResourceArn", "TableArn", "StreamArn"):
        if body.get(key):
            return [(action, body[key])]
    return [(action, "*")]


def _sqs_checks(response, action: str, resource: str) -> list[tuple[str, str]]:
    if action in ("GetQueueUrl", "CreateQueue") and response._get_param("QueueName"):
        owner = response._get_param("QueueOwnerAWSAccountId") or response.current_account
        resource = f"arn:aws:sqs:{response.region}:{owner}:{response._get_param('QueueName')}"
    return [(SQS_BATCH_ACTIONS.get(action, action), resource)]


def _sns_checks(response, action: str) -> list[tuple[str, str]]:
    topic = response._get_param("TopicArn") or (response._get_param("TargetArn") if action == "Publish" else None)
    return [("Publish" if action == "PublishBatch" else action, topic or "*")]


def _secretsmanager_checks(response, action: str) -> list[tuple[str, str]]:
    from moto.secretsmanager.models import secretsmanager_backends

    secret_id = response._get_param("SecretId")
    if not secret_id:
        return [(action, "*")]
    backend = secretsmanager_backends[response.current_account][response.region]
    secret = backend.secrets.get(secret_id)
    if secret is not None:
        return [(action, secret.arn)]
    if secret_id.startswith("arn:"):
        return [(action, secret_id)]
    return [(action, f"arn:aws:secretsmanager:{response.region}:{response.current_account}:secret:{secret_id}")]


def authorisation_checks(response, resource: str) -> list[tuple[str, str]]:
    """The (action without its service prefix, resource ARN) pairs IAM checks for one request."""
    from moto.dynamodb.responses import DynamoHandler
    from moto.secretsmanager.responses import SecretsManagerResponse
    from moto.sns.responses import SNSResponse
    from moto.sqs.responses import SQSResponse

    action = response._get_action()
    if isinstance(response, DynamoHandler):
        return _dynamodb_checks(response, action)
    if isinstance(response, SQSResponse):
        return _sqs_checks(response, action, resource)
    if isinstance(response, SNSResponse):
        return _sns_checks(response, action)
    if isinstance(response, SecretsManagerResponse):
        return _secretsmanager_checks(response, action)
    return [(action, resource)]


def _access_denied(response, request, resource: str) -> Exception:
    """AWS's refusal, naming the action and the resource (moto's names the action only), in the
    request's protocol: a JSON service's client reads the error code only from a JSON body."""
    from moto.core.exceptions import JsonRESTError
    from moto.core.exceptions import _RESTError as RESTError

    message = (f"User: {request._access_key.arn} is not authorized to perform: {request._action} "
               f"on resource: {resource} because no identity-based policy allows the {request._action} action")
    # One line per refusal in moto's log: the permission gaps of a run, greppable ("AccessDenied").
    print(f"AccessDenied {request._access_key.arn} {request._action} {resource}", file=sys.stderr, flush=True)
    if "amz-json" in (response.headers.get("Content-Type") or ""):
        error_type = "AccessDenied" if request._action.startswith("sqs:") else "AccessDeniedException"
        error = JsonRESTError(error_type, message)
        error.code = 400
        return error
    error = RESTError("AccessDenied", message)
    error.code = 403
    return error


def _in_protocol(response, error) -> Exception:
    """moto's authentication errors are XML; a JSON service's client needs them as JSON to read the code."""
    from moto.core.exceptions import JsonRESTError

    if "amz-json" not in (response.headers.get("Content-Type") or ""):
        return error
    converted = JsonRESTError(error.error_type, error.message)
    converted.code = error.code
    return converted


def authorise_resources() -> None:
    """Replace moto's per-request authorisation with one that checks every (action, resource) pair."""
    from urllib.parse import urlparse

    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import AccessDeniedError
    from moto.core.exceptions import _RESTError as RESTError  # the base of its authentication errors
    from moto.core.responses import BaseResponse
    from moto.iam.access_control import IAMRequest

    if getattr(BaseResponse._authenticate_and_authorize_normal_action, "__resources__", False):
        return

    def authorise(self: Any, resource: str = "*") -> None:
        if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
            ActionAuthenticatorMixin.request_count += 1
            return
        if self.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
            return
        path = self.raw_path
        if urlparse(self.uri).query:
            path += "?" + urlparse(self.uri).query
        for index, (action, arn) in enumerate(authorisation_checks(self, resource)):
            try:
                request = IAMRequest(account_id=self.current_account, method=self.method, path=path,
                                     data=self.data, body=self.raw_body, headers=self.headers, action=action)
                if index == 0:
                    request.check_signature()
            except RESTError as error:  # unknown key, bad signature
                raise _in_protocol(self, error) from None
            try:
                request.check_action_permitted(arn)
            except AccessDeniedError:
                raise _access_denied(self, request, arn) from None

    authorise.__resources__ = True
    BaseResponse._authenticate_and_authorize_normal_action = authorise


def main(argv: list[str] | None = None) -> None:
    serialise_dynamodb()
    authorise_resources()
    from infra.local import s3_browser

    s3_browser.install()  # browser uploads (presigned POST) checked as S3 checks them
    from moto.server import main as moto_main

    moto_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
