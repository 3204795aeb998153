"""One real local runtime for the client's end-to-end tests, and signed-in pchat clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pchat import ChatClient, CognitoSession, Config, UserPoolCredentials, load_config, open_client

from tests.runtime_process import RuntimeProcess, skip_unless_prerequisites


@pytest.fixture(scope="package")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeProcess]:
    skip_unless_prerequisites()
    local = RuntimeProcess(tmp_path_factory.mktemp("pchat-e2e") / "state")
    local.start()
    yield local
    local.stop()


@pytest.fixture
def config(runtime: RuntimeProcess) -> Config:
    if not runtime.running:
        runtime.start()  # a previous test stopped it
    return load_config(runtime.config_path, env={})


async def sign_in(config: Config, username: str) -> ChatClient:
    assert config.user_pool is not None
    session = CognitoSession(config.user_pool, config.region)
    password = config.dev_password(username)
    assert password, f"{username} is not a seeded user"
    await asyncio.to_thread(session.login, username, password)
    return open_client(config, UserPoolCredentials(session))


@pytest.fixture
async def alice(config: Config) -> AsyncIterator[ChatClient]:
    async with await sign_in(config, "alice") as client:
        yield client


@pytest.fixture
async def bob(config: Config) -> AsyncIterator[ChatClient]:
    async with await sign_in(config, "bob") as client:
        yield client


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "pchat-config"
