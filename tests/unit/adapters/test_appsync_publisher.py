"""AppSyncPublisher against a loopback HTTP server: signing, order, failures, reuse.

The server (aiohttp.web in a thread) records each request with the client port it came
from, so the tests see whether warm invocations reuse one kept-alive connection.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from botocore.credentials import Credentials
from gql import GraphQLRequest
from positive_chat.adapters.appsync import AppSyncPublisher
from positive_chat.adapters.appsync.publisher import PUBLISH_TAG_CLOUD, operation_for
from positive_chat.domain.errors import ProviderError
from positive_chat.domain.events import TagCloudChanged
from positive_chat.domain.model import TagCount


@dataclass
class Recorded:
    port: int
    authorization: str
    operation: str
    room_id: str
    body: dict[str, Any]


@dataclass
class FakeAppSync:
    """Answers publishTagCloud by echoing; behaviour per room id set by the test."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    errors_for: set[str] = field(default_factory=set)  # GraphQL error in the answer
    drop_once_for: set[str] = field(default_factory=set)  # close the socket, no answer

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.text())
        variables = body.get("variables") or {}
        room = str(variables.get("roomId", ""))
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.requests.append(Recorded(port=peer[1] if peer else 0,
                                      authorization=request.headers.get("authorization", ""),
                                      operation=body.get("operationName") or
                                      body["query"].split("(")[0].split()[-1],
                                      room_id=room, body=body))
        if room in self.drop_once_for:
            self.drop_once_for.discard(room)
            assert request.transport is not None
            request.transport.close()  # as a server closing an idle keep-alive connection
            return web.Response()
        if room in self.errors_for:
            return web.json_response({"data": {"publishTagCloud": None}, "errors": [
                {"message": "Not Authorized", "errorType": "Unauthorized"}]})
        return web.json_response({"data": {"publishTagCloud": {
            "roomId": room, "tags": variables.get("tags"), "updatedAt": variables.get("updatedAt")}}})


@pytest.fixture
def appsync() -> Iterator[FakeAppSync]:
    fake = FakeAppSync()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner_box: dict[str, Any] = {}

    async def start() -> None:
        app = web.Application()
        app.router.add_post("/graphql", fake.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        fake.url = f"http://127.0.0.1:{port}/graphql"
        runner_box["runner"] = runner

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield fake
    asyncio.run_coroutine_threadsafe(runner_box["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def _cloud(room: str) -> TagCloudChanged:
    return TagCloudChanged(room_id=room, tags=(TagCount("tea", 2),), updated_at_ms=1_700_000_000_000)


def _publisher(url: str) -> AppSyncPublisher:
    return AppSyncPublisher(url, "us-east-1", Credentials("AKIDEXAMPLE", "secret"))


def test_publishes_in_order_signed_and_reuses_one_connection(appsync: FakeAppSync) -> None:
    publisher = _publisher(appsync.url)
    try:
        # Two invocations of a warm environment.
        assert publisher.publish([_cloud("r1"), _cloud("r2")]) == [None, None]
        assert publisher.publish([_cloud("r3")]) == [None]
    finally:
        publisher.close()
    assert [r.room_id for r in appsync.requests] == ["r1", "r2", "r3"]
    assert all(r.operation == "PublishTagCloud" for r in appsync.requests)
    assert all(r.authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
               for r in appsync.requests)
    assert len({r.port for r in appsync.requests}) == 1  # one kept-alive connection
    # The body is what gql itself sends (the document printed, the variables).
    assert appsync.requests[0].body == GraphQLRequest(
        PUBLISH_TAG_CLOUD, variable_values=operation_for(_cloud("r1"))[1]).payload


def test_a_failed_publication_is_reported_and_the_rest_still_go(appsync: FakeAppSync) -> None:
    appsync.errors_for = {"bad"}
    publisher = _publisher(appsync.url)
    try:
        results = publisher.publish([_cloud("r1"), _cloud("bad"), _cloud("r2")])
    finally:
        publisher.close()
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ProviderError)
    assert [r.room_id for r in appsync.requests] == ["r1", "bad", "r2"]


def test_a_connection_closed_by_the_server_is_replaced_once(appsync: FakeAppSync) -> None:
    publisher = _publisher(appsync.url)
    try:
        assert publisher.publish([_cloud("r1")]) == [None]
        appsync.drop_once_for = {"r2"}
        assert publisher.publish([_cloud("r2"), _cloud("r3")]) == [None, None]
    finally:
        publisher.close()
    assert [r.room_id for r in appsync.requests] == ["r1", "r2", "r2", "r3"]
    ports = [r.port for r in appsync.requests]
    assert ports[0] == ports[1] and ports[2] == ports[3] and ports[1] != ports[2]


def test_an_unreachable_endpoint_fails_each_change_without_raising() -> None:
    publisher = _publisher("http://127.0.0.1:9/graphql")  # discard port: nothing listens
    try:
        results = publisher.publish([_cloud("r1"), _cloud("r2")])
    finally:
        publisher.close()
    assert all(isinstance(r, ProviderError) for r in results)


def test_close_is_idempotent_and_publish_works_after_it(appsync: FakeAppSync) -> None:
    publisher = _publisher(appsync.url)
    assert publisher.publish([]) == []
    publisher.close()
    assert publisher.publish([_cloud("r1")]) == [None]
    publisher.close()
    publisher.close()
    assert [r.room_id for r in appsync.requests] == ["r1"]
