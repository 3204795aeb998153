"""The caller, from AppSync's ``identity`` object (set by AppSync from verified credentials).

Identity never comes from GraphQL arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.errors import UnauthorizedError
from ..domain.model import Caller, CallerKind


def caller_from_identity(identity: Mapping[str, Any] | None) -> Caller:
    """Map AppSync's identity (reference 5.1) to a Caller.

    API key -> ``None`` identity; Cognito/OIDC -> ``sub`` + ``claims``; IAM ->
    ``accountId``/``userArn``. A Lambda-authorizer identity (``resolverContext``)
    is not an auth mode of this API and is refused.
    """
    if identity is None:
        return Caller(CallerKind.API_KEY)
    if "sub" in identity and "claims" in identity:
        claims = identity.get("claims") or {}
        groups = identity.get("groups") or claims.get("cognito:groups") or []
        if isinstance(groups, str):
            groups = [g for g in groups.split(",") if g]
        username = (
            identity.get("username") or claims.get("cognito:username") or claims.get("username")
        )
        return Caller(
            CallerKind.USER,
            user_id=str(identity["sub"]),
            username=str(username) if username else str(identity["sub"]),
            groups=frozenset(str(g) for g in groups),
        )
    if "accountId" in identity or "userArn" in identity:
        return Caller(CallerKind.IAM, username=identity.get("userArn") or identity.get("username"))
    raise UnauthorizedError("Unsupported identity for this API")
