"""Authentication (API key, Cognito, OIDC, IAM) and AppSync's directive-based authorization."""

from __future__ import annotations

from ._types import AuthError, AuthMode, RequestAuth
from .authenticator import Authenticator
from .config import ApiKey, AuthConfig, IamPrincipal, OidcProvider, UserPoolProvider

__all__ = [
    "ApiKey",
    "AuthConfig",
    "AuthError",
    "AuthMode",
    "Authenticator",
    "IamPrincipal",
    "OidcProvider",
    "RequestAuth",
    "UserPoolProvider",
]
