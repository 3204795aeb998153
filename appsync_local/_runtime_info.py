"""What the runtime tells its users once ready: `runtime.json` and the console banner."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .cognito_local import CognitoInfo, LocalUserPool
from .state import LocalSecrets
from .store import StoreInfo


@dataclass(frozen=True)
class Endpoints:
    graphql_url: str
    realtime_url: str
    region: str
    store: StoreInfo
    cognito: CognitoInfo | None
    user_pool: LocalUserPool | None  # the API's (default) Cognito pool
    tls_cert: str | None = None


def runtime_json(ep: Endpoints, secrets: LocalSecrets,
                 users: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The public contract of `.local/runtime.json` (exactly these keys)."""
    pool = None
    if ep.user_pool is not None and ep.cognito is not None:
        pool = {"id": ep.user_pool.pool_id, "clientId": ep.user_pool.default_client_id,
                "endpoint": ep.cognito.endpoint}
    return {
        "graphqlUrl": ep.graphql_url,
        "realtimeUrl": ep.realtime_url,
        "region": ep.region,
        "apiKey": secrets.api_key,
        "userPool": pool,
        "users": [dict(u) for u in users],
        "iam": {"accessKeyId": secrets.access_key_id,
                "secretAccessKey": secrets.secret_access_key},
        "dynamodbEndpoint": ep.store.endpoint,
    }


WEB_CONFIG_KEYS = ("graphqlUrl", "realtimeUrl", "region", "apiKey", "userPool")


def web_config(ep: Endpoints, secrets: LocalSecrets) -> dict[str, Any]:
    """The web UI's `config.json`: the public part of runtime.json only.

    Never the IAM keys, the users' passwords or the store endpoint: a page (and anything
    that can load it) sees this.
    """
    full = runtime_json(ep, secrets, users=())
    return {key: full[key] for key in WEB_CONFIG_KEYS}


def banner(ep: Endpoints, secrets: LocalSecrets, users: Sequence[dict[str, Any]],
           runtime_json_path: str, state_dir: str, *, web_ui: bool = False) -> str:
    """The console text printed when the runtime is ready: endpoints and how to call them."""
    query = json.dumps({"query": "query { __typename }"})
    curl_tls = f"--cacert {shlex.quote(ep.tls_cert)} " if ep.tls_cert else ""
    lines = [
        "",
        "appsync_local is ready",
        f"  GraphQL     {ep.graphql_url}",
        *([f"  Web UI      {ep.graphql_url.removesuffix('/graphql')}/"] if web_ui else []),
        f"  Real-time   {ep.realtime_url}   (Amplify JS: {ep.realtime_url}/realtime)",
        f"  Store       {ep.store.description}: {ep.store.endpoint}",
    ]
    if ep.cognito is not None and ep.user_pool is not None:
        lines.append(f"  Cognito     {ep.cognito.endpoint}  pool {ep.user_pool.pool_id}  "
                     f"client {ep.user_pool.default_client_id}")
    if ep.tls_cert:
        lines.append(f"  TLS cert    {ep.tls_cert}   (self-signed: trust it in your client, e.g. "
                     f"NODE_EXTRA_CA_CERTS={shlex.quote(ep.tls_cert)} for Node)")
    lines += [
        f"  Everything above, with credentials: {runtime_json_path}",
        "",
        "  API key:",
        f"    curl -s {curl_tls}{ep.graphql_url} -H 'content-type: application/json' \\",
        f"      -H 'x-api-key: {secrets.api_key}' -d {shlex.quote(query)}",
    ]
    if ep.user_pool is not None and users:
        user = users[0]
        lines += [
            f"  Cognito (a JWT for seeded user {user['username']}; users and passwords are in "
            "runtime.json):",
            f"    TOKEN=$(python -m appsync_local token --state-dir {shlex.quote(state_dir)} "
            f"{shlex.quote(user['username'])})",
            f"    curl -s {curl_tls}{ep.graphql_url} -H 'content-type: application/json' \\",
            f"      -H \"authorization: $TOKEN\" -d {shlex.quote(query)}",
        ]
    lines += [
        "  IAM: sign requests (SigV4, service appsync, region "
        f"{ep.region}) with the iam keys of runtime.json",
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)
