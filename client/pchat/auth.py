"""The three ways this API lets a client in, as gql authentication objects.

* ``ApiKeyCredentials`` - public, read-only access to public rooms;
* ``UserPoolCredentials`` - a person signed in with Cognito (raw JWT in ``Authorization``,
  no ``Bearer``: AppSync refuses the prefix);
* ``IamCredentials`` - SigV4 for tools (exports, the publisher).

``appsync_auth(host)`` builds what gql's HTTP and WebSocket transports need; ``refresh()``
is awaited before each request so a token never expires mid-session.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncAuthentication,
    AppSyncIAMAuthentication,
)

from .config import Config, IamKeys
from .errors import AuthError, ConfigError
from .tokens import CognitoSession, TokenCache


class AuthMode(StrEnum):
    API_KEY = "API_KEY"
    USER_POOL = "AMAZON_COGNITO_USER_POOLS"
    IAM = "AWS_IAM"


class Credentials(ABC):
    """How requests are authorized; one instance serves HTTP and WebSocket transports."""

    mode: AuthMode

    @abstractmethod
    def appsync_auth(self, host: str) -> AppSyncAuthentication:
        """gql's authentication object for ``host`` (the GraphQL host, also for realtime)."""

    async def refresh(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Make the credentials valid for the next few minutes (default: nothing to do)."""

    @property
    def principal(self) -> str:
        """Who is calling, for messages and for naming local state (never a secret)."""
        return self.mode.value.lower()


class ApiKeyCredentials(Credentials):
    mode = AuthMode.API_KEY

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def appsync_auth(self, host: str) -> AppSyncAuthentication:
        return AppSyncApiKeyAuthentication(host=host, api_key=self._api_key)

    @property
    def principal(self) -> str:
        return "api-key"


class _SessionJWTAuthentication(AppSyncAuthentication):
    """Like gql's AppSyncJWTAuthentication, but reads the token at each use.

    gql builds headers synchronously per request (and per subscription ``start``), so a
    long-lived transport keeps working across token refreshes.
    """

    def __init__(self, host: str, token: Callable[[], str]) -> None:
        self._host = host.replace("appsync-realtime-api", "appsync-api")
        self._token = token

    def get_headers(self, data: str | None = None,
                    headers: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"host": self._host, "Authorization": self._token()}


class UserPoolCredentials(Credentials):
    mode = AuthMode.USER_POOL

    def __init__(self, session: CognitoSession) -> None:
        self.session = session

    def appsync_auth(self, host: str) -> AppSyncAuthentication:
        return _SessionJWTAuthentication(host, self.session.cached_id_token)

    async def refresh(self) -> None:
        # A refresh is one blocking HTTPS call to Cognito: keep it off the event loop.
        await asyncio.to_thread(self.session.id_token)

    @property
    def principal(self) -> str:
        return self.session.username or "user"


class IamCredentials(Credentials):
    """SigV4 with explicit keys (runtime.json ``iam``) or boto3's default credential chain."""

    mode = AuthMode.IAM

    def __init__(self, region: str, keys: IamKeys | None = None) -> None:
        self._region = region
        self._keys = keys

    def appsync_auth(self, host: str) -> AppSyncAuthentication:
        from botocore.credentials import Credentials as BotoCredentials
        from botocore.exceptions import NoCredentialsError
        from botocore.session import get_session

        session = get_session()
        credentials = (BotoCredentials(self._keys.access_key_id, self._keys.secret_access_key,
                                       self._keys.session_token)
                       if self._keys else session.get_credentials())
        if credentials is None:
            raise AuthError("no AWS credentials found for IAM mode (aws configure, or AWS_PROFILE)")
        try:
            return AppSyncIAMAuthentication(host=host, region_name=self._region,
                                            credentials=credentials, session=session)
        except NoCredentialsError as exc:
            raise AuthError("no AWS credentials found for IAM mode") from exc

    @property
    def principal(self) -> str:
        return "iam"


def user_session(config: Config, cache: TokenCache | None, *, idp: Any = None) -> CognitoSession:
    """A (not yet signed-in) Cognito session for the config's user pool. Raises ConfigError."""
    if config.user_pool is None:
        raise ConfigError(f"{config.source} has no Cognito user pool: use --auth api-key or iam")
    return CognitoSession(config.user_pool, config.region, cache=cache, idp=idp)


def credentials_for(config: Config, mode: AuthMode, *, cache: TokenCache | None = None,
                    username: str | None = None) -> Credentials:
    """Credentials of ``mode`` from the config (and the token cache for users).

    Raises ConfigError (mode not offered by this config), AuthError (not signed in).
    """
    if mode is AuthMode.API_KEY:
        if not config.api_key:
            raise ConfigError(f"{config.source} has no API key")
        return ApiKeyCredentials(config.api_key)
    if mode is AuthMode.IAM:
        return IamCredentials(config.region, config.iam)
    session = user_session(config, cache)
    session.resume(username)
    return UserPoolCredentials(session)
