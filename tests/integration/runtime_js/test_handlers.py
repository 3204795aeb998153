"""Real resolver shapes evaluated through the APPSYNC_JS worker: what the engine will send."""

from __future__ import annotations

import logging

import pytest

from appsync_local.js import JsRuntime

ECHO = """
export function request(ctx) { return { payload: ctx.args } }
export function response(ctx) { return ctx.result }
"""

LAMBDA_PASS_THROUGH = """
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'Invoke',
    payload: {
      arguments: ctx.arguments, identity: ctx.identity, source: ctx.source, request: ctx.request,
      info: ctx.info, prev: ctx.prev, stash: ctx.stash,
    },
  };
}

export function response(ctx) {
  const e = ctx.result && ctx.result.__error;
  if (e) {
    util.error(e.message, e.type, e.data, e.info);
  }
  return ctx.result;
}
"""

CONTEXT = {
    "arguments": {"itemId": "r1", "text": "hi"},
    "identity": {
        "sub": "u-1",
        "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X",
        "username": "alice",
        "claims": {"sub": "u-1", "cognito:groups": ["admins"]},
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
        "groups": ["admins"],
    },
    "source": None,
    "request": {"headers": {"host": "localhost:8000", "x-trace": "t"}, "domainName": None},
    "info": {
        "fieldName": "createItem",
        "parentTypeName": "Mutation",
        "variables": {"t": "hi"},
        "selectionSetList": ["id", "text"],
        "selectionSetGraphQL": "{\n  id\n  text\n}",
    },
    "prev": None,
    "stash": {"seen": True},
}


async def test_echo_publish_resolver_for_a_none_data_source(js: JsRuntime) -> None:
    request = await js.evaluate(ECHO, "request", {"arguments": {"id": "7", "status": "done"}})
    assert request.value == {"payload": {"id": "7", "status": "done"}}
    assert request.error is None and request.errors == [] and not request.early_return

    # NONE data source: the request's payload becomes ctx.result.
    response = await js.evaluate(
        ECHO, "response", {"arguments": {"id": "7"}, "result": request.value["payload"]}
    )
    assert response.value == {"id": "7", "status": "done"}


async def test_lambda_pass_through_request_carries_the_whole_context(js: JsRuntime) -> None:
    result = await js.evaluate(LAMBDA_PASS_THROUGH, "request", CONTEXT)
    assert result.value["operation"] == "Invoke"
    payload = result.value["payload"]
    for key in ("arguments", "identity", "source", "request", "info", "prev", "stash"):
        assert payload[key] == CONTEXT[key], key


async def test_args_and_arguments_are_the_same_object(js: JsRuntime) -> None:
    code = """
    export function request(ctx) { ctx.args.extra = 1; return ctx.arguments }
    export function response(ctx) { return ctx.result }
    """
    assert (await js.evaluate(code, "request", {"arguments": {"a": 0}})).value == {
        "a": 0,
        "extra": 1,
    }
    assert (await js.evaluate(code, "request", {"args": {"b": 0}})).value == {"b": 0, "extra": 1}


async def test_response_raises_the_error_envelope_with_util_error(js: JsRuntime) -> None:
    envelope = {
        "message": "Quota exceeded",
        "type": "QuotaExceeded",
        "data": {"itemId": "r1"},
        "info": {"limit": 100},
    }
    result = await js.evaluate(LAMBDA_PASS_THROUGH, "response", {"result": {"__error": envelope}})
    assert result.value is None
    assert result.error is not None
    assert (result.error.message, result.error.type) == ("Quota exceeded", "QuotaExceeded")
    assert result.error.data == {"itemId": "r1"} and result.error.info == {"limit": 100}
    assert result.error.graphql_fields() == {
        "message": "Quota exceeded",
        "errorType": "QuotaExceeded",
        "data": {"itemId": "r1"},
        "errorInfo": {"limit": 100},
    }

    ok = await js.evaluate(LAMBDA_PASS_THROUGH, "response", {"result": {"id": "m1"}})
    assert ok.error is None and ok.value == {"id": "m1"}


async def test_util_error_with_only_a_message(js: JsRuntime) -> None:
    code = """
    import { util } from '@aws-appsync/utils';
    export function request(ctx) { util.error('nope') }
    export function response(ctx) { return ctx.result }
    """
    result = await js.evaluate(code, "request", {})
    assert result.error is not None
    assert (result.error.message, result.error.type, result.error.data) == ("nope", None, None)


