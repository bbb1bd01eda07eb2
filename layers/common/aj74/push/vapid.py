"""The service's VAPID key (RFC 8292): the push services accept our requests only when signed with
the private key whose public half the browser subscribed with (``applicationServerKey``).

The key lives in Secrets Manager (``VapidKeySecret``). CloudFormation cannot generate an EC key, so
the secret holds either a PEM-encoded P-256 private key (imported with
``python -m infra.operations.vapid``) or, as CloudFormation generates it, 64 random characters from
which the key is derived deterministically (SHA-256 of a label and the secret, reduced to a P-256
scalar). Either way only holders of the secret can sign, and the public key follows from it.
Changing the secret invalidates every subscription (browsers bind them to the public key).

This module needs only ``cryptography`` (the common layer): the API derives the public key here.
Signing requests (``aj74.push.delivery.Signer``, py_vapid) is the sender's, in the push layer
(docs/decisions/020-lambda-layers.md).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from urllib.parse import urlsplit

from aj74.caching import process_cache
from aj74.errors import Unavailable
from aj74.settings import SettingsError, get_settings
from aj74.storage import aws_client

_lock = threading.Lock()
# The order of the P-256 group.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
DERIVATION_LABEL = b"aj74 vapid p-256 v1\x00"
MIN_SEED_LENGTH = 32


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signing_key_from(secret: str):
    """The P-256 private key a secret value stands for (a PEM key, or a seed to derive it from)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    if secret.lstrip().startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(secret.strip().encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise SettingsError("the VAPID secret's PEM key is not a P-256 private key")
        return key
    if len(secret) < MIN_SEED_LENGTH:
        raise SettingsError(f"the VAPID secret is shorter than {MIN_SEED_LENGTH} characters")
    digest = hashlib.sha256(DERIVATION_LABEL + secret.encode("utf-8")).digest()
    scalar = int.from_bytes(digest, "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def public_key_of(key) -> str:
    """The uncompressed public point, base64url: the browser's ``applicationServerKey``."""
    from cryptography.hazmat.primitives import serialization

    return b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint))


@process_cache(maxsize=2)
def _secret_value(arn: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return aws_client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("Сервис уведомлений временно недоступен, повторите попытку позже.") from exc


@process_cache(maxsize=2)
def _key(arn: str):
    return signing_key_from(_secret_value(arn))


def signing_key():
    """The VAPID private key, read once per cold start."""
    arn = get_settings().vapid_key_secret_arn
    if not arn:
        raise SettingsError("environment variable VAPID_KEY_SECRET_ARN is required")
    with _lock:
        return _key(arn)


def public_key() -> str:
    return public_key_of(signing_key())


def subject() -> str:
    """The VAPID ``sub`` claim: how a push service reaches the sender (RFC 8292 §2.1), the resident
    app's https origin; locally (an http origin) a placeholder the push services never see."""
    origin = get_settings().resident_origin or ""
    parts = urlsplit(origin)
    if parts.scheme == "https" and parts.hostname and parts.port is None:
        return f"https://{parts.hostname}"
    return "https://localhost"
