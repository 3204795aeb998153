"""Where the API is and how to authenticate: one typed ``Config`` from one of two sources.

* the local runtime's ``.local/runtime.json`` (``make run`` writes it), or
* a deployed stack's outputs (``GraphQLUrl``, ``RealtimeUrl``, ``Region``, ``UserPoolId``,
  ``UserPoolClientId``, ``ApiKeyId``) as a JSON file - ``aws cloudformation
  describe-stacks``, ``sam list stack-outputs --output json`` or a flat object - or as
  ``PCHAT_*`` environment variables.

Stack outputs are first rewritten into the runtime.json shape, so both sources go
through the same parser. This is the only module of the package that reads the
environment (the CLI passes ``os.environ`` in; tests pass a dict).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_CONFIG_PATH = Path(".local") / "runtime.json"

# Environment variable -> stack output key (deployed form).
ENV_OUTPUTS = {
    "PCHAT_GRAPHQL_URL": "GraphQLUrl",
    "PCHAT_REALTIME_URL": "RealtimeUrl",
    "PCHAT_REGION": "Region",
    "PCHAT_API_KEY": "ApiKeyId",
    "PCHAT_USER_POOL_ID": "UserPoolId",
    "PCHAT_USER_POOL_CLIENT_ID": "UserPoolClientId",
    "PCHAT_COGNITO_ENDPOINT": "CognitoEndpoint",
}


@dataclass(frozen=True)
class UserPoolConfig:
    id: str
    client_id: str
    endpoint: str | None = None  # None: the real Cognito of the region
    client_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DevUser:
    """A seeded local user (runtime.json only; never present for a deployed stack)."""

    username: str
    password: str = field(repr=False)
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class IamKeys:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Config:
    graphql_url: str
    realtime_url: str
    region: str
    api_key: str | None = field(default=None, repr=False)
    user_pool: UserPoolConfig | None = None
    users: tuple[DevUser, ...] = ()
    iam: IamKeys | None = None  # None: boto3's default credential chain
    dynamodb_endpoint: str | None = None
    source: str = "<memory>"

    @property
    def is_local(self) -> bool:
        return self.graphql_url.startswith("http://") or bool(
            self.user_pool and self.user_pool.endpoint)

    def dev_password(self, username: str) -> str | None:
        return next((u.password for u in self.users if u.username == username), None)


def load_config(path: str | Path | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Load the configuration. Precedence: ``path``, ``$PCHAT_CONFIG``, ``$PCHAT_GRAPHQL_URL``
    (deployed stack from variables), then ``.local/runtime.json``.

    Raises ConfigError with the file or variable to fix.
    """
    env = os.environ if env is None else env
    chosen = path or env.get("PCHAT_CONFIG")
    if not chosen and env.get("PCHAT_GRAPHQL_URL"):
        outputs = {key: env[var] for var, key in ENV_OUTPUTS.items() if env.get(var)}
        return config_from_dict(runtime_from_outputs(outputs), source="environment (PCHAT_*)")
    file = Path(chosen) if chosen else DEFAULT_CONFIG_PATH
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        hint = (" - start the local API with `make run`, or pass --config / set PCHAT_CONFIG"
                if not chosen else "")
        raise ConfigError(f"configuration file {file} not found{hint}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read configuration file {file}: {exc}") from exc
    return config_from_dict(raw, source=str(file))


def config_from_dict(raw: Any, *, source: str = "<memory>") -> Config:
    """Parse runtime.json or any stack-outputs form. Raises ConfigError."""
    if isinstance(raw, list) or (isinstance(raw, Mapping) and "graphqlUrl" not in raw):
        raw = runtime_from_outputs(_outputs_of(raw, source))
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a JSON object")
    graphql_url = _required(raw, "graphqlUrl", source)
    pool = raw.get("userPool")
    iam = raw.get("iam")
    return Config(
        graphql_url=graphql_url,
        realtime_url=raw.get("realtimeUrl") or realtime_url_for(graphql_url),
        region=_required(raw, "region", source),
        api_key=raw.get("apiKey") or None,
        user_pool=UserPoolConfig(
            id=_required(pool, "id", source + " userPool"),
            client_id=_required(pool, "clientId", source + " userPool"),
            endpoint=pool.get("endpoint") or None, client_secret=pool.get("clientSecret"),
        ) if isinstance(pool, Mapping) else None,
        users=tuple(DevUser(str(u["username"]), str(u["password"]), tuple(u.get("groups") or ()))
                    for u in raw.get("users") or () if u.get("password")),
        iam=IamKeys(str(iam["accessKeyId"]), str(iam["secretAccessKey"]),
                           iam.get("sessionToken"))
        if isinstance(iam, Mapping) and iam.get("accessKeyId") else None,
        dynamodb_endpoint=raw.get("dynamodbEndpoint"),
        source=source,
    )


def runtime_from_outputs(outputs: Mapping[str, str]) -> dict[str, Any]:
    """Stack outputs -> the runtime.json shape (no users, no IAM keys: the default chain)."""
    region = outputs.get("Region") or _region_of(outputs.get("GraphQLUrl", ""))
    pool = None
    if outputs.get("UserPoolId") and outputs.get("UserPoolClientId"):
        pool = {"id": outputs["UserPoolId"], "clientId": outputs["UserPoolClientId"],
                "endpoint": outputs.get("CognitoEndpoint")}
    return {"graphqlUrl": outputs.get("GraphQLUrl"), "realtimeUrl": outputs.get("RealtimeUrl"),
            "region": region, "apiKey": outputs.get("ApiKeyId"), "userPool": pool,
            "users": [], "iam": None, "dynamodbEndpoint": None}


def realtime_url_for(graphql_url: str) -> str:
    """AppSync's rule for standard endpoints; local http:// URLs map to ws:// (gql would
    leave them alone and fail)."""
    if graphql_url.startswith("http://"):
        return "ws://" + graphql_url.removeprefix("http://")
    secure = graphql_url.replace("https://", "wss://", 1)
    return secure.replace("appsync-api", "appsync-realtime-api")


def default_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where tokens and outboxes live: $PCHAT_CONFIG_DIR, $XDG_CONFIG_HOME/pchat or
    ~/.config/pchat."""
    env = os.environ if env is None else env
    if env.get("PCHAT_CONFIG_DIR"):
        return Path(env["PCHAT_CONFIG_DIR"])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "pchat"


def _outputs_of(raw: Any, source: str) -> dict[str, str]:
    if isinstance(raw, Mapping) and isinstance(raw.get("Stacks"), list) and raw["Stacks"]:
        raw = raw["Stacks"][0].get("Outputs") or []  # describe-stacks
    if isinstance(raw, list):  # [{"OutputKey": ..., "OutputValue": ...}]
        try:
            return {str(o["OutputKey"]): str(o["OutputValue"]) for o in raw}
        except (KeyError, TypeError):
            raise ConfigError(f"{source}: a list must hold OutputKey/OutputValue objects") from None
    if isinstance(raw, Mapping) and "GraphQLUrl" in raw:
        return {str(k): str(v) for k, v in raw.items() if v is not None}
    raise ConfigError(f"{source}: neither runtime.json (graphqlUrl) nor stack outputs (GraphQLUrl)")


def _region_of(url: str) -> str | None:
    parts = url.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "appsync-api" else None


def _required(raw: Mapping[str, Any], key: str, source: str) -> str:
    value = raw.get(key)
    if not value or not isinstance(value, str):
        raise ConfigError(f"{source}: missing {key!r}")
    return value
