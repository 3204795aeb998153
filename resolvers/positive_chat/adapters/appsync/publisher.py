"""Publisher port -> AppSync publish mutations, signed with SigV4 (IAM auth).

Uses gql's AppSync IAM authentication over aiohttp: the same client library
our users use, and the documented pattern for server-side pushes (reference 4.5).
AppSync sends subscribers only what the publish mutation SELECTED, so each
selection set below lists every field of the returned type (tests/infra checks
that against schema.graphql).

Warm invocations reuse what a cold start built: one event loop, one gql session
(aiohttp, HTTP keep-alive) and one signer. Building them per invocation cost more
CPU than the publications themselves (gql's IAM auth creates a botocore Session, a
few ms of handler registration, and every batch opened a new connection). A
keep-alive connection the server closed while the environment was idle (or frozen)
fails the first request with a disconnect; that request is sent once more on a new
connection (publications are at-least-once anyway; clients de-duplicate).

One request per change, not one aliased multi-field mutation per batch: AppSync is
reported not to trigger subscriptions for aliased mutation fields (docs/decisions.md).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import aiohttp
from gql import Client, GraphQLRequest, gql
from gql.client import AsyncClientSession
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication
from gql.transport.exceptions import TransportConnectionFailed
from graphql import DocumentNode, print_ast

from ... import graphql_shapes as serialize
from ...domain.errors import ProviderError
from ...domain.events import Change, MessageChanged, RoomCreated, TagCloudChanged

logger = logging.getLogger(__name__)

MESSAGE_SELECTION = """
  id roomId author { id username } text language
  sentiment { label positive negative neutral mixed } moderation tags
  translations { language text } translationStatus untranslatedLanguages points
  createdAt editedAt clientId _version _lastChangedAt _deleted
"""
TAG_CLOUD_SELECTION = "roomId tags { tag count } updatedAt"
ROOM_SELECTION = """
  id name description visibility owner { id username } negativityThreshold
  requireSentiment languages memberCount createdAt
