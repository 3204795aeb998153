"""AWS scalars on the wire: accepted/rejected inputs (literals and variables), outputs."""

from __future__ import annotations

import pytest

from ._client import post_raw
from .conftest import Runtime

VALID = {
    "at": ["2024-01-02T03:04:05Z", "2024-01-02T03:04Z", "2024-01-02T03:04:05.123456789+05:30",
           "1970-01-01T00:00:00-07:00:30"],
    "day": ["2024-02-29", "1970-01-01-07:00", "2024-01-02Z"],
    "time": ["12:30", "12:30:15", "12:30:15.5+01:00", "23:59:59.999999999Z"],
    "ts": [0, -1, 1700000000],
    "email": ["a.b+c@example.co.uk", "user@localhost"],
    "url": ["https://example.com/a?b=c", "mailto:a@b.c", "http://localhost/"],
    "ip": ["127.0.0.1", "10.0.0.0/24", "::1", "2001:db8::/32"],
    "phone": ["+1 206-555-0100", "206 555 0100", "+44 20 7946 0958"],
}
INVALID = {
    "at": ["2024-01-02T03:04:05", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "yesterday"],
    "day": ["2024-1-2", "2023-02-29", "02/01/2024"],
    "time": ["25:00", "12:60", "noon"],
    "ts": ["1700000000", 1.5],
    "email": ["not-an-email", "a@", "@b.com"],
    "url": ["example.com", "https://example.com//double", "http://"],
    "ip": ["300.1.1.1", "10.0.0.0/99", "localhost"],
    "phone": ["12", "call me"],
}
TYPES = {"at": "AWSDateTime", "day": "AWSDate", "time": "AWSTime", "ts": "AWSTimestamp",
         "email": "AWSEmail", "url": "AWSURL", "ip": "AWSIPAddress", "phone": "AWSPhone"}


async def _echo(runtime: Runtime, name: str, value: object) -> dict:  # type: ignore[type-arg]
    query = f"query E($v: {TYPES[name]}) {{ echoScalars({name}: $v) {{ {name} }} }}"
    _, _, body = await post_raw(runtime.url, {"query": query, "variables": {"v": value}},
                                {"x-api-key": runtime.api_key})
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in VALID.items() for v in vs])
async def test_valid_values_round_trip(runtime: Runtime, name: str, value: object) -> None:
    body = await _echo(runtime, name, value)
    assert body == {"data": {"echoScalars": {name: value}}}


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in INVALID.items() for v in vs])
async def test_invalid_variables_are_rejected_before_execution(
        runtime: Runtime, name: str, value: object) -> None:
    body = await _echo(runtime, name, value)
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("Variable 'v' has an invalid value")


async def test_invalid_literal_is_a_wrong_type_validation_error(runtime: Runtime) -> None:
    _, _, body = await post_raw(runtime.url, {
        "query": '{ echoScalars(at: "2024-01-02T03:04:05") { at } }'},
        {"x-api-key": runtime.api_key})
    assert body["data"] is None
    assert body["errors"][0]["message"] == (
        "Validation error of type WrongType: argument 'at' with value "
        "'StringValue{value='2024-01-02T03:04:05'}' is not a valid 'AWSDateTime' @ 'echoScalars'")


async def test_awsjson_is_parsed_for_resolvers_and_serialised_back(runtime: Runtime) -> None:
    # The resolver echoes what it received; AWSJSON must reach it as a parsed structure
    status, _, body = await post_raw(runtime.url, {
        "query": "query($m: AWSJSON) { echoScalars(meta: $m) { meta } lastEvent }",
        "variables": {"m": '{"a": [1, 2, {"b": null}], "c": "x"}'}},
        {"x-api-key": runtime.api_key})
    assert status == 200
    assert body["data"]["echoScalars"]["meta"] == '{"a":[1,2,{"b":null}],"c":"x"}'
    for literal in ('"[1,2]"', '"1"', '"true"', '"\\"s\\""'):
        _, _, body = await post_raw(runtime.url, {
            "query": f"{{ echoScalars(meta: {literal}) {{ meta }} }}"},
            {"x-api-key": runtime.api_key})
        assert "errors" not in body, body


@pytest.mark.parametrize("literal", ["{a: 1}", '"{a:1}"', '"{\'a\':1}"', "bare"])
async def test_awsjson_rejects_non_json(runtime: Runtime, literal: str) -> None:
    query = f"{{ echoScalars(meta: {literal}) {{ meta }} }}"
    _, _, body = await post_raw(runtime.url, {"query": query}, {"x-api-key": runtime.api_key})
    assert body["data"] is None and "errors" in body


async def test_awsjson_variable_must_be_a_string(runtime: Runtime) -> None:
    _, _, body = await post_raw(runtime.url, {
        "query": "query($m: AWSJSON) { echoScalars(meta: $m) { meta } }",
        "variables": {"m": {"a": 1}}}, {"x-api-key": runtime.api_key})
    assert body["data"] is None
