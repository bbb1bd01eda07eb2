"""What a browser does to the local S3, answered as S3 answers it (docs/decisions/016-images.md).

Uploads. moto stores whatever a form POST sends: it ignores the policy's expiry and conditions
(size range, Content-Type, key) and, with IAM enforcement on (infra/local/iam.py), fails every
form POST since a browser sends no Authorization header. S3 instead authenticates such a request
by the form: the policy's SigV4 signature with the signer's key, then the signer's s3:PutObject on
the key, then the policy itself. So the admin site uploads images to the local stack as it does to
AWS, and an oversized file is refused by the policy locally too.

Reads and preflights. With enforcement on, moto answers an anonymous GET (an ``<img src>``) or a
CORS preflight (an upload with a progress listener) with a 500. S3 answers a preflight from the
bucket's CORS rules alone, and authorises an anonymous read by the bucket policy alone: allowed
where the policy grants ``*`` (locally the images' ``media/``, standing in for CloudFront, see
infra/local/buckets.py), AccessDenied elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

# Form fields no condition needs to cover (S3's rules for browser-based uploads).
UNCOVERED = {"policy", "x-amz-signature", "file"}


class PolicyError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _field(form: dict[str, str], name: str) -> str | None:
    lowered = {k.lower(): v for k, v in form.items()}
    return lowered.get(name.lower())


def check_policy(form: dict[str, str], bucket: str, size: int, now: datetime | None = None) -> dict:
    """The decoded policy when the form satisfies it; PolicyError as S3 would answer otherwise."""
    try:
        policy = json.loads(base64.b64decode(form["policy"]))
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        conditions = policy["conditions"]
    except Exception:
        raise PolicyError(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if (now or datetime.now(UTC)) >= expiration:
        raise PolicyError(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = {**{k: v for k, v in form.items()}, "bucket": bucket}
    covered = set()
    for condition in conditions:
        if isinstance(condition, dict):
            ((name, expected),) = condition.items()
            condition = ["eq", f"${name}", expected]
        op = str(condition[0]).lower()
        if op == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise PolicyError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if size < low:
                raise PolicyError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum size")
            continue
        name = str(condition[1]).lstrip("$")
        covered.add(name.lower())
        actual = _field(values, name)
        if actual is None or (op == "eq" and actual != condition[2]) or (
                op == "starts-with" and not actual.startswith(condition[2])):
            raise PolicyError(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")
    extra = [k for k in form if k.lower() not in covered | UNCOVERED and not k.lower().startswith("x-ignore-")]
    if extra:
        raise PolicyError(403, "AccessDenied",
                          f"Invalid according to Policy: Extra input fields: {', '.join(sorted(extra))}")
    return policy


def signature(secret_key: str, credential: str, policy_b64: str) -> str:
    """SigV4 of a POST policy: the string to sign is the base64 policy itself."""
    _, date, region, service, _ = credential.split("/")
    key = ("AWS4" + secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()


def _authorise(response: Any, form: dict[str, str], bucket: str) -> None:
    """The signer's key signed the policy and may put the key (IAM enforcement on only)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import CreateAccessKeyFailure, IAMPolicy, PermissionResult, create_access_key

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        return  # moto authorises nothing yet (as for every other request)
    credential = _field(form, "x-amz-credential") or ""
    headers = {}
    if _field(form, "x-amz-security-token"):
        headers["X-Amz-Security-Token"] = _field(form, "x-amz-security-token")
    try:
        access_key = create_access_key(response.current_account, "aws", credential.split("/")[0], headers)
    except (CreateAccessKeyFailure, IndexError):
        raise PolicyError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist.") from None
    expected = signature(access_key._secret_access_key, credential, form["policy"])
    if not hmac.compare_digest(expected, _field(form, "x-amz-signature") or ""):
        raise PolicyError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    resource = f"arn:aws:s3:::{bucket}/{form['key']}"
    permitted = False
    for policy in access_key.collect_policies():
        result = IAMPolicy(policy).is_action_permitted("s3:PutObject", resource)
        if result == PermissionResult.DENIED:
            permitted = False
            break
        permitted = permitted or result == PermissionResult.PERMITTED
    if not permitted:
        raise PolicyError(403, "AccessDenied", "Access Denied")


def _error(exc: PolicyError) -> tuple[int, dict, str]:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{exc.code}</Code>'
            f"<Message>{exc.message}</Message></Error>")
    return exc.status, {"Content-Type": "application/xml"}, body


def _anonymous(response: Any) -> bool:
    query = response.querystring or {}
    return "Authorization" not in response.headers and not ({"X-Amz-Signature", "Signature"} & set(query))


def _authorise_anonymous_reads(S3Response) -> None:
    original = S3Response._authenticate_and_authorize_s3_action
    if getattr(original, "__anonymous__", False):
        return

    def authorise(self: Any, bucket_name: str | None = None, key_name: str | None = None) -> None:
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin
        from moto.iam.access_control import PermissionResult
        from moto.s3.exceptions import S3AccessDeniedError

        enforcing = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
        if not (enforcing and _anonymous(self)):
            return original(self, bucket_name=bucket_name, key_name=key_name)
        if self.method == "OPTIONS":
            return None  # a CORS preflight carries no credentials; the bucket's CORS rules answer it
        if self.method in ("GET", "HEAD") and bucket_name and key_name:
            try:
                bucket = self.backend.get_bucket(bucket_name)
            except Exception:
                raise S3AccessDeniedError() from None
            resource = f"arn:aws:s3:::{bucket_name}/{key_name}"
            if bucket.get_permission("s3:GetObject", resource) == PermissionResult.PERMITTED:
                return None
        raise S3AccessDeniedError()

    authorise.__anonymous__ = True
    S3Response._authenticate_and_authorize_s3_action = authorise


def install() -> None:
    """Check the policy of every form POST that carries one, before moto stores the object, and
    authorise anonymous reads by the bucket policy."""
    from moto.s3.responses import S3Response

    _authorise_anonymous_reads(S3Response)

    original = S3Response._bucket_response_post
    if getattr(original, "__post_policy__", False):
        return

    def post(self: Any, request: Any, bucket_name: str):
        form = dict(self.form_data or {})
        if "policy" not in form or "key" not in form:
            return original(self, request, bucket_name)
        body = self.raw_body if isinstance(self.raw_body, bytes) else str(self.body or "").encode()
        try:
            check_policy(form, bucket_name, len(body))
            _authorise(self, form, bucket_name)
        except PolicyError as exc:
            status, headers, text = _error(exc)
            return status, {**headers, **self._get_cors_headers_other()}, text
        # Authenticated by the form: moto's header check would refuse a request with no Authorization.
        self._authenticate_and_authorize_s3_action = lambda **kw: None
        status, headers, text = original(self, request, bucket_name)
        return status, {**headers, **self._get_cors_headers_other()}, text

    post.__post_policy__ = True
    S3Response._bucket_response_post = post
