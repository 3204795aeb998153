"""Opaque page tokens and a Query loop that fills a page.

A token is base64url(JSON) of a DynamoDB ExclusiveStartKey. It is opaque to clients but not
secret (it holds key values the caller could already see). Decoding checks it against the
query's ``PageScope``: the same key attributes with the same types, the same partition
values, and the expected sort-key prefixes, so a token made for one room (or user, or tag)
can never move a query into another partition.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ...domain.errors import InvalidPageTokenError
from ._errors import store_errors
from .codec import RawItem

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# A key of 4 attributes of at most ~1 KB each fits comfortably; anything longer is not ours.
MAX_TOKEN_CHARS = 4096
# A Query returns at most 1 MB, and a page we filter (tombstones) may need several Queries.
# Bound them so one request cannot read a whole partition: past this the page comes back
# short (even empty) with a nextToken, which clients must follow like any other.
MAX_QUERY_CALLS = 5


@dataclass(frozen=True)
class PageScope:
    """What a valid token for one query looks like.

    ``types``: every key attribute of the query's ExclusiveStartKey -> "S" or "N".
    ``fixed``: partition attributes -> the only value allowed.
    ``prefixes``: sort attributes -> the prefix they must start with.
    ``ranges``: sort attributes -> the query's (low, high) BETWEEN bounds, so a token made
    for another time window is refused rather than sent to DynamoDB (which would fail).
    """

    types: Mapping[str, Literal["S", "N"]]
    fixed: Mapping[str, str] = field(default_factory=dict)
    prefixes: Mapping[str, str] = field(default_factory=dict)
    ranges: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def key_of(self, item: RawItem) -> dict[str, Any]:
        return {name: item[name] for name in self.types}


def encode_token(start_key: Mapping[str, Any]) -> str:
    raw = json.dumps(start_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, scope: PageScope) -> dict[str, Any] | None:
    """The ExclusiveStartKey for this query, or None for the first page.

    Raises
    ------
    InvalidPageTokenError
        not a token of ours, or one made for another query or partition.
    """
    if token is None:
        return None
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise InvalidPageTokenError()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidPageTokenError() from exc
    if not _valid(key, scope):
        raise InvalidPageTokenError()
    return dict(key)


def _valid(key: Any, scope: PageScope) -> bool:
    if not isinstance(key, dict) or set(key) != set(scope.types):
        return False
    for name, kind in scope.types.items():
        value = key[name]
        if not (isinstance(value, dict) and list(value) == [kind] and isinstance(value[kind], str)):
            return False
        text = value[kind]
        if kind == "N" and not _is_int(text):
            return False
        if name in scope.fixed and text != scope.fixed[name]:
            return False
        if name in scope.prefixes and not text.startswith(scope.prefixes[name]):
            return False
        if name in scope.ranges and not scope.ranges[name][0] <= text <= scope.ranges[name][1]:
            return False
    return True


def _is_int(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return body.isascii() and body.isdigit() and len(body) <= 38


def query_page(
    client: DynamoDBClient,
    scope: PageScope,
    *,
    limit: int,
    next_token: str | None,
    keep: Callable[[RawItem], bool] | None = None,
    operation: str = "Query",
    **query: Any,
) -> tuple[list[RawItem], str | None]:
    """Up to ``limit`` items (those ``keep`` accepts) and the token for the next page.

    Each Query asks for one item more than still needed: seeing it tells that more follow,
    so the last page normally gets no token (DynamoDB alone would often return a
    LastEvaluatedKey and cost the client an empty round trip). The token is the key of the
    last item *examined*, so filtered-out items are never read twice.

    Raises
    ------
    InvalidPageTokenError, StoreError
    """
    start = decode_token(next_token, scope)
    kept: list[RawItem] = []
    last: RawItem | None = None
    with store_errors(operation):
        for _ in range(MAX_QUERY_CALLS):
            params = dict(query, Limit=limit - len(kept) + 1)
            if start is not None:
                params["ExclusiveStartKey"] = start
            response = client.query(**params)
            for item in response.get("Items", []):
                if len(kept) == limit:
                    assert last is not None
                    return kept, encode_token(scope.key_of(last))
                last = item
                if keep is None or keep(item):
                    kept.append(item)
            start = response.get("LastEvaluatedKey")
            if start is None:
                return kept, None
            if len(kept) == limit:
                assert last is not None
                return kept, encode_token(scope.key_of(last))
    assert start is not None  # the loop returns when the partition is exhausted
    return kept, encode_token(start)
