"""Decoding the connect header from both AppSync handshake transports (reference 1.2).

1. Query form (gql): ``?header=<base64(JSON)>&payload=e30=`` with standard base64.
2. Subprotocol form (Amplify JS v6): ``Sec-WebSocket-Protocol: graphql-ws, header-<b64url>``,
   URL-safe alphabet with the ``=`` padding stripped.

Both alphabets are accepted in both places and missing padding is restored, because the
two clients differ only in encoding details and AppSync accepts either form.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._strict_json import loads_strict

APPSYNC_SUBPROTOCOL = "graphql-ws"
TRANSPORT_WS_SUBPROTOCOL = "graphql-transport-ws"
HEADER_SUBPROTOCOL_PREFIX = "header-"


class HeaderDecodeError(ValueError):
    """The header parameter is present but is not base64 of a JSON object."""


def decode_header(encoded: str) -> dict[str, Any]:
    """Decode base64 or base64url (padding optional) JSON into a header object.

    Raises
    ------
    HeaderDecodeError
        Not valid base64, not JSON, or not a JSON object.
    """
    # A '+' sent unescaped in a query string arrives as a space after form decoding.
    text = encoded.strip().replace(" ", "+").replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, validate=True)
        header = loads_strict(raw)
    except (binascii.Error, ValueError) as exc:
        raise HeaderDecodeError("header is not base64-encoded JSON") from exc
    if not isinstance(header, dict):
        raise HeaderDecodeError("header is not a JSON object")
    return header


def header_from_subprotocols(subprotocols: Sequence[str]) -> str | None:
    """The encoded part of the first ``header-…`` subprotocol, if any."""
    for proto in subprotocols:
        if proto.startswith(HEADER_SUBPROTOCOL_PREFIX):
            return proto[len(HEADER_SUBPROTOCOL_PREFIX) :]
    return None


def encoded_connect_header(
    query_params: Mapping[str, str], subprotocols: Sequence[str]
) -> str | None:
    """The still-encoded connect header from whichever transport carries it.

    The subprotocol form wins when both are present: it is the one current Amplify uses,
    and AppSync keeps the query form only for older clients. Other query parameters
    (Amplify turns custom headers into query params) are ignored.
    """
    from_subprotocol = header_from_subprotocols(subprotocols)
    if from_subprotocol is not None:
        return from_subprotocol
    return query_params.get("header")


def lowercase_headers(header: Mapping[str, Any]) -> dict[str, str]:
    """HTTP-style request headers for resolvers: lower-cased names, string values."""
    return {str(k).lower(): v if isinstance(v, str) else json.dumps(v) for k, v in header.items()}
