"""SNS subscriptions of template.yaml, created in the local AWS as CloudFormation would.

moto's CloudFormation skips ``AWS::SNS::Subscription`` (and ``AWS::SQS::QueuePolicy``, whose
permission moto's SNS does not check), so the provisioner subscribes here: the same topic, protocol,
endpoint and ``RawMessageDelivery``. moto's SNS then delivers each publication to the queue, as AWS
does (BulletinTopic → PushQueue, docs/decisions/018-web-push.md).
"""

from __future__ import annotations

from typing import Any

SUBSCRIPTION = "AWS::SNS::Subscription"


def declared(template: dict[str, Any]) -> dict[str, dict]:
    return {lid: r.get("Properties") or {} for lid, r in (template.get("Resources") or {}).items()
            if r.get("Type") == SUBSCRIPTION}


def create(resources, sns) -> dict[str, str]:
    """Subscribe every declared subscription; returns logical id → subscription ARN."""
    arns = {}
    for lid, props in declared(resources.template).items():
        attributes = {}
        if str(props.get("RawMessageDelivery", "false")).lower() == "true":
            attributes["RawMessageDelivery"] = "true"
        if "FilterPolicy" in props:
            import json

            attributes["FilterPolicy"] = json.dumps(resources.resolve(props["FilterPolicy"]))
        arns[lid] = sns.subscribe(TopicArn=str(resources.resolve(props["TopicArn"])), Protocol=props["Protocol"],
                                  Endpoint=str(resources.resolve(props["Endpoint"])), Attributes=attributes,
                                  ReturnSubscriptionArn=True)["SubscriptionArn"]
    return arns
