"""The ballot path's secrets rotate only between polls: never while a poll is approved, open or
closing, nor while ballots are queued (infra/operations/rotate_ballot_keys.py)."""

from __future__ import annotations

from infra.local.provision import aws_client, provision
from infra.operations import rotate_ballot_keys as rotation


def secret_values(endpoint: str, where: rotation.Targets) -> dict[str, str]:
    client = aws_client("secretsmanager", endpoint)
    return {name: client.get_secret_value(SecretId=arn)["SecretString"] for name, arn in where.secret_arns.items()}


def test_rotation_is_refused_while_a_poll_is_open(pipeline, open_poll):
    where = rotation.targets("aj74-pipeline", pipeline.endpoint, "eu-central-1")
    before = secret_values(pipeline.endpoint, where)

    exit_code = rotation.main(["--stack-name", "aj74-pipeline", "--endpoint-url", pipeline.endpoint])

    assert exit_code == 2
    assert f"poll {open_poll} is open" in rotation.blockers(lambda s: aws_client(s, pipeline.endpoint), where)
    assert secret_values(pipeline.endpoint, where) == before


def test_rotation_between_polls_puts_fresh_values(moto_endpoint):
    provision(moto_endpoint, stack_name="aj74-rotation")
    where = rotation.targets("aj74-rotation", moto_endpoint, "eu-central-1")
    before = secret_values(moto_endpoint, where)

    assert rotation.main(["--stack-name", "aj74-rotation", "--endpoint-url", moto_endpoint]) == 0

    after = secret_values(moto_endpoint, where)
    assert set(after) == {"BallotKeySecret", "BallotMessageKey"}
    assert all(after[name] != before[name] and len(after[name]) == 64 for name in after)
