"""The API as read from a SAM template: plain frozen dataclasses, no I/O.

``template.load_template`` builds an :class:`ApiModel`; the engine, the auth layer,
the Lambda pool (core) and the DynamoDB/Cognito/stream emulation (ops) read it.
Every value is already resolved (intrinsics evaluated, paths absolute).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .auth._types import AuthMode


@dataclass(frozen=True)
class UserPoolConfig:
    user_pool_id: str
    region: str | None = None
    app_id_client_regex: str | None = None
    default_action: str = "ALLOW"  # only meaningful on the default provider


@dataclass(frozen=True)
class OpenIDConnectConfig:
    issuer: str
    client_id: str | None = None
    iat_ttl_ms: int = 0
    auth_ttl_ms: int = 0


@dataclass(frozen=True)
class LambdaAuthorizerConfig:
    function_arn: str
    function_id: str | None = None
    ttl_s: int = 300
    identity_validation_expression: str | None = None


@dataclass(frozen=True)
class AuthProviderSpec:
    """One entry of the API's auth providers; ``ApiModel.auth_providers[0]`` is the default."""

    mode: AuthMode
    user_pool: UserPoolConfig | None = None
    oidc: OpenIDConnectConfig | None = None
    lambda_authorizer: LambdaAuthorizerConfig | None = None


@dataclass(frozen=True)
class ApiKeySpec:
    logical_id: str
    value: str  # local key value (GetAtt Key.ApiKey); deterministic unless overridden
    expires: int | None  # epoch seconds (CloudFormation `Expires`)
    description: str | None = None


@dataclass(frozen=True)
class DataSourceSpec:
    logical_id: str
    name: str
    type: str  # AWS_LAMBDA | NONE | AMAZON_DYNAMODB | ... (only the first two execute)
    function_id: str | None = None  # logical id of the AWS::Serverless::Function (AWS_LAMBDA)
    function_arn: str | None = None


@dataclass(frozen=True)
class ResolverSpec:
    logical_id: str
    type_name: str
    field_name: str
    data_source: str | None  # data source *name*
    kind: str = "UNIT"
    max_batch_size: int = 0
    # True when the resolver carries APPSYNC_JS code or VTL templates.
    has_code: bool = False
    # The APPSYNC_JS code (run by appsync_local.js); None for VTL or no code. VTL is not
    # executed: a NONE resolver then echoes its arguments, a Lambda one gets the Direct event.
    code: str | None = None


@dataclass(frozen=True)
class StreamEventSpec:
    """A function `Events` entry of Type DynamoDB (event source mapping), for ops."""

    name: str
    function_id: str
    stream_arn: str
    table_id: str | None  # logical id of the table the stream belongs to, when known
    table_name: str | None
    batch_size: int = 100
    maximum_batching_window_s: int = 0
    starting_position: str = "LATEST"
    function_response_types: tuple[str, ...] = ()
    maximum_retry_attempts: int = -1  # -1 = retry until the record expires (AWS default)
    bisect_batch_on_function_error: bool = False
    enabled: bool = True
    filter_criteria: dict[str, Any] | None = None
    parallelization_factor: int = 1


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    function_name: str  # physical name: FunctionName property or "{stack}-{logical_id}"
    arn: str
    code_uri: Path  # absolute directory; becomes sys.path[0] of the worker
    handler: str  # "pkg.module.func"
    runtime: str
    timeout_s: int = 3
    memory_size_mb: int = 128
    # The complete process environment of the worker: template Environment.Variables
    # (Globals merged, --env-vars applied) + local AWS defaults + caller's extra env.
    environment: dict[str, str] = field(default_factory=dict)
    events: tuple[StreamEventSpec, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    table_name: str
    arn: str
    stream_arn: str | None
    properties: dict[str, Any]  # resolved CloudFormation properties (KeySchema, GSIs, ...)


@dataclass(frozen=True)
class UserPoolSpec:
    logical_id: str
    user_pool_id: str  # physical id passed by the caller, else a placeholder "{region}_{logical}"
    pool_name: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class UserPoolClientSpec:
    logical_id: str
    client_id: str  # physical id passed by the caller, else the logical id
    user_pool_id: str
    user_pool_logical_id: str | None
    client_name: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class UserPoolGroupSpec:
    logical_id: str
    group_name: str
    user_pool_id: str
    user_pool_logical_id: str | None
    properties: dict[str, Any]


@dataclass(frozen=True)
class ApiModel:
    template_path: Path
    stack_name: str
    region: str
    account_id: str
    api_logical_id: str
    api_name: str
    api_id: str
    auth_providers: tuple[AuthProviderSpec, ...]  # [0] is the default mode
    schema_sdl: str
    schema_path: Path | None
    api_keys: tuple[ApiKeySpec, ...] = ()
    data_sources: dict[str, DataSourceSpec] = field(default_factory=dict)  # by name
    resolvers: dict[tuple[str, str], ResolverSpec] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)  # by logical id
    tables: dict[str, TableSpec] = field(default_factory=dict)
    user_pools: dict[str, UserPoolSpec] = field(default_factory=dict)
    user_pool_clients: dict[str, UserPoolClientSpec] = field(default_factory=dict)
    user_pool_groups: dict[str, UserPoolGroupSpec] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def default_auth_mode(self) -> AuthMode:
        return self.auth_providers[0].mode

    @property
    def stream_events(self) -> tuple[StreamEventSpec, ...]:
        return tuple(e for f in self.functions.values() for e in f.events)
