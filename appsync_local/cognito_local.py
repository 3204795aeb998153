"""A local Cognito identity provider: moto's server, provisioned from the template.

boto3's `cognito-idp` client talks to it unchanged (`endpoint_url=` or
`AWS_ENDPOINT_URL_COGNITO_IDP`): InitiateAuth with USER_PASSWORD_AUTH returns RS256
JWTs whose `iss` is the AWS form `https://cognito-idp.{region}.amazonaws.com/{poolId}`,
and the keys are served at `{endpoint}/{poolId}/.well-known/jwks.json`.

Stable identities across restarts, which moto alone does not give:
* pool and client ids: moto's HASH id strategy derives them from the pool/client
  configuration, so the same template yields the same ids on every start (a changed
  pool configuration yields new ids: clients must read runtime.json again);
* users: snapshotted to ``{state}/cognito/users.json`` (with their `sub`, groups and
  passwords: local dev data, file mode 0600) and restored on start.
Tokens are signed with moto's built-in key, so an id/access token from a previous run
stays valid for the API until it expires; refresh tokens do not survive a restart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from . import _cognito_users
from ._moto import MotoServer
from .api_model import UserPoolClientSpec, UserPoolGroupSpec, UserPoolSpec
from .state import read_json, write_json_atomic

logger = logging.getLogger(__name__)

# CreateUserPool / CreateUserPoolClient accept these CloudFormation properties as they are.
_POOL_PROPS = (
    "Policies", "DeletionProtection", "AutoVerifiedAttributes", "AliasAttributes",
    "UsernameAttributes", "SmsVerificationMessage", "EmailVerificationMessage",
    "EmailVerificationSubject", "VerificationMessageTemplate", "SmsAuthenticationMessage",
    "MfaConfiguration", "UserAttributeUpdateSettings", "DeviceConfiguration",
    "UserPoolTags", "AdminCreateUserConfig", "Schema", "UsernameConfiguration",
    "AccountRecoverySetting",
)
_CLIENT_PROPS = (
    "GenerateSecret", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
    "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows",
    "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
    "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
    "PreventUserExistenceErrors", "EnableTokenRevocation", "AuthSessionValidity",
)
# Credentials for the admin calls: moto accepts anything; fixed so no real ones are ever used.
_ADMIN_KEY = "local"


@dataclass(frozen=True)
class SeedUser:
    username: str
    password: str
    groups: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalUserPool:
    """One provisioned pool: what the Authenticator and clients need."""

    logical_id: str
    pool_id: str
    arn: str
    client_ids: Mapping[str, str]  # client logical id -> client id
    client_secrets: Mapping[str, str]  # client id -> secret (clients with GenerateSecret)
    groups: tuple[str, ...]
    issuer: str
    jwks_url: str

    @property
    def default_client_id(self) -> str | None:
        """The first client without a secret (what a browser or a script would use)."""
        for client_id in self.client_ids.values():
            if client_id not in self.client_secrets:
                return client_id
        return next(iter(self.client_ids.values()), None)


@dataclass(frozen=True)
class CognitoInfo:
    endpoint: str
    region: str
    pools: Mapping[str, LocalUserPool]  # by pool logical id

    @property
    def default_pool(self) -> LocalUserPool | None:
        return next(iter(self.pools.values()), None)

    def physical_ids(self) -> dict[str, str]:
        """Logical id -> physical id for `Ref` of the pools and clients."""
        ids: dict[str, str] = {}
        for pool in self.pools.values():
            ids[pool.logical_id] = pool.pool_id
            ids.update(pool.client_ids)
        return ids


class CognitoLocal:
    """moto's Cognito IdP on 127.0.0.1, with pools, clients, groups and users."""

    def __init__(self, state_dir: Path, region: str, *, port: int = 0) -> None:
        self._users_file = state_dir / "users.json"
        self._region = region
        self._server = MotoServer(port=port)
        self._info: CognitoInfo | None = None
        self._last_snapshot: Any = None

    @property
    def info(self) -> CognitoInfo:
        if self._info is None:
            raise RuntimeError("CognitoLocal.provision() has not run")
        return self._info

    def start(self) -> str:
        # Process-wide moto settings, read by moto at each Create* call.
        os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
        os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
        return self._server.start()

    def admin_client(self) -> Any:
        return boto3.client(
            "cognito-idp", endpoint_url=self._server.endpoint, region_name=self._region,
            aws_access_key_id=_ADMIN_KEY, aws_secret_access_key=_ADMIN_KEY,
        )

    def provision(
        self,
        pools: Iterable[UserPoolSpec],
        clients: Iterable[UserPoolClientSpec],
        groups: Iterable[UserPoolGroupSpec],
    ) -> CognitoInfo:
        """Create the template's pools, clients and groups, then restore saved users."""
        idp = self.admin_client()
        endpoint = self._server.endpoint
        clients, groups = list(clients), list(groups)
        result: dict[str, LocalUserPool] = {}
        for spec in pools:
            created = idp.create_user_pool(PoolName=spec.pool_name, **_pool_request(spec))
            pool_id = created["UserPool"]["Id"]
            client_ids: dict[str, str] = {}
            secrets: dict[str, str] = {}
            for client in (c for c in clients if c.user_pool_logical_id == spec.logical_id):
                made = idp.create_user_pool_client(
                    UserPoolId=pool_id, ClientName=client.client_name, **_client_request(client)
                )["UserPoolClient"]
                client_ids[client.logical_id] = made["ClientId"]
                if made.get("ClientSecret"):
                    secrets[made["ClientId"]] = made["ClientSecret"]
            names = []
            for group in (g for g in groups if g.user_pool_logical_id == spec.logical_id):
                idp.create_group(UserPoolId=pool_id, **_group_request(group))
                names.append(group.group_name)
            result[spec.logical_id] = LocalUserPool(
                logical_id=spec.logical_id, pool_id=pool_id, arn=created["UserPool"]["Arn"],
                client_ids=client_ids, client_secrets=secrets, groups=tuple(names),
                issuer=f"https://cognito-idp.{self._region}.amazonaws.com/{pool_id}",
                jwks_url=f"{endpoint}/{pool_id}/.well-known/jwks.json",
            )
        self._info = CognitoInfo(endpoint=endpoint, region=self._region, pools=result)
        self._restore_users()
        return self._info

    def _restore_users(self) -> None:
        saved = read_json(self._users_file, {}) or {}
        for logical_id, pool in self.info.pools.items():
            users = (saved.get("pools", {}).get(logical_id) or {}).get("users", [])
            restored = _cognito_users.restore_users(pool.pool_id, users)
            if restored:
                logger.info("cognito: restored %d user(s) of %s", len(restored), logical_id)

    def ensure_users(self, pool_logical_id: str, users: Iterable[SeedUser]) -> list[str]:
        """Create missing users (permanent password) and add them to their groups.

        Existing users keep their password and `sub` (a developer may have changed the
        password on purpose); their group memberships are completed, never removed.
        Returns the usernames created.
        """
        pool = self.info.pools[pool_logical_id]
        idp = self.admin_client()
        existing = set(_cognito_users.iter_usernames(pool.pool_id))
        users = list(users)
        have = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool.pool_id)["Groups"]}
        for group in sorted({g for u in users for g in u.groups} - have):
            logger.warning("cognito: group %r is not in the template; created locally", group)
            idp.create_group(UserPoolId=pool.pool_id, GroupName=group)
        created = []
        for user in users:
            if user.username not in existing:
                idp.admin_create_user(
                    UserPoolId=pool.pool_id, Username=user.username, MessageAction="SUPPRESS",
                    UserAttributes=[{"Name": k, "Value": v} for k, v in user.attributes.items()],
                )
                idp.admin_set_user_password(
                    UserPoolId=pool.pool_id, Username=user.username, Password=user.password,
                    Permanent=True,
                )
                created.append(user.username)
            for group in user.groups:
                idp.admin_add_user_to_group(
                    UserPoolId=pool.pool_id, Username=user.username, GroupName=group
                )
        self.save_users()
        return created

    def save_users(self) -> bool:
        """Write the users file if anything changed since the last write; True if written."""
        if self._info is None:
            return False
        data = {
            "pools": {
                logical_id: {"poolId": pool.pool_id,
                             "users": _cognito_users.snapshot_users(pool.pool_id)}
                for logical_id, pool in self._info.pools.items()
            }
        }
        if data == self._last_snapshot:
            return False
        write_json_atomic(self._users_file, data, mode=0o600)
        self._last_snapshot = data
        return True

    def stop(self) -> None:
        """Save users, drop our pools from moto's process-wide state, stop the server."""
        if self._info is not None:
            try:
                self.save_users()
            except Exception:
                logger.exception("cognito: could not save users")
            for pool in self._info.pools.values():
                # Directly, not DeleteUserPool: that refuses pools with DeletionProtection.
                _cognito_users.forget_pool(pool.pool_id)
            self._info = None
        self._server.stop()