"""

PUBLISH_MESSAGE = gql(
    """mutation PublishMessage($roomId: ID!, $id: ID!, $author: AuthorInput!, $text: String!,
  $language: String!, $sentiment: SentimentInput, $moderation: ModerationStatus!, $tags: [String!]!,
  $translations: [TranslationInput!]!, $translationStatus: TranslationStatus!,
  $untranslatedLanguages: [String!]!, $points: Int!, $createdAt: AWSDateTime!, $editedAt: AWSDateTime,
  $clientId: ID!, $_version: Int!, $_lastChangedAt: AWSTimestamp!, $_deleted: Boolean!) {
  publishMessage(roomId: $roomId, id: $id, author: $author, text: $text, language: $language,
    sentiment: $sentiment, moderation: $moderation, tags: $tags, translations: $translations,
    translationStatus: $translationStatus, untranslatedLanguages: $untranslatedLanguages,
    points: $points, createdAt: $createdAt, editedAt: $editedAt, clientId: $clientId,
    _version: $_version, _lastChangedAt: $_lastChangedAt, _deleted: $_deleted) {"""
    + MESSAGE_SELECTION
    + "}}"
)
PUBLISH_TAG_CLOUD = gql(
    """mutation PublishTagCloud($roomId: ID!, $tags: [TagCountInput!]!, $updatedAt: AWSDateTime!) {
  publishTagCloud(roomId: $roomId, tags: $tags, updatedAt: $updatedAt) {"""
    + TAG_CLOUD_SELECTION
    + "}}"
)
PUBLISH_ROOM = gql(
    """mutation PublishRoom($id: ID!, $name: String!, $description: String, $visibility: RoomVisibility!,
  $owner: AuthorInput!, $negativityThreshold: Float!, $requireSentiment: Boolean!, $languages: [String!]!,
  $memberCount: Int!, $createdAt: AWSDateTime!) {
  publishRoom(id: $id, name: $name, description: $description, visibility: $visibility, owner: $owner,
    negativityThreshold: $negativityThreshold, requireSentiment: $requireSentiment,
    languages: $languages, memberCount: $memberCount, createdAt: $createdAt) {"""
    + ROOM_SELECTION
    + "}}"
)


def operation_for(change: Change) -> tuple[Any, dict[str, Any]]:
    """The publish mutation and its variables for one change."""
    if isinstance(change, MessageChanged):
        return PUBLISH_MESSAGE, serialize.message(change.message)
    if isinstance(change, TagCloudChanged):
        return PUBLISH_TAG_CLOUD, {
            "roomId": change.room_id,
            "tags": [serialize.tag_count(t) for t in change.tags],
            "updatedAt": serialize.aws_datetime(change.updated_at_ms),
        }
    if isinstance(change, RoomCreated):
        return PUBLISH_ROOM, serialize.room(change.room)
    raise TypeError(f"unknown change {type(change).__name__}")


class _PrintedRequest(GraphQLRequest):
    """A request that sends its document's text printed once.

    gql prints the document (``print_ast``) for every request it sends; for these constant
    documents that was a third of the publisher's CPU. The text sent is the same.
    """

    def __init__(self, request: GraphQLRequest, variables: dict[str, Any]) -> None:
        super().__init__(request, variable_values=variables)
        self._query = _printed(request.document)

    @property
    def payload(self) -> dict[str, Any]:  # what gql's GraphQLRequest.payload builds
        payload: dict[str, Any] = {"query": self._query}
        if self.operation_name:
            payload["operationName"] = self.operation_name
        if self.variable_values:
            payload["variables"] = self.variable_values
        if self.extensions:
            payload["extensions"] = self.extensions
        return payload


# id(document) -> (document, its text). The entry keeps the document alive, so its id
# cannot be reused; ids because hashing a DocumentNode walks the whole tree.
_PRINTED: dict[int, tuple[DocumentNode, str]] = {}


def _printed(document: DocumentNode) -> str:
    entry = _PRINTED.get(id(document))
    if entry is None or entry[0] is not document:
        entry = _PRINTED[id(document)] = (document, print_ast(document))
    return entry[1]


class AppSyncPublisher:
    def __init__(
        self, graphql_url: str, region: str, credentials: Any, *, timeout_s: int = 10
    ) -> None:
        """``credentials``: botocore credentials (the function role's, on Lambda)."""
        if not graphql_url:
            raise ValueError("GRAPHQL_URL is not configured for the publisher")
        self._url = graphql_url
        self._host = urlparse(graphql_url).netloc
        self._region = region
        self._credentials = credentials
        self._timeout_s = timeout_s
        # Built on first use and kept for the life of the execution environment.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None
        self._session: AsyncClientSession | None = None

    def publish(self, changes: Sequence[Change]) -> list[Exception | None]:
        if not changes:
            return []
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
            atexit.register(self.close)
        return self._loop.run_until_complete(self._publish_all(changes))

    def close(self) -> None:
        """Close the connection and the loop (at interpreter exit; idempotent)."""
        loop, self._loop = self._loop, None
        if loop is None or loop.is_closed():
            return
        try:
            loop.run_until_complete(self._disconnect())
        except Exception:
            logger.debug("closing the publisher's session failed", exc_info=True)
        finally:
            loop.close()

    async def _connect(self) -> AsyncClientSession:
        if self._session is None:
            auth = AppSyncIAMAuthentication(
                host=self._host, region_name=self._region, credentials=self._credentials
            )
            transport = AIOHTTPTransport(url=self._url, auth=auth, timeout=self._timeout_s)
            client = Client(transport=transport, fetch_schema_from_transport=False)
            self._session = await client.connect_async()  # type: ignore[no-untyped-call]
            self._client = client
        return self._session

    async def _disconnect(self) -> None:
        client, self._client, self._session = self._client, None, None
        if client is not None:
            await client.close_async()  # type: ignore[no-untyped-call]

    async def _execute(self, request: GraphQLRequest) -> None:
        session = await self._connect()
        try:
            await session.execute(request)
        except TransportConnectionFailed as exc:
            stale = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)
            if not isinstance(exc.__cause__, stale):
                raise
            # A kept-alive connection the server had closed: once more, on a new one.
            await self._disconnect()
            session = await self._connect()
            await session.execute(request)

    async def _publish_all(self, changes: Sequence[Change]) -> list[Exception | None]:
        results: list[Exception | None] = []
        # Publications stay in stream order so a subscriber sees an edit after its post.
        for change in changes:
            document, variables = operation_for(change)
            try:
                await self._execute(_PrintedRequest(document, variables))
                results.append(None)
            except Exception as exc:
                logger.warning("publish failed: %s", type(change).__name__, exc_info=True)
                results.append(ProviderError(f"publish failed: {type(exc).__name__}"))
        return results