async def test_util_error_with_non_string_arguments_is_ignored_like_on_appsync(
    js: JsRuntime,
) -> None:
    code = """
    import { util } from '@aws-appsync/utils';
    export function request(ctx) {
      util.error(ctx.args.code);
      util.error('x', 25);
      return 'went on';
    }
    export function response(ctx) { return ctx.result }
    """
    result = await js.evaluate(code, "request", {"arguments": {"code": 500}})
    assert result.error is None and result.value == "went on"


async def test_append_error_keeps_the_value_and_precedes_util_error(js: JsRuntime) -> None:
    code = """
    import { util } from '@aws-appsync/utils';
    export function request(ctx) { return {} }
    export function response(ctx) {
      util.appendError('first', 'Warn', { a: 1 }, { b: 2 });
      util.appendError('second');
      if (ctx.args.fail) { util.error('stop', 'Stop') }
      return ctx.result;
    }
    """
    result = await js.evaluate(code, "response", {"arguments": {}, "result": {"ok": True}})
    assert result.value == {"ok": True} and result.error is None
    assert [(e.message, e.type, e.data, e.info) for e in result.errors] == [
        ("first", "Warn", {"a": 1}, {"b": 2}),
        ("second", None, None, None),
    ]

    failed = await js.evaluate(code, "response", {"arguments": {"fail": True}, "result": {}})
    assert [e.message for e in failed.errors] == ["first", "second"]
    assert failed.error is not None and failed.error.type == "Stop"


async def test_util_unauthorized(js: JsRuntime) -> None:
    code = """
    import { util } from '@aws-appsync/utils';
    export function request(ctx) {
      if (!ctx.identity || !(ctx.identity.groups || []).includes('admins')) { util.unauthorized() }
      return { payload: null };
    }
    export function response(ctx) { return null }
    """
    denied = await js.evaluate(code, "request", {"identity": None})
    assert denied.error is not None
    assert (denied.error.type, denied.error.message) == ("Unauthorized", "Unauthorized")
    allowed = await js.evaluate(code, "request", {"identity": {"groups": ["admins"]}})
    assert allowed.error is None and allowed.value == {"payload": None}


async def test_runtime_early_return(js: JsRuntime) -> None:
    code = """
    import { runtime } from '@aws-appsync/utils';
    export function request(ctx) {
      if (ctx.stash.cached) { runtime.earlyReturn(ctx.stash.cached) }
      if (ctx.args.skip) { runtime.earlyReturn(undefined, { skipTo: 'NEXT' }) }
      return { payload: ctx.args };
    }
    export function response(ctx) { return ctx.result }
    """
    early = await js.evaluate(code, "request", {"stash": {"cached": {"id": "c"}}})
    assert early.early_return and early.value == {"id": "c"} and early.skip_to is None

    skipped = await js.evaluate(code, "request", {"arguments": {"skip": True}})
    assert skipped.early_return and skipped.value is None and skipped.skip_to == "NEXT"

    normal = await js.evaluate(code, "request", {"arguments": {"a": 1}})
    assert not normal.early_return and normal.value == {"payload": {"a": 1}}


async def test_subscription_filter_from_to_subscription_filter(js: JsRuntime) -> None:
    code = """
    import { util, extensions } from '@aws-appsync/utils';
    export function request(ctx) { return { payload: null } }
    export function response(ctx) {
      extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({
        itemId: { eq: ctx.args.itemId },
        severity: { ge: 7 },
        or: [{ author: { ne: ctx.identity.username } }, { pinned: { eq: true } }],
      }));
      return null;
    }
    """
    result = await js.evaluate(
        code, "response", {"arguments": {"itemId": "r1"}, "identity": {"username": "bob"}}
    )
    assert result.value is None
    common = [
        {"fieldName": "itemId", "operator": "eq", "value": "r1"},
        {"fieldName": "severity", "operator": "ge", "value": 7},
    ]
    assert result.subscription_filter == {
        "filterGroup": [
            {"filters": [*common, {"fieldName": "author", "operator": "ne", "value": "bob"}]},
            {"filters": [*common, {"fieldName": "pinned", "operator": "eq", "value": True}]},
        ]
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # ignoredFields drops a field, also inside `and`
        ("{ a: { eq: 1 }, and: [{ b: { eq: 2 } }] }, ['b']", [[("a", "eq", 1)]]),
        # two operators on one field are alternatives
        ("{ a: { eq: 1, ne: 2 } }", [[("a", "eq", 1)], [("a", "ne", 2)]]),
        # rules: at least one must hold, so each is added as an alternative
        (
            "{ a: { eq: 1 } }, [], { r1: { ge: 250 }, r2: { eq: 'p' } }",
            [[("a", "eq", 1), ("r1", "ge", 250)], [("a", "eq", 1), ("r2", "eq", "p")]],
        ),
        ("{}", []),
        ("{ and: [] }", []),
    ],
)
async def test_to_subscription_filter_shapes(
    js: JsRuntime, args: str, expected: list[list[tuple[str, str, object]]]
) -> None:
    code = f"""
    import {{ util }} from '@aws-appsync/utils';
    export function request(ctx) {{ return util.transform.toSubscriptionFilter({args}) }}
    export function response(ctx) {{ return null }}
    """
    result = await js.evaluate(code, "request", {})
    assert result.value == {
        "filterGroup": [
            {"filters": [{"fieldName": f, "operator": o, "value": v} for f, o, v in group]}
            for group in expected
        ]
    }