def initiate_password_auth(
    endpoint: str, region: str, client_id: str, username: str, password: str,
    client_secret: str | None = None,
) -> dict[str, Any]:
    """USER_PASSWORD_AUTH, as an app would call it (unsigned); the AuthenticationResult."""
    idp = boto3.client(
        "cognito-idp", endpoint_url=endpoint, region_name=region,
        config=Config(signature_version=UNSIGNED),
    )
    params = {"USERNAME": username, "PASSWORD": password}
    if client_secret:
        digest = hmac.new(client_secret.encode(), (username + client_id).encode(),
                          hashlib.sha256).digest()
        params["SECRET_HASH"] = base64.b64encode(digest).decode()
    response = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
    )
    result: dict[str, Any] = response["AuthenticationResult"]
    return result


def _pool_request(spec: UserPoolSpec) -> dict[str, Any]:
    props = spec.properties
    if props.get("LambdaConfig"):
        logger.warning("cognito: %s LambdaConfig triggers are not run locally", spec.logical_id)
    return {k: props[k] for k in _POOL_PROPS if k in props}


def _client_request(spec: UserPoolClientSpec) -> dict[str, Any]:
    request = {k: spec.properties[k] for k in _CLIENT_PROPS if k in spec.properties}
    flows = list(request.get("ExplicitAuthFlows") or [])
    # Always allow username/password sign-in locally: seed operations and scripts use it.
    if flows and "ALLOW_USER_PASSWORD_AUTH" not in flows and "USER_PASSWORD_AUTH" not in flows:
        legacy = any(not f.startswith("ALLOW_") for f in flows)
        flows.append("USER_PASSWORD_AUTH" if legacy else "ALLOW_USER_PASSWORD_AUTH")
        request["ExplicitAuthFlows"] = flows
    return request


def _group_request(spec: UserPoolGroupSpec) -> dict[str, Any]:
    request: dict[str, Any] = {"GroupName": spec.group_name}
    for key in ("Description", "Precedence", "RoleArn"):
        if key in spec.properties:
            request[key] = spec.properties[key]
    return request
