"""The two secrets of the ballot path, read from AWS Secrets Manager once per cold start.

- The ballot-key secret turns (poll, resident) into a ballot key; only the API reads it (the
  secret's resource policy names the API's role alone, and CloudTrail logs every read).
- The message key authenticates ballot queue messages; the API and the consumer read it.

Neither is ever an environment value or a template parameter: the environment holds only the
secrets' ARNs (docs/decisions/012-ballot-secrecy-and-integrity.md).
"""

from __future__ import annotations

import threading

from aj74.caching import process_cache
from aj74.errors import Unavailable
from aj74.settings import SettingsError, get_settings
from aj74.storage import aws_client

_lock = threading.Lock()
MIN_SECRET_BYTES = 32


@process_cache(maxsize=4)
def _secret(arn: str) -> bytes:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = aws_client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"].encode("utf-8")
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("Сервис временно недоступен, повторите попытку через несколько секунд.") from exc
    if len(value) < MIN_SECRET_BYTES:
        raise SettingsError(f"secret {arn} is shorter than {MIN_SECRET_BYTES} bytes")
    return value


def _read(arn: str, variable: str) -> bytes:
    if not arn:
        raise SettingsError(f"environment variable {variable} is required")
    with _lock:  # one GetSecretValue per secret and cold start, even under concurrent requests
        return _secret(arn)


def ballot_key_secret() -> bytes:
    return _read(get_settings().ballot_key_secret_arn, "BALLOT_KEY_SECRET_ARN")


def message_key() -> bytes:
    return _read(get_settings().ballot_message_key_arn, "BALLOT_MESSAGE_KEY_ARN")