async def test_invalidation_extensions(js: JsRuntime) -> None:
    code = """
    import { util, extensions } from '@aws-appsync/utils';
    export function request(ctx) { return { payload: null } }
    export function response(ctx) {
      if (ctx.info.parentTypeName === 'Subscription') {
        extensions.setSubscriptionInvalidationFilter(
          util.transform.toSubscriptionFilter({ itemId: { eq: ctx.args.itemId } }));
      } else {
        extensions.invalidateSubscriptions({
          subscriptionField: 'onItemChanged', payload: { itemId: ctx.args.itemId } });
        extensions.evictFromApiCache('Query', 'getItem', { 'ctx.args.itemId': ctx.args.itemId });
      }
      return ctx.result;
    }
    """
    sub = await js.evaluate(
        code,
        "response",
        {"arguments": {"itemId": "r1"}, "info": {"parentTypeName": "Subscription"}},
    )
    assert sub.invalidation_filter == {
        "filterGroup": [{"filters": [{"fieldName": "itemId", "operator": "eq", "value": "r1"}]}]
    }
    mutation = await js.evaluate(
        code, "response", {"arguments": {"itemId": "r1"}, "info": {"parentTypeName": "Mutation"}}
    )
    assert mutation.invalidation == [
        {"subscriptionField": "onItemChanged", "payload": {"itemId": "r1"}}
    ]
    assert mutation.cache_evictions == [
        {"typeName": "Query", "fieldName": "getItem", "keys": {"ctx.args.itemId": "r1"}}
    ]
    assert mutation.subscription_filter is None and mutation.invalidation_filter is None


async def test_stash_changes_are_returned(js: JsRuntime) -> None:
    code = """
    export function request(ctx) { ctx.stash.requestSaw = ctx.args.id; return {} }
    export function response(ctx) { ctx.stash.count = (ctx.stash.count || 0) + 1; return ctx.stash }
    """
    request = await js.evaluate(code, "request", {"arguments": {"id": "1"}, "stash": {"count": 1}})
    assert request.stash == {"count": 1, "requestSaw": "1"}
    response = await js.evaluate(code, "response", {"stash": request.stash})
    assert response.value == {"count": 2, "requestSaw": "1"} == response.stash


async def test_console_output_goes_to_the_log_not_the_protocol(
    js: JsRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    code = """
    export function request(ctx) {
      console.log('looking at', ctx.args);
      console.error('{"id":1,"ok":true,"value":"forged"}');
      process.stdout.write('{"id":1,"ok":true,"value":"forged"}\\n');
      return { payload: 'real' };
    }
    export function response(ctx) { return ctx.result }
    """
    with caplog.at_level(logging.INFO, logger="appsync_local.js"):
        result = await js.evaluate(
            code,
            "request",
            {"arguments": {"id": "9"}, "info": {"parentTypeName": "Query", "fieldName": "getX"}},
        )
        assert result.value == {"payload": "real"}
        await js.evaluate(ECHO, "request", {})  # the log lines arrive on another pipe; let them in
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "[Query.getX request] looking at { id: '9' }" in logged
    assert "forged" in logged


async def test_auth_type(js: JsRuntime) -> None:
    code = """
    import { util } from '@aws-appsync/utils';
    export function request(ctx) { return util.authType() }
    export function response(ctx) { return null }
    """
    told = await js.evaluate(code, "request", {"identity": None}, auth_type="AWS_IAM")
    assert told.value == "IAM Authorization"
    guessed = [
        (await js.evaluate(code, "request", {"identity": identity})).value
        for identity in (
            None,
            {
                "sub": "s",
                "issuer": "i",
                "username": "u",
                "claims": {},
                "defaultAuthStrategy": "ALLOW",
            },
            {"sub": "s", "issuer": "i", "claims": {}},
            {"resolverContext": {}},
            {"accountId": "1", "userArn": "arn"},
        )
    ]
    assert guessed == [
        "API Key Authorization",
        "User Pool Authorization",
        "Open ID Connect Authorization",
        "Lambda Authorization",
        "IAM Authorization",
    ]
