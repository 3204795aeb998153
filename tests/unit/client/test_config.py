"""Config from the local runtime's runtime.json and from a deployed stack's outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pchat import ConfigError, config_from_dict, default_config_dir, load_config

RUNTIME = {
    "graphqlUrl": "http://127.0.0.1:8000/graphql",
    "realtimeUrl": "ws://127.0.0.1:8000/graphql",
    "region": "us-east-1",
    "apiKey": "da2-local",
    "userPool": {"id": "us-east-1_abc", "clientId": "client1", "endpoint": "http://127.0.0.1:9000"},
    "users": [
        {"username": "alice", "password": "DevOnly-Alice-1", "groups": []},
        {"username": "carol", "password": "DevOnly-Carol-3", "groups": ["analysts"]},
    ],
    "iam": {"accessKeyId": "AKIALOCAL", "secretAccessKey": "local-secret"},
    "dynamodbEndpoint": "http://127.0.0.1:8001",
}
API = "https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com/graphql"
OUTPUTS = {
    "GraphQLUrl": API,
    "RealtimeUrl": API.replace("https", "wss").replace("appsync-api", "appsync-realtime-api"),
    "Region": "eu-west-1",
    "UserPoolId": "eu-west-1_xyz",
    "UserPoolClientId": "webclient",
    "ApiKeyId": "da2-public",
    "TableName": "chat",
}


def write(tmp_path: Path, value: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(value))
    return path


def test_runtime_json_is_read_whole(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, RUNTIME), env={})
    assert config.graphql_url == RUNTIME["graphqlUrl"]
    assert config.realtime_url == "ws://127.0.0.1:8000/graphql"
    assert config.user_pool is not None and config.user_pool.endpoint == "http://127.0.0.1:9000"
    assert config.dev_password("carol") == "DevOnly-Carol-3"
    assert config.users[1].groups == ("analysts",)
    assert config.iam is not None and config.iam.access_key_id == "AKIALOCAL"
    assert config.is_local


def test_secrets_stay_out_of_reprs(tmp_path: Path) -> None:
    text = repr(load_config(write(tmp_path, RUNTIME), env={}))
    for secret in ("da2-local", "DevOnly-Alice-1", "local-secret"):
        assert secret not in text


@pytest.mark.parametrize(
    "form",
    [
        OUTPUTS,
        [{"OutputKey": k, "OutputValue": v, "Description": "..."} for k, v in OUTPUTS.items()],
        {
            "Stacks": [
                {
                    "StackName": "chat",
                    "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in OUTPUTS.items()],
                }
            ]
        },
    ],
    ids=["flat", "sam-list-stack-outputs", "describe-stacks"],
)
def test_stack_outputs_in_every_common_form(tmp_path: Path, form: object) -> None:
    config = load_config(write(tmp_path, form), env={})
    assert config.graphql_url == API
    assert config.realtime_url == OUTPUTS["RealtimeUrl"]
    assert config.region == "eu-west-1" and config.api_key == "da2-public"
    assert config.user_pool is not None and config.user_pool.endpoint is None  # real Cognito
    assert config.iam is None and config.users == () and not config.is_local


def test_environment_variables_take_the_same_path() -> None:
    env = {
        "PCHAT_GRAPHQL_URL": API,
        "PCHAT_USER_POOL_ID": "eu-west-1_xyz",
        "PCHAT_USER_POOL_CLIENT_ID": "webclient",
        "PCHAT_API_KEY": "da2-public",
    }
    config = load_config(env=env)
    # Region and realtime URL are derived exactly as AppSync names its endpoints.
    assert config.region == "eu-west-1"
    assert config.realtime_url == OUTPUTS["RealtimeUrl"]
    assert config == config_from_dict(
        OUTPUTS | {"RealtimeUrl": config.realtime_url}, source=config.source
    )


def test_precedence_explicit_path_then_pchat_config(tmp_path: Path) -> None:
    chosen = write(tmp_path, RUNTIME)
    env = {"PCHAT_CONFIG": str(chosen), "PCHAT_GRAPHQL_URL": API}
    assert load_config(env=env).graphql_url == RUNTIME["graphqlUrl"]


def test_a_missing_default_file_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"\.local/runtime\.json not found.*make run"):
        load_config(env={})


def test_unusable_files_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match=r"broken\.json"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match=r"missing 'region'"):
        config_from_dict({"graphqlUrl": "http://x/graphql"})
    with pytest.raises(ConfigError, match=r"neither runtime\.json"):
        config_from_dict({"something": "else"})


def test_a_local_http_url_gets_a_ws_realtime_url() -> None:
    config = config_from_dict({"graphqlUrl": "http://127.0.0.1:9/graphql", "region": "us-east-1"})
    assert config.realtime_url == "ws://127.0.0.1:9/graphql"


def test_config_dir_follows_pchat_then_xdg(tmp_path: Path) -> None:
    assert default_config_dir({"PCHAT_CONFIG_DIR": "/x"}) == Path("/x")
    assert default_config_dir({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/pchat")
