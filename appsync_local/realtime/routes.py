"""WebSocket routes: pick the dialect from the handshake, then run a session.

Dialect choice (reference 1.1, 1.2):
- AppSync's connect header present (a `header` query parameter or a `header-…`
  subprotocol) -> the AppSync dialect, selecting `graphql-ws` in the response when offered
  (Amplify requires the server to select it). AppSync clients always send the header.
- otherwise `graphql-transport-ws` offered -> the modern graphql-ws protocol (generic
  clients such as gql's WebsocketsTransport offer both names and have no AppSync header).
- otherwise -> the AppSync dialect, whose connect check then rejects the missing header
  with AppSync's `connection_error`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .appsync_session import AppSyncSession
from .headers import (
    APPSYNC_SUBPROTOCOL,
    TRANSPORT_WS_SUBPROTOCOL,
    HeaderDecodeError,
    decode_header,
    encoded_connect_header,
)
from .session import Session
from .transport_ws import TransportWSSession

if TYPE_CHECKING:
    from .hub import SubscriptionHub

#: gql keeps the /graphql path; Amplify appends /realtime for non-AWS hosts (reference 1.1).
REALTIME_PATHS = ("/graphql", "/graphql/realtime")


def build_routes(hub: SubscriptionHub) -> list[BaseRoute]:
    async def endpoint(websocket: WebSocket) -> None:
        session = await _accept(websocket, hub)
        await session.run()

    return [WebSocketRoute(path, endpoint) for path in REALTIME_PATHS]


async def _accept(websocket: WebSocket, hub: SubscriptionHub) -> Session:
    offered: list[str] = list(websocket.scope.get("subprotocols") or [])
    encoded = encoded_connect_header(websocket.query_params, offered)
    if encoded is None and TRANSPORT_WS_SUBPROTOCOL in offered:
        await websocket.accept(subprotocol=TRANSPORT_WS_SUBPROTOCOL)
        return TransportWSSession(websocket, hub, _optional_header(websocket))
    await websocket.accept(
        subprotocol=APPSYNC_SUBPROTOCOL if APPSYNC_SUBPROTOCOL in offered else None
    )
    return AppSyncSession(websocket, hub, encoded)


def _optional_header(websocket: WebSocket) -> dict[str, object] | None:
    encoded = websocket.query_params.get("header")
    if encoded is None:
        return None
    try:
        return decode_header(encoded)
    except HeaderDecodeError:
        return None
