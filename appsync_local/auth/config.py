"""Authentication configuration: what the runtime trusts, built from the template + ops' inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._types import AuthMode

if TYPE_CHECKING:
    from ..template import ApiModel

LOCAL_ACCOUNT_ID = "000000000000"


@dataclass(frozen=True)
class ApiKey:
    value: str
    expires: int | None = None  # epoch seconds; None = never (only for keys given by config)


@dataclass(frozen=True)
class UserPoolProvider:
    """A Cognito user pool AppSync accepts tokens from (default or additional provider)."""

    user_pool_id: str
    region: str
    # Accepted app client ids; empty = any client of the pool (no client clients known).
    client_ids: frozenset[str] = frozenset()
    app_id_client_regex: str | None = None
    default_action: str = "ALLOW"
    jwks_url: str | None = None
    jwks: Mapping[str, object] | None = None  # inline JWKS (tests) instead of a URL

    @property
    def issuer(self) -> str:
        # Real Cognito and moto both put this exact value in `iss`.
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str | None = None
    iat_ttl_ms: int = 0  # 0 = no limit (CloudFormation IatTTL)
    auth_ttl_ms: int = 0  # 0 = no limit (CloudFormation AuthTTL)
    # None: discovered from {issuer}/.well-known/openid-configuration
    jwks_url: str | None = None
    jwks: Mapping[str, object] | None = None


@dataclass(frozen=True)
class IamPrincipal:
    """Local credentials the IAM mode accepts (SigV4 is verified against the secret)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    account_id: str = LOCAL_ACCOUNT_ID
    user_arn: str | None = None  # default arn:aws:iam::{account}:user/{access_key_id}
    username: str | None = None  # default the access key id (AWS gives the principal id)


@dataclass(frozen=True)
class AuthConfig:
    default_mode: AuthMode
    region: str
    additional_modes: tuple[AuthMode, ...] = ()
    api_keys: tuple[ApiKey, ...] = ()
    user_pools: tuple[UserPoolProvider, ...] = ()
    oidc: tuple[OidcProvider, ...] = ()
    iam_principals: tuple[IamPrincipal, ...] = ()
    max_clock_skew_s: int = 300  # SigV4 X-Amz-Date tolerance (AWS: 5 minutes)
    jwt_leeway_s: int = 0
    jwks_timeout_s: float = 5.0
    enabled_modes: frozenset[AuthMode] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "enabled_modes", frozenset((self.default_mode, *self.additional_modes))
        )

    @classmethod
    def from_model(
        cls,
        model: ApiModel,
        *,
        api_keys: Iterable[ApiKey] = (),
        cognito_jwks_url: str | Callable[[str], str] | None = None,
        cognito_jwks: Mapping[str, Mapping[str, object]] | None = None,
        oidc_jwks_url: Mapping[str, str] | None = None,
        iam_principals: Iterable[IamPrincipal] = (),
        include_template_keys: bool = True,
    ) -> AuthConfig:
        """Build the config for ``model``'s API.

        ``cognito_jwks_url`` is a format string with ``{pool_id}`` (e.g. moto server's
        ``http://127.0.0.1:PORT/{pool_id}/.well-known/jwks.json``) or a callable.
        App client ids come from the template's ``AWS::Cognito::UserPoolClient``
        resources (their physical ids as passed to ``load_template(physical_ids=…)``).
        """
        keys = list(api_keys)
        if include_template_keys:
            keys += [ApiKey(k.value, k.expires) for k in model.api_keys]
        pools: list[UserPoolProvider] = []
        oidcs: list[OidcProvider] = []
        for provider in model.auth_providers:
            if provider.user_pool is not None:
                upc = provider.user_pool
                url: str | None
                if callable(cognito_jwks_url):
                    url = cognito_jwks_url(upc.user_pool_id)
                elif cognito_jwks_url:
                    url = cognito_jwks_url.format(pool_id=upc.user_pool_id)
                else:
                    url = None
                clients = frozenset(
                    c.client_id for c in model.user_pool_clients.values()
                    if c.user_pool_id == upc.user_pool_id
                )
                pools.append(UserPoolProvider(
                    user_pool_id=upc.user_pool_id, region=upc.region or model.region,
                    client_ids=clients, app_id_client_regex=upc.app_id_client_regex,
                    default_action=upc.default_action, jwks_url=url,
                    jwks=(cognito_jwks or {}).get(upc.user_pool_id),
                ))
            if provider.oidc is not None:
                o = provider.oidc
                oidcs.append(OidcProvider(
                    issuer=o.issuer, client_id=o.client_id, iat_ttl_ms=o.iat_ttl_ms,
                    auth_ttl_ms=o.auth_ttl_ms, jwks_url=(oidc_jwks_url or {}).get(o.issuer),
                ))
        return cls(
            default_mode=model.auth_providers[0].mode,
            additional_modes=tuple(p.mode for p in model.auth_providers[1:]),
            region=model.region,
            api_keys=tuple(keys),
            user_pools=tuple(pools),
            oidc=tuple(oidcs),
            iam_principals=tuple(iam_principals),
        )
