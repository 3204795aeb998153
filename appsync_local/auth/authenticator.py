"""Request authentication: multi-auth mode detection + verification per mode.

Detection follows reference section 2: ``x-api-key`` -> API_KEY; ``Authorization``
starting ``AWS4-HMAC-SHA256`` -> AWS_IAM; a JWT whose ``iss`` is a configured user
pool -> Cognito, an OIDC issuer -> OIDC; anything else is rejected (the AWS_LAMBDA
authorizer is not emulated).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Mapping

from ._types import AuthError, AuthMode, RequestAuth
from .config import AuthConfig
from .jwt_verifier import INVALID, UNPARSABLE, JwtVerifier, peek_issuer
from .sigv4 import SignedRequest, SigV4Verifier

logger = logging.getLogger(__name__)

MISSING = "Missing authorization header"
API_KEY_DENIED = "You are not authorized to make this call."


class Authenticator:
    """Verifies credentials for HTTP requests and real-time connect/start messages."""

    def __init__(self, config: AuthConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self._clock = clock
        self._jwt = JwtVerifier(config.user_pools, config.oidc, leeway_s=config.jwt_leeway_s,
                                timeout_s=config.jwks_timeout_s)
        self._sigv4 = SigV4Verifier(config.iam_principals, config.region,
                                    config.max_clock_skew_s)

    def authenticate_http(self, headers: Mapping[str, str], body: bytes, *,
                          method: str = "POST", path: str = "/graphql", host: str | None = None,
                          query_string: str = "", source_ip: str | None = None) -> RequestAuth:
        """Authenticate an HTTP GraphQL request.

        Raises
        ------
        AuthError
            401 ``UnauthorizedException`` or 403 for SigV4 problems.
        """
        lower = {k.lower(): v for k, v in headers.items()}
        if host is not None:
            lower.setdefault("host", host)
        req = SignedRequest(method, path, query_string, lower, body)
        return self._authenticate(lower, req, _source_ips(lower, source_ip))

    def authenticate_realtime(self, header: Mapping[str, str], *, body: str, path: str,
                              source_ip: str | None = None) -> RequestAuth:
        """Authenticate the decoded real-time header object.

        ``path`` is ``/graphql/connect`` with body ``"{}"`` for the connection, ``/graphql``
        with body = ``payload.data`` for a ``start`` (reference 1.2).
        """
        lower = {k.lower(): str(v) for k, v in header.items()}
        req = SignedRequest("POST", path, "", lower, body.encode())
        return self._authenticate(lower, req, _source_ips(lower, source_ip))

    def _authenticate(self, h: Mapping[str, str], req: SignedRequest,
                      source_ips: list[str]) -> RequestAuth:
        enabled = self.config.enabled_modes
        api_key = h.get("x-api-key")
        authz = h.get("authorization", "").strip()
        if api_key is not None:
            if AuthMode.API_KEY not in enabled:
                raise AuthError(API_KEY_DENIED)
            return self._api_key(api_key)
        if authz.startswith("AWS4-HMAC-SHA256"):
            if AuthMode.AWS_IAM not in enabled:
                raise AuthError(INVALID)
            identity = self._sigv4.verify(req, now=self._clock())
            identity["sourceIp"] = source_ips
            return RequestAuth(AuthMode.AWS_IAM, identity)
        if not authz:
            raise AuthError(MISSING)
        if authz.lower().startswith("bearer "):
            # AppSync wants the raw JWT (reference section 2); a Bearer prefix fails there too.
            raise AuthError(UNPARSABLE)
        issuer = peek_issuer(authz)
        mode = self._jwt.provider_for(issuer)
        if mode is AuthMode.AMAZON_COGNITO_USER_POOLS and mode in enabled and issuer:
            return self._jwt.verify_cognito(authz, issuer, source_ips)
        if mode is AuthMode.OPENID_CONNECT and mode in enabled and issuer:
            return self._jwt.verify_oidc(authz, issuer)
        if AuthMode.AWS_LAMBDA in enabled:
            logger.warning("AWS_LAMBDA authorizers are not emulated; request rejected")
        raise AuthError(UNPARSABLE if issuer is None else INVALID)

    def _api_key(self, value: str) -> RequestAuth:
        now = self._clock()
        for key in self.config.api_keys:
            if hmac.compare_digest(key.value, value):
                if key.expires is not None and key.expires <= now:
                    raise AuthError(API_KEY_DENIED)
                return RequestAuth(AuthMode.API_KEY, None)
        raise AuthError(API_KEY_DENIED)


def _source_ips(h: Mapping[str, str], peer: str | None) -> list[str]:
    forwarded = [p.strip() for p in h.get("x-forwarded-for", "").split(",") if p.strip()]
    return forwarded or ([peer] if peer else [])
