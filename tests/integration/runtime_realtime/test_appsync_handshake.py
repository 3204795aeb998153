"""AppSync dialect: connect authentication, both header transports, init, keep-alive, timers."""

from __future__ import annotations

import websockets

from .conftest import (
    API_KEY_HEADER,
    GQL_HOST,
    Runtime,
    RuntimeFactory,
    b64url_nopad,
    make_jwt,
    recv,
    send,
)

UNAUTHORIZED = {
    "type": "connection_error",
    "payload": {
        "errors": [
            {
                "errorType": "com.amazonaws.deepdish.graphql.auth#UnauthorizedException",
                "message": "You are not authorized to make this call.",
                "errorCode": 400,
            }
        ]
    },
}


async def test_bad_api_key_gets_connection_error_then_close(runtime: Runtime) -> None:
    # Given a connect header with a wrong API key
    ws = await runtime.connect(header={"host": GQL_HOST, "x-api-key": "da2-wrong"})
    # When the client initialises
    await send(ws, {"type": "connection_init"})
    # Then AppSync's connection_error arrives and the server closes the socket
    assert await recv(ws) == UNAUTHORIZED
    await ws.wait_closed()
    assert ws.close_code == 1000


async def test_missing_header_is_unauthorized(runtime: Runtime) -> None:
    ws = await websockets.connect(runtime.url(), subprotocols=["graphql-ws"])
    await send(ws, {"type": "connection_init"})
    assert await recv(ws) == UNAUTHORIZED
    await ws.wait_closed()


async def test_undecodable_header_is_unauthorized(runtime: Runtime) -> None:
    ws = await websockets.connect(
        runtime.url() + "?header=not-base64!!&payload=e30=", subprotocols=["graphql-ws"]
    )
    assert await recv(ws) == UNAUTHORIZED


async def test_query_form_ack_then_immediate_ka(runtime: Runtime) -> None:
    # Given the gql-style handshake (query header, subprotocol graphql-ws)
    ws = await runtime.connect()
    assert ws.subprotocol == "graphql-ws"
    # When connection_init is sent with an empty payload
    await send(ws, {"type": "connection_init", "payload": {}})
    # Then the ack carries connectionTimeoutMs and a ka follows right away
    assert await recv(ws) == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}
    assert await recv(ws) == {"type": "ka"}


async def test_subprotocol_header_form_on_realtime_path(runtime: Runtime) -> None:
    # Given Amplify v6's handshake: no query header, base64url without padding in a subprotocol
    header = {
        "host": GQL_HOST,
        "x-api-key": API_KEY_HEADER["x-api-key"],
        "x-amz-date": "20240101T000000Z",
    }
    encoded = b64url_nopad(header)
    assert "=" not in encoded
    ws = await websockets.connect(
        runtime.url("/graphql/realtime"), subprotocols=["graphql-ws", f"header-{encoded}"]
    )
    # Then the server selected graphql-ws and accepts a payload-less connection_init
    assert ws.subprotocol == "graphql-ws"
    await send(ws, {"type": "connection_init"})
    assert (await recv(ws))["type"] == "connection_ack"


async def test_subprotocol_header_with_bad_key_is_rejected(runtime: Runtime) -> None:
    encoded = b64url_nopad({"host": GQL_HOST, "x-api-key": "da2-nope"})
    ws = await websockets.connect(
        runtime.url("/graphql/realtime"), subprotocols=["graphql-ws", f"header-{encoded}"]
    )
    assert await recv(ws) == UNAUTHORIZED


async def test_unknown_query_params_are_ignored(runtime: Runtime) -> None:
    # Amplify turns custom headers into query parameters (reference 1.1)
    ws = await websockets.connect(
        runtime.appsync_url() + "&x-custom=1&another=two", subprotocols=["graphql-ws"]
    )
    await send(ws, {"type": "connection_init"})
    assert (await recv(ws))["type"] == "connection_ack"


async def test_cognito_jwt_connect(runtime: Runtime) -> None:
    ws = await runtime.connect(header={"host": GQL_HOST, "Authorization": make_jwt()})
    await send(ws, {"type": "connection_init"})
    assert (await recv(ws))["type"] == "connection_ack"


async def test_expired_jwt_connect_is_rejected(runtime: Runtime) -> None:
    token = make_jwt(exp=1_000_000_000)
    ws = await runtime.connect(header={"host": GQL_HOST, "Authorization": token})
    assert await recv(ws) == UNAUTHORIZED


async def test_keep_alive_repeats(make_runtime: RuntimeFactory) -> None:
    runtime = await make_runtime(keepalive_s=0.05)
    ws = await runtime.acked()
    # Then more ka frames keep coming without any client traffic
    assert await recv(ws) == {"type": "ka"}
    assert await recv(ws) == {"type": "ka"}


async def test_no_connection_init_times_out(make_runtime: RuntimeFactory) -> None:
    runtime = await make_runtime(connection_init_timeout_s=0.1)
    ws = await runtime.connect()
    # When the client never initialises, the server closes the connection
    await ws.wait_closed()
    assert ws.close_code == 4408


async def test_start_without_init_is_accepted(runtime: Runtime) -> None:
    # AppSync's docs mark connection_init optional (reference 1.3)
    ws = await runtime.connect()
    await runtime.subscribed(ws, "1")


async def test_connection_closes_at_max_duration(make_runtime: RuntimeFactory) -> None:
    runtime = await make_runtime(max_connection_s=0.2)
    ws = await runtime.acked()
    await ws.wait_closed()
    assert ws.close_code == 1000
    assert ws.close_reason == "Maximum connection duration reached"


async def test_second_connection_init_is_acked_again(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, {"type": "connection_init"})
    assert (await recv(ws, skip_ka=True))["type"] == "connection_ack"


async def test_hub_close_sends_going_away_and_waits(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1")
    # When the runtime shuts the hub down
    await runtime.hub.close()
    # Then the session has ended and released its subscription, and the client saw 1001
    assert not runtime.hub.sessions and runtime.hub.subscription_count == 0
    await ws.wait_closed()
    assert ws.close_code == 1001
