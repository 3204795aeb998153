"""tools/web_config.py: config.json without secrets, and a deployable copy with a narrow CSP."""

from __future__ import annotations

import json
from pathlib import Path

from tools.web_config import bundle, connect_sources, from_runtime, from_stack_outputs

RUNTIME = {
    "graphqlUrl": "http://127.0.0.1:8000/graphql", "realtimeUrl": "ws://127.0.0.1:8000/graphql",
    "region": "us-east-1", "apiKey": "da2-local",
    "userPool": {"id": "us-east-1_abc", "clientId": "cid", "endpoint": "http://127.0.0.1:5001"},
    "users": [{"username": "alice", "password": "secret"}],
    "iam": {"accessKeyId": "AKIA", "secretAccessKey": "secret"},
    "dynamodbEndpoint": "http://127.0.0.1:8001",
}
OUTPUTS = {
    "GraphQLUrl": "https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com/graphql",
    "RealtimeUrl": "wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.eu-west-1.amazonaws.com/graphql",
    "Region": "eu-west-1", "UserPoolId": "eu-west-1_XYZ", "UserPoolClientId": "client",
    "ApiKeyId": "da2-public",
}


def test_local_config_carries_no_secrets() -> None:
    config = from_runtime(RUNTIME)
    text = json.dumps(config)
    assert "secret" not in text and "AKIA" not in text and "8001" not in text
    assert config["userPool"] == RUNTIME["userPool"]


def test_bundle_narrows_the_csp_to_the_stack_hosts(tmp_path: Path) -> None:
    config = from_stack_outputs(OUTPUTS)
    assert connect_sources(config) == [
        "https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com",
        "wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.eu-west-1.amazonaws.com",
        "https://cognito-idp.eu-west-1.amazonaws.com",
    ]
    out = bundle(config, tmp_path / "site")
    index = (out / "index.html").read_text(encoding="utf-8")
    csp = next(d for d in index.split(";") if "connect-src" in d)
    assert "127.0.0.1" not in csp and "localhost" not in csp and "'self'" not in csp
    assert "cognito-idp.eu-west-1.amazonaws.com" in csp
    assert json.loads((out / "config.json").read_text(encoding="utf-8")) == config
    assert (out / "js" / "realtime.js").is_file() and not (out / "config.example.json").exists()
