"""The pure parts: state machines, header decoding, frame parsing, argument matching."""

from __future__ import annotations

import base64
import json

import pytest

from appsync_local.realtime import errors, frames
from appsync_local.realtime.filtering import matches_arguments
from appsync_local.realtime.headers import HeaderDecodeError, decode_header, encoded_connect_header
from appsync_local.realtime.protocol import (
    ConnectionMachine,
    ConnectionState,
    OperationState,
    OperationTable,
)


def test_connection_machine_allows_only_listed_transitions() -> None:
    machine = ConnectionMachine()
    with pytest.raises(errors.IllegalTransitionError):
        machine.advance(ConnectionState.READY)  # must authenticate first
    machine.advance(ConnectionState.AWAITING_INIT)
    machine.advance(ConnectionState.READY)
    with pytest.raises(errors.IllegalTransitionError):
        machine.advance(ConnectionState.AWAITING_INIT)
    machine.advance(ConnectionState.CLOSED)
    with pytest.raises(errors.IllegalTransitionError):
        machine.advance(ConnectionState.CLOSED)


def test_operation_table_tracks_identity_not_just_ids() -> None:
    table = OperationTable(limit=2)
    first = table.reserve("a")
    # Given "a" stopped while preparing and then started again
    assert table.release("a") is first
    second = table.reserve("a")
    # Then the stale preparation cannot activate the new operation
    assert table.activate(first) is False
    assert table.activate(second) is True
    assert second.state is OperationState.ACTIVE
    with pytest.raises(errors.IllegalTransitionError):
        first.advance(OperationState.ACTIVE)


def test_operation_table_limit_and_duplicates() -> None:
    table = OperationTable(limit=1)
    table.reserve(1)
    with pytest.raises(errors.OperationRejectedError) as duplicate:
        table.reserve(1)
    assert duplicate.value.error["errorType"] == "DuplicatedOperationError"
    with pytest.raises(errors.OperationRejectedError) as full:
        table.reserve(2)
    assert full.value.error["message"] == "Max number of 1 subscriptions reached"


HEADER = {"host": "h.appsync-api.us-east-1.amazonaws.com", "x-api-key": "da2-?>~"}


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(json.dumps(HEADER).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps(HEADER).encode()).decode().rstrip("="),
        # an unescaped '+' in a query string arrives as a space
        base64.b64encode(json.dumps(HEADER).encode()).decode().replace("+", " "),
    ],
)
def test_header_decoding_accepts_both_alphabets_and_missing_padding(encoded: str) -> None:
    assert decode_header(encoded) == HEADER


def test_empty_header_without_padding_decodes() -> None:
    assert decode_header("e30") == {}


@pytest.mark.parametrize("encoded", ["%%%", base64.b64encode(b"[1,2]").decode(), "bm90IGpzb24"])
def test_header_decoding_rejects_what_is_not_a_json_object(encoded: str) -> None:
    with pytest.raises(HeaderDecodeError):
        decode_header(encoded)


def test_subprotocol_header_wins_over_query_header() -> None:
    assert encoded_connect_header({"header": "q"}, ["graphql-ws", "header-s"]) == "s"
    assert encoded_connect_header({"header": "q"}, ["graphql-ws"]) == "q"
    assert encoded_connect_header({}, ["graphql-ws"]) is None


def test_start_frame_keeps_the_exact_data_string() -> None:
    data = '{"query":"subscription{onEvent{seq}}",  "variables":{}}'
    frame = {"id": 5, "type": "start", "payload": {"data": data}}
    parsed = frames.parse_client_frame(json.dumps(frame))
    assert isinstance(parsed, frames.Start)
    assert (parsed.op_id, parsed.data, parsed.authorization) == (5, data, {})


def test_bool_ids_are_not_ids() -> None:
    with pytest.raises(errors.FrameError):
        frames.parse_client_frame(json.dumps({"type": "stop", "id": True}))


def test_argument_matching() -> None:
    assert matches_arguments({"a": 1, "b": "x"}, {"a": 1, "b": "x", "c": 3})
    assert not matches_arguments({"a": 1, "b": "y"}, {"a": 1, "b": "x"})
    assert matches_arguments({}, {"a": 1})
    assert matches_arguments({"a": None}, {"b": 2})  # explicit null matches an absent field
    assert not matches_arguments({"a": None}, {"a": 2})
    assert matches_arguments({"a": 1}, [{"a": 2}])  # list payloads are not filtered
