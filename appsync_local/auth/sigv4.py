"""AWS SigV4 verification for the AWS_IAM mode (HTTP and real-time forms).

We recompute the signature with botocore's own signer over the request as received
(only the headers the client listed in ``SignedHeaders``) and compare in constant time.
"""

from __future__ import annotations

import hmac
import re
import time
from calendar import timegm
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ._types import AuthError
from .config import IamPrincipal

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)
_SERVICE = "appsync"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def _forbidden(message: str, error_type: str = "InvalidSignatureException") -> AuthError:
    # Reference section 2: SigV4 problems are HTTP 403 with x-amzn-ErrorType.
    return AuthError(message, status=403, error_type=error_type)


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


class SigV4Verifier:
    def __init__(self, principals: tuple[IamPrincipal, ...], region: str,
                 max_skew_s: int = 300) -> None:
        self._principals = {p.access_key_id: p for p in principals}
        self._region = region
        self._max_skew_s = max_skew_s

    def verify(self, req: SignedRequest, *, now: float | None = None) -> dict[str, Any]:
        """Verify ``req``; return the IAM ``identity`` (reference 5.1).

        Raises
        ------
        AuthError
            403 ``InvalidSignatureException`` / ``UnrecognizedClientException``.
        """
        m = _AUTH_RE.match(req.headers.get("authorization", ""))
        if m is None:
            raise _forbidden("Authorization header requires 'Credential', 'Signature' and "
                             "'SignedHeaders' parameters.", "IncompleteSignatureException")
        parts = m["cred"].split("/")
        if len(parts) != 5 or parts[4] != "aws4_request":
            raise _forbidden("Credential should be scoped correctly.",
                             "IncompleteSignatureException")
        akid, date, region, service, _ = parts
        principal = self._principals.get(akid)
        if principal is None:
            raise _forbidden("The security token included in the request is invalid.",
                             "UnrecognizedClientException")
        if region != self._region:
            raise _forbidden(f"Credential should be scoped to a valid region, not '{region}'.")
        if service != _SERVICE:
            raise _forbidden(f"Credential should be scoped to correct service: '{_SERVICE}'.")
        amz_date = req.headers.get("x-amz-date", "")
        self._check_date(amz_date, date, now)
        signed = m["signed"].split(";")
        if "host" not in signed:
            raise _forbidden("'Host' must be a 'SignedHeader' in the AWS Authorization.",
                             "IncompleteSignatureException")
        missing = [h for h in signed if h not in req.headers]
        if missing:
            raise _forbidden(_MISMATCH)
        if principal.session_token is not None and not hmac.compare_digest(
            req.headers.get("x-amz-security-token", ""), principal.session_token
        ):
            raise _forbidden("The security token included in the request is invalid.",
                             "UnrecognizedClientException")
        declared = req.headers.get("x-amz-content-sha256")
        if declared is not None and declared != sha256(req.body).hexdigest():
            raise _forbidden("The provided 'x-amz-content-sha256' header does not match "
                             "what was computed.")
        expected = self._signature(principal, req, signed, amz_date)
        if not hmac.compare_digest(expected, m["sig"].lower()):
            raise _forbidden(_MISMATCH)
        return _identity(principal)

    def _check_date(self, amz_date: str, scope_date: str, now: float | None) -> None:
        try:
            ts = timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise _forbidden("Authorization header requires existence of either a "
                             "'X-Amz-Date' or a 'Date' header.",
                             "IncompleteSignatureException") from None
        if not amz_date.startswith(scope_date):
            raise _forbidden(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                             f"version of date from HTTP: '{scope_date}' != '{amz_date[:8]}'")
        current = time.time() if now is None else now
        if abs(current - ts) > self._max_skew_s:
            raise _forbidden(
                f"Signature expired: {amz_date} is now earlier or later than the allowed "
                f"{self._max_skew_s} s window around "
                f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(current))}."
            )

    def _signature(self, principal: IamPrincipal, req: SignedRequest, signed: list[str],
                   amz_date: str) -> str:
        creds = Credentials(principal.access_key_id, principal.secret_access_key,
                            principal.session_token)
        signer = SigV4Auth(creds, _SERVICE, self._region)
        host = req.headers["host"]
        url = f"http://{host}{req.path}" + (f"?{req.query_string}" if req.query_string else "")
        aws_req = AWSRequest(method=req.method, url=url,
                             headers={h: req.headers[h] for h in signed}, data=req.body)
        aws_req.context["timestamp"] = amz_date
        canonical = signer.canonical_request(aws_req)
        return str(signer.signature(signer.string_to_sign(aws_req, canonical), aws_req))


def _identity(p: IamPrincipal) -> dict[str, Any]:
    # Reference 5.1 IAM identity; sourceIp is filled in by the authenticator.
    return {
        "accountId": p.account_id,
        "cognitoIdentityAuthProvider": None,
        "cognitoIdentityAuthType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "sourceIp": [],
        "userArn": p.user_arn or f"arn:aws:iam::{p.account_id}:user/{p.access_key_id}",
        "username": p.username or p.access_key_id,
    }
