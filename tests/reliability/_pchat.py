"""pchat (client/pchat) clients signed in against a RelRuntime, through its public API."""

from __future__ import annotations

import asyncio
import dataclasses

from pchat import ChatClient, CognitoSession, Config, UserPoolCredentials, load_config, open_client

from ._runtime import RelRuntime


def config_of(rt: RelRuntime, *, realtime_url: str | None = None) -> Config:
    config = load_config(rt.config_path, env={})
    if realtime_url is not None:
        config = dataclasses.replace(config, realtime_url=realtime_url)
    return config


async def credentials(rt: RelRuntime, username: str) -> UserPoolCredentials:
    config = config_of(rt)
    assert config.user_pool is not None
    session = CognitoSession(config.user_pool, config.region)
    await asyncio.to_thread(session.login, username, rt.password(username))
    return UserPoolCredentials(session)


async def sign_in(rt: RelRuntime, username: str, *, realtime_url: str | None = None,
                  creds: UserPoolCredentials | None = None) -> ChatClient:
    creds = creds or await credentials(rt, username)
    return open_client(config_of(rt, realtime_url=realtime_url), creds)
