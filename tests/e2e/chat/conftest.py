"""The chat API served by the local runtime, driven by UNMODIFIED gql clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from tests.runtime_process import RuntimeProcess, skip_unless_prerequisites


@pytest.fixture(scope="package")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeProcess]:
    skip_unless_prerequisites()
    local = RuntimeProcess(tmp_path_factory.mktemp("chat-e2e") / "state")
    local.start()
    yield local
    local.stop()


@pytest.fixture
def info(runtime: RuntimeProcess) -> dict[str, Any]:
    import json

    if not runtime.running:
        runtime.start()
    return json.loads(runtime.config_path.read_text())  # type: ignore[no-any-return]


def host_of(info: dict[str, Any]) -> str:
    return urlparse(info["graphqlUrl"]).netloc


def id_token(info: dict[str, Any], username: str) -> str:
    """A real token from the local identity provider, through boto3 (as a user would)."""
    user = next(u for u in info["users"] if u["username"] == username)
    client = boto3.client(
        "cognito-idp",
        region_name=info["region"],
        endpoint_url=info["userPool"]["endpoint"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    result = client.initiate_auth(
        ClientId=info["userPool"]["clientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": user["password"]},
    )
    return str(result["AuthenticationResult"]["AccessToken"])
