"""Fixtures: a real moto cognito-idp server, the todo fixture template, and the core
runtime (Engine + Authenticator + HTTP routes) served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import uvicorn
from moto.server import ThreadedMotoServer
from starlette.applications import Starlette

from appsync_local.auth import ApiKey, AuthConfig, Authenticator, IamPrincipal
from appsync_local.engine import Engine
from appsync_local.http_app import http_routes
from appsync_local.lambda_pool import LambdaPool
from appsync_local.template import load_template

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "todo_api" / "template.yaml"
REGION = "us-east-1"
CONFIG_KEY = "da2-configgivenkey0000000000"
IAM_KEY_ID = "AKIAINTEGRATIONTEST1"
IAM_SECRET = "integration-test-secret-key"
PASSWORD = "Passw0rd!local"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cognito:
    endpoint: str
    pool_id: str
    client_id: str
    rogue_client_id: str

    def client(self) -> Any:
        return boto3.client("cognito-idp", region_name=REGION, endpoint_url=self.endpoint,
                            aws_access_key_id="moto", aws_secret_access_key="moto")

    def tokens(self, username: str, client_id: str | None = None) -> dict[str, str]:
        res = self.client().initiate_auth(
            ClientId=client_id or self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
        return dict(res["AuthenticationResult"])


@pytest.fixture(scope="session")
def cognito() -> Iterator[Cognito]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint,
                       aws_access_key_id="moto", aws_secret_access_key="moto")
    pool_id = idp.create_user_pool(PoolName="todo-users")["UserPool"]["Id"]

    def app_client(name: str) -> str:
        return str(idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=name,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"])

    client_id, rogue = app_client("todo-web"), app_client("not-in-template")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    for user in ("alice", "bob"):
        idp.admin_create_user(UserPoolId=pool_id, Username=user, MessageAction="SUPPRESS",
                              TemporaryPassword="Tmp-Passw0rd!")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=user, Password=PASSWORD,
                                    Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    yield Cognito(endpoint, pool_id, client_id, rogue)
    server.stop()


@dataclass
class Runtime:
    url: str
    host: str
    engine: Engine
    authenticator: Authenticator
    pool: LambdaPool
    api_key: str
    expired_key: str
    cognito: Cognito


@pytest.fixture(scope="session")
def env_vars_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("env") / "env.json"
    path.write_text(json.dumps({
        "Parameters": {"SHARED": "from-parameters", "NOT_DECLARED_ANYWHERE": "ignored"},
        "TodoFunction": {"SECRET_A": "overridden-for-todo"},
    }))
    return path


@pytest.fixture(scope="session")
def runtime(cognito: Cognito, env_vars_file: Path) -> Iterator[Runtime]:
    port = free_port()
    host = f"127.0.0.1:{port}"
    model = load_template(
        TEMPLATE, env_vars_file=env_vars_file, region=REGION,
        physical_ids={"UserPool": cognito.pool_id, "UserPoolClient": cognito.client_id},
        graphql_url=f"http://{host}/graphql",
        extra_env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1"},
    )
    pool = LambdaPool(model.functions, workers_per_function=2)
    engine = Engine(model, pool)
    config = AuthConfig.from_model(
        model, api_keys=[ApiKey(CONFIG_KEY)],
        cognito_jwks_url=cognito.endpoint + "/{pool_id}/.well-known/jwks.json",
        iam_principals=[IamPrincipal(IAM_KEY_ID, IAM_SECRET, user_arn=
                                     "arn:aws:iam::000000000000:user/integration")],
    )
    authenticator = Authenticator(config)
    app = Starlette(routes=http_routes(engine, authenticator, max_body_bytes=256 * 1024))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    keys = {k.logical_id: k.value for k in model.api_keys}
    yield Runtime(f"http://{host}/graphql", host, engine, authenticator, pool,
                  keys["TodoApiKey"], keys["ExpiredApiKey"], cognito)
    server.should_exit = True
    thread.join(timeout=10)
    asyncio.run(pool.close())
