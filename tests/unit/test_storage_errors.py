"""How DynamoDB's refusals reach a client (aj74.storage): transient ones become Unavailable (503, «повторите
попытку»), a failed condition is the caller's to read, anything else is raised as it came."""

from __future__ import annotations

import pytest
from aj74.errors import Unavailable
from aj74.storage import is_condition_failure, raise_unavailable, write_if
from botocore.exceptions import ClientError


def refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "…"}}, "UpdateItem")


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException",
                                  "TransactionConflictException", "InternalServerError"])
def test_a_transient_refusal_asks_the_client_to_retry(code):
    # A write meeting a transaction in flight on the same item (a cashier redeeming while the resident's
    # cancel runs) is transient like throttling: 503, not a 500
    with pytest.raises(Unavailable) as caught:
        raise_unavailable(refusal(code))
    assert "повторите попытку" in str(caught.value)


def test_a_failed_condition_is_the_callers_answer_and_anything_else_is_raised_as_it_came():
    assert write_if(lambda: (_ for _ in ()).throw(refusal("ConditionalCheckFailedException"))) is False
    assert is_condition_failure(refusal("ConditionalCheckFailedException"))
    with pytest.raises(ClientError):
        raise_unavailable(refusal("ValidationException"))
