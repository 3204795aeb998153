"""The '@aws-appsync/utils' shim: ids, time, encoding, DynamoDB helpers."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from appsync_local.js import JsCodeError, JsRuntime

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


async def run(js: JsRuntime, expression: str, ctx: dict[str, Any] | None = None) -> Any:
    code = f"""
    import {{ util }} from '@aws-appsync/utils';
    export function request(ctx) {{ return {expression} }}
    export function response(ctx) {{ return null }}
    """
    return (await js.evaluate(code, "request", ctx or {})).value


async def test_ids(js: JsRuntime) -> None:
    ids = await run(js, "[util.autoId(), util.autoUlid(), util.autoKsuid()]")
    uuid, ulid, ksuid = ids
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid
    )
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", ulid)
    assert re.fullmatch(r"[0-9A-Za-z]{27}", ksuid)
    # Both embed their creation time: ULID in ms (first 10 chars), KSUID in s since 1400000000.
    ulid_ms = 0
    for c in ulid[:10]:
        ulid_ms = ulid_ms * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(c)
    ksuid_n = 0
    for c in ksuid:
        ksuid_n = ksuid_n * 62 + BASE62.index(c)
    assert abs(ulid_ms / 1000 - time.time()) < 5
    assert abs((ksuid_n >> 128) + 1_400_000_000 - time.time()) < 5


async def test_time_now(js: JsRuntime) -> None:
    before = time.time()
    iso, seconds, millis = await run(
        js,
        "[util.time.nowISO8601(), util.time.nowEpochSeconds(), util.time.nowEpochMilliSeconds()]",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert abs(seconds - before) < 5 and abs(millis / 1000 - before) < 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", await run(js, "util.time.nowFormatted('yyyy-MM-dd')"))


PERTH = "'Australia/Perth'"
PARIS = "'Europe/Paris'"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # The examples of the AppSync util.time reference.
        (
            "epochMilliSecondsToFormatted(1517943695500, 'yyyy-MM-dd HH:mm:ssZ')",
            "2018-02-06 19:01:35+0000",
        ),
        (
            f"epochMilliSecondsToFormatted(1517943695500, 'yyyy-MM-dd HH:mm:ssZ', {PERTH})",
            "2018-02-07 03:01:35+0800",
        ),
        (
            "parseFormattedToEpochMilliSeconds('2018-02-01 17:21:05+0000', 'yyyy-MM-dd HH:mm:ssZ')",
            1517505665000,
        ),
        (
            "parseFormattedToEpochMilliSeconds("
            "'2018-02-01 17:21:05', 'yyyy-MM-dd HH:mm:ss', '+08:00')",
            1517476865000,
        ),
        ("parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00')", 1517476865180),
        ("epochMilliSecondsToISO8601(1517943695750)", "2018-02-06T19:01:35.750Z"),
        ("epochMilliSecondsToSeconds(1517943695750)", 1517943695),
        # Daylight saving time, quoted literals, names, the 12-hour clock.
        (
            "epochMilliSecondsToFormatted("
            f"1720000000000, \"EEE, d MMM yyyy h:mm a 'in' VV XXX\", {PARIS})",
            "Wed, 3 Jul 2024 11:46 AM in Europe/Paris +02:00",
        ),
        (
            f"parseFormattedToEpochMilliSeconds('2024-07-03 11:46', 'yyyy-MM-dd HH:mm', {PARIS})",
            1719999960000,
        ),
    ],
)
async def test_time_conversions(js: JsRuntime, expression: str, expected: object) -> None:
    assert await run(js, f"util.time.{expression}") == expected


async def test_unsupported_pattern_letters_fail_loudly(js: JsRuntime) -> None:
    try:
        await run(js, "util.time.nowFormatted('GGGG')")
    except JsCodeError as exc:
        assert "pattern letter 'G'" in exc.message
    else:
        raise AssertionError("expected a code error")


async def test_encoding(js: JsRuntime) -> None:
    assert (
        await run(js, 'util.urlEncode("a b&c=d/é!*\'()~")')
        == "a+b%26c%3Dd%2F%C3%A9%21*%27%28%29%7E"
    )
    assert await run(js, "util.urlDecode('a+b%26c')") == "a b&c"
    assert await run(js, "util.base64Encode('héllo')") == "aMOpbGxv"
    assert await run(js, "util.base64Decode('aMOpbGxv')") == "héllo"
    assert await run(js, "util.escapeJavaScript('say \"hi\"\\n/é')") == 'say \\"hi\\"\\n\\/\\u00E9'
    assert await run(js, "[util.matches('a*b', 'aaab'), util.matches('a', 'ab')]") == [True, False]
    assert await run(js, "util.str.normalize('e\\u0301', 'nfc')") == "é"


async def test_dynamodb_helpers(js: JsRuntime) -> None:
    item = "{ id: 'x', n: 2, ok: true, l: [1, 'a'], m: { z: null } }"
    assert await run(js, f"util.dynamodb.toMapValues({item})") == {
        "id": {"S": "x"},
        "n": {"N": 2},
        "ok": {"BOOL": True},
        "l": {"L": [{"N": 1}, {"S": "a"}]},
        "m": {"M": {"z": {"NULL": None}}},
    }
    assert await run(js, "util.dynamodb.toStringSet(['a', 'b'])") == {"SS": ["a", "b"]}
    assert await run(js, "util.dynamodb.toString(null)") is None

    code = """
    import * as ddb from '@aws-appsync/utils/dynamodb';
    export function request(ctx) { return [ddb.get({ key: { id: ctx.args.id } }),
                                           ddb.put({ key: { id: 'k' }, item: { v: 1 } })] }
    export function response(ctx) { return ctx.result }
    """
    get, put = (await js.evaluate(code, "request", {"arguments": {"id": "1"}})).value
    assert get == {"operation": "GetItem", "key": {"id": {"S": "1"}}}
    assert put == {
        "operation": "PutItem",
        "key": {"id": {"S": "k"}},
        "attributeValues": {"v": {"N": 1}},
    }


async def test_unsupported_helpers_say_so(js: JsRuntime) -> None:
    try:
        await run(js, "util.transform.toDynamoDBFilterExpression({ a: { eq: 1 } })")
    except JsCodeError as exc:
        assert exc.kind == "runtime"
        assert "toDynamoDBFilterExpression is not supported by the local" in exc.message
    else:
        raise AssertionError("expected a code error")


async def test_utilities_are_frozen_between_evaluations(js: JsRuntime) -> None:
    code = """
    import { util } from '@aws-appsync/utils';
    export function request(ctx) { util.autoId = () => 'hijacked'; return util.autoId() }
    export function response(ctx) { return null }
    """
    try:
        await js.evaluate(code, "request", {})
    except JsCodeError as exc:
        assert "TypeError" in exc.message  # strict mode: assigning to a frozen property throws
    assert await run(js, "util.autoId()") != "hijacked"
