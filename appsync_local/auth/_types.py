"""Auth value types shared by the HTTP endpoint, the engine and the real-time hub.

Kept free of crypto and I/O so any module can import them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AuthMode(StrEnum):
    """AppSync authorization types (the CloudFormation ``AuthenticationType`` values)."""

    API_KEY = "API_KEY"
    AMAZON_COGNITO_USER_POOLS = "AMAZON_COGNITO_USER_POOLS"
    AWS_IAM = "AWS_IAM"
    OPENID_CONNECT = "OPENID_CONNECT"
    AWS_LAMBDA = "AWS_LAMBDA"


@dataclass(frozen=True)
class RequestAuth:
    """The outcome of authenticating one request (or one real-time connect/start).

    ``identity`` is exactly the Direct Lambda ``identity`` object for the mode
    (reference 5.1): ``None`` for API_KEY.  ``groups`` is the caller's Cognito/OIDC
    group list, used by the ``cognito_groups`` directive rule.
    """

    mode: AuthMode
    identity: dict[str, Any] | None = None
    groups: tuple[str, ...] = ()
    # Cognito pool's DefaultAction (ALLOW/DENY) when the caller used the default Cognito pool.
    default_action: str = "ALLOW"


class AuthError(Exception):
    """A request-level rejection: the whole request fails with ``status``.

    AppSync answers 401 ``UnauthorizedException`` for missing/invalid credentials and
    403 with ``x-amzn-ErrorType`` for SigV4 problems (reference section 2).
    """

    def __init__(self, message: str, *, status: int = 401,
                 error_type: str = "UnauthorizedException") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type

    def to_body(self) -> dict[str, Any]:
        """The AppSync JSON body for this rejection."""
        return {"errors": [{"errorType": self.error_type, "message": self.message}]}

    def headers(self) -> dict[str, str]:
        """Extra response headers (``x-amzn-ErrorType`` as AppSync sends it)."""
        return {"x-amzn-ErrorType": self.error_type} if self.status == 403 else {}
