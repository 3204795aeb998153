"""Cognito user pool and OIDC token verification (RS256 against the issuer's JWKS).

JWKS documents are fetched once per URL and cached; an unknown ``kid`` triggers one
re-fetch (key rotation) at most every ``_REFETCH_INTERVAL_S`` seconds.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.request
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jwt
from jwt import PyJWK

from ._types import AuthError, AuthMode, RequestAuth
from .config import OidcProvider, UserPoolProvider

logger = logging.getLogger(__name__)
_REFETCH_INTERVAL_S = 30.0

# AppSync's wording for token problems (reference section 2; "Token has expired." is U).
INVALID = "Valid authorization header not provided."
UNPARSABLE = "Unable to parse JWT token."
EXPIRED = "Token has expired."


def peek_issuer(token: str) -> str | None:
    """The unverified ``iss`` claim, used only to pick the provider (multi-auth detection)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    iss = claims.get("iss")
    return iss if isinstance(iss, str) else None


class JwksCache:
    def __init__(self, timeout_s: float = 5.0) -> None:
        self._timeout_s = timeout_s
        self._keys: dict[str, dict[str, PyJWK]] = {}
        self._fetched_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def key(self, url: str, kid: str | None) -> PyJWK:
        keys = self._keys.get(url)
        if keys is None or (kid not in keys and self._may_refetch(url)):
            keys = self._fetch(url)
        return _pick(keys, kid)

    def _may_refetch(self, url: str) -> bool:
        return time.monotonic() - self._fetched_at.get(url, 0.0) > _REFETCH_INTERVAL_S

    def _fetch(self, url: str) -> dict[str, PyJWK]:
        with self._lock:
            try:
                # S310: the URL comes from the runtime's own configuration, not from a request.
                with urllib.request.urlopen(url, timeout=self._timeout_s) as resp:  # noqa: S310
                    doc = json.load(resp)
            except (OSError, ValueError) as exc:
                logger.error("cannot fetch JWKS from %s: %s", url, exc)
                raise AuthError(INVALID) from exc
            keys = parse_jwks(doc)
            self._keys[url] = keys
            self._fetched_at[url] = time.monotonic()
            return keys


def parse_jwks(doc: Mapping[str, Any]) -> dict[str, PyJWK]:
    out: dict[str, PyJWK] = {}
    for raw in doc.get("keys", []):
        try:
            out[str(raw.get("kid", ""))] = PyJWK.from_dict(dict(raw))
        except jwt.PyJWTError as exc:
            logger.warning("ignoring unusable JWK %s: %s", raw.get("kid"), exc)
    return out


def _pick(keys: Mapping[str, PyJWK], kid: str | None) -> PyJWK:
    if kid is not None and kid in keys:
        return keys[kid]
    if kid is None and len(keys) == 1:
        return next(iter(keys.values()))
    raise AuthError(INVALID)


class JwtVerifier:
    def __init__(self, user_pools: tuple[UserPoolProvider, ...], oidc: tuple[OidcProvider, ...],
                 *, leeway_s: int = 0, timeout_s: float = 5.0) -> None:
        self._pools = {p.issuer: p for p in user_pools}
        self._default_pool = user_pools[0].issuer if user_pools else None
        self._oidc = {p.issuer.rstrip("/"): p for p in oidc}
        self._leeway = leeway_s
        self._jwks = JwksCache(timeout_s)
        self._inline: dict[str, dict[str, PyJWK]] = {}

    def provider_for(self, issuer: str | None) -> AuthMode | None:
        if issuer in self._pools:
            return AuthMode.AMAZON_COGNITO_USER_POOLS
        if issuer is not None and issuer.rstrip("/") in self._oidc:
            return AuthMode.OPENID_CONNECT
        return None

    def verify_cognito(self, token: str, issuer: str, source_ip: list[str]) -> RequestAuth:
        pool = self._pools[issuer]
        claims = self._decode(token, issuer, pool.jwks, pool.jwks_url)
        is_id_token = claims.get("token_use") == "id"
        if claims.get("token_use") not in ("id", "access"):
            raise AuthError(INVALID)
        # Cognito puts the app client in `aud` (id tokens) or `client_id` (access tokens).
        client = claims.get("aud" if is_id_token else "client_id")
        if pool.client_ids and client not in pool.client_ids:
            raise AuthError(INVALID)
        if pool.app_id_client_regex and not re.fullmatch(pool.app_id_client_regex,
                                                         str(client)):
            raise AuthError(INVALID)
        groups = claims.get("cognito:groups")
        username = claims.get("cognito:username" if is_id_token else "username")
        action = pool.default_action if issuer == self._default_pool else "ALLOW"
        identity = {
            "sub": claims.get("sub"),
            "issuer": issuer,
            "username": username,
            "claims": claims,
            "sourceIp": source_ip,
            "defaultAuthStrategy": action,
            "groups": list(groups) if isinstance(groups, list) else None,
        }
        return RequestAuth(AuthMode.AMAZON_COGNITO_USER_POOLS, identity,
                           tuple(identity["groups"] or ()), action)

    def verify_oidc(self, token: str, issuer: str) -> RequestAuth:
        prov = self._oidc[issuer.rstrip("/")]
        url = prov.jwks_url or _discover_jwks_url(prov.issuer)
        claims = self._decode(token, issuer, prov.jwks, url)
        if prov.client_id and prov.client_id not in _audiences(claims):
            raise AuthError(INVALID)
        now = time.time()
        if prov.iat_ttl_ms and now - float(claims.get("iat", 0)) > prov.iat_ttl_ms / 1000:
            raise AuthError(EXPIRED)
        if prov.auth_ttl_ms and now - float(claims.get("auth_time", 0)) > prov.auth_ttl_ms / 1000:
            raise AuthError(EXPIRED)
        groups = claims.get("groups") or claims.get("cognito:groups")
        identity = {"sub": claims.get("sub"), "issuer": issuer, "claims": claims}
        return RequestAuth(AuthMode.OPENID_CONNECT, identity,
                           tuple(groups) if isinstance(groups, list) else ())

    def _decode(self, token: str, issuer: str, inline: Mapping[str, object] | None,
                url: str | None) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError(UNPARSABLE) from None
        kid = header.get("kid")
        if inline is not None:
            keys = self._inline.setdefault(issuer, parse_jwks(inline))
            key = _pick(keys, kid)
        elif url is not None:
            key = self._jwks.key(url, kid)
        else:
            logger.error("no JWKS configured for issuer %s", issuer)
            raise AuthError(INVALID)
        try:
            return jwt.decode(
                token, key, algorithms=["RS256"], issuer=issuer, leeway=self._leeway,
                options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError(EXPIRED) from None
        except jwt.PyJWTError as exc:
            logger.info("JWT rejected: %s", exc)
            raise AuthError(INVALID) from None


def _audiences(claims: Mapping[str, Any]) -> set[str]:
    aud = claims.get("aud")
    out = set(aud) if isinstance(aud, list) else {aud} if isinstance(aud, str) else set()
    if isinstance(claims.get("client_id"), str):
        out.add(claims["client_id"])
    return out


@lru_cache(maxsize=16)  # failures raise and are therefore retried, successes are kept
def _discover_jwks_url(issuer: str) -> str:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (configured issuer)
            return str(json.load(resp)["jwks_uri"])
    except (OSError, ValueError, KeyError) as exc:
        logger.error("OIDC discovery failed for %s: %s", issuer, exc)
        raise AuthError(INVALID) from exc
