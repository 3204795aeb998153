"""Small helpers shared by the tests: unmodified gql clients and raw HTTP posts."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncAuthentication


async def gql_execute(url: str, auth: AppSyncAuthentication, query: str,
                      variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute with gql's AIOHTTPTransport exactly as an application would."""
    transport = AIOHTTPTransport(url=url, auth=auth)
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        return await session.execute(gql(query), variable_values=variables)  # type: ignore[no-any-return]


async def post_raw(url: str, body: bytes | str | dict[str, Any],
                   headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body) if isinstance(body, dict) else body
    async with aiohttp.ClientSession() as s, s.post(
        url, data=data, headers={"content-type": "application/json", **(headers or {})}
    ) as resp:
        text = await resp.text()
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return resp.status, headers, json.loads(text) if text else None
