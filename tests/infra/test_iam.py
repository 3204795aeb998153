"""Lambda code <-> IAM: each function may call exactly the data APIs its code reaches.

Required actions come from reading resolvers/positive_chat (tests/infra/_aws_calls.py):
the adapter methods each function's code path calls, followed down to the injected boto3
clients. Allowed actions come from the function's role in infra/template.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema

from tests.infra import _template
from tests.infra._aws_calls import Call, CodeIndex, iam_actions

HANDLERS = {
    "positive_chat.handlers.api.lambda_handler": "positive_chat.handlers.api",
    "positive_chat.handlers.stream.lambda_handler": "positive_chat.handlers.stream",
}
# What a DynamoDB stream event source mapping needs (Lambda developer guide); granted to
# the role of the function the stream invokes, on the stream only.
STREAM_READ = {"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"}


@pytest.fixture(scope="module")
def index() -> CodeIndex:
    return CodeIndex()


def _role_statements(function_id: str) -> list[dict[str, Any]]:
    return list(_template.role_statements(_template.role_of(function_id)))


def _required(index: CodeIndex, handler: str) -> tuple[dict[str, set[str]], set[Call]]:
    module = HANDLERS[handler]
    if module not in index.modules:
        pytest.skip(f"{module} does not exist yet")
    calls = index.calls_from(index.entries(module))
    return iam_actions(calls), calls


def _allowed_data_actions(function_id: str) -> dict[str, set[str]]:
    allowed = _template.actions_by_service(_role_statements(function_id))
    allowed = {s: a for s, a in allowed.items() if s in _template.DATA_SERVICES}
    if "dynamodb" in allowed:
        allowed["dynamodb"] = allowed["dynamodb"] - STREAM_READ
    return allowed


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_every_api_the_code_calls_is_allowed(index: CodeIndex, handler: str) -> None:
    # Given the data APIs the function's code can reach
    required, calls = _required(index, handler)
    function_id = _template.function_for_handler(handler)
    # When its role's allowed actions are read
    allowed = _allowed_data_actions(function_id)
    # Then every one is allowed
    missing = {
        s: sorted(a - allowed.get(s, set()))
        for s, a in required.items()
        if a - allowed.get(s, set())
    }
    where = sorted({f"{c.service}:{c.operation} at {c.where}" for c in calls if c.data_plane})
    assert not missing, f"{function_id} lacks {missing}; the code calls:\n  " + "\n  ".join(where)


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_nothing_more_is_allowed_on_data_services(index: CodeIndex, handler: str) -> None:
    required, _ = _required(index, handler)
    function_id = _template.function_for_handler(handler)
    allowed = _allowed_data_actions(function_id)
    # A service no adapter talks to yet cannot be judged (adapters are written alongside).
    judged = index.adapter_services()
    extra = {
        s: sorted(a - required.get(s, set()))
        for s, a in allowed.items()
        if s in judged and a - required.get(s, set())
    }
    assert not extra, (
        f"{function_id} may call {extra}, which its code never calls (least privilege)"
    )
    unjudged = sorted(s for s in allowed if s not in judged)
    if unjudged:
        pytest.skip(f"no adapter calls {unjudged} yet: extra permissions there cannot be judged")


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_table_management_is_never_allowed(index: CodeIndex, handler: str) -> None:
    # Adapters may create tables for local runs; deployed functions must not (CloudFormation does).
    _, calls = _required(index, handler)
    control = {c.operation for c in calls if not c.data_plane}
    allowed = _allowed_data_actions(_template.function_for_handler(handler)).get("dynamodb", set())
    assert not control & allowed


def test_no_wildcard_actions_in_any_role() -> None:
    for role_id in _template.resources("AWS::IAM::Role"):
        for statement in _template.role_statements(role_id):
            wild = [a for a in _template.as_list(statement["Action"]) if "*" in a]
            assert not wild, f"{role_id} allows wildcard actions {wild}"


def test_data_service_resources() -> None:
    # DynamoDB: the table and its indexes, named; Comprehend/Translate: "*" (their real-time
    # APIs have no resource-level permissions).
    table_ids = list(_template.resources("AWS::DynamoDB::Table"))
    assert len(table_ids) == 1
    table = table_ids[0]
    indexes = [g["IndexName"] for g in _template.props(table).get("GlobalSecondaryIndexes", [])]
    expected = [{"Fn::GetAtt": [table, "Arn"]}] + [
        {"Fn::Sub": f"${{{table}.Arn}}/index/{name}"} for name in indexes
    ]
    for function_id in _template.functions():
        for statement in _role_statements(function_id):
            actions = _template.as_list(statement["Action"])
            services = {a.split(":")[0] for a in actions}
            resources = _template.as_list(statement["Resource"])
            if services & set(_template.DATA_SERVICES) and "*" in resources:
                assert services <= {"comprehend", "translate"}, f"{function_id}: {actions} on *"
            if "dynamodb" in services and not {a.split(":")[1] for a in actions} <= STREAM_READ:
                assert resources and all(r in expected for r in resources), (
                    f"{function_id}: DynamoDB only on the table and its indexes, not {resources}"
                )


def test_stream_read_only_for_the_stream_consumer() -> None:
    (mapping,) = [
        (f, e)
        for f, p in _template.functions().items()
        for e in p["Properties"].get("Events", {}).values()
        if e["Type"] == "DynamoDB"
    ]
    consumer, event = mapping
    for function_id in _template.functions():
        statements = [
            s
            for s in _role_statements(function_id)
            if {
                a.split(":")[1] for a in _template.as_list(s["Action"]) if a.startswith("dynamodb:")
            }
            & STREAM_READ
        ]
        if function_id != consumer:
            assert not statements, f"{function_id} may read the stream"
            continue
        granted = {a.split(":")[1] for s in statements for a in _template.as_list(s["Action"])}
        assert granted == STREAM_READ
        for s in statements:
            for resource in _template.as_list(s["Resource"]):
                assert resource == event["Properties"]["Stream"] or "/stream/" in str(resource), (
                    resource
                )


def test_publisher_may_call_only_the_publish_mutations(schema: GraphQLSchema) -> None:
    publisher = _template.function_for_handler("positive_chat.handlers.stream.lambda_handler")
    publish = sorted(_template.subscribed_mutations(schema))
    allowed = [
        r
        for s in _role_statements(publisher)
        if "appsync:GraphQL" in _template.as_list(s["Action"])
        for r in _template.as_list(s["Resource"])
    ]
    fields = sorted(str(r["Fn::Sub"]).rsplit("/fields/", 1)[1] for r in allowed)
    assert fields == publish
    for r in allowed:
        assert "/types/Mutation/fields/" in r["Fn::Sub"] and "${Api.ApiId}" in r["Fn::Sub"]
    api_function = _template.function_for_handler("positive_chat.handlers.api.lambda_handler")
    assert not [
        s
        for s in _role_statements(api_function)
        if any(a.startswith("appsync:") for a in _template.as_list(s["Action"]))
    ]


def test_appsync_may_invoke_only_the_api_function_alias() -> None:
    api_function = _template.function_for_handler("positive_chat.handlers.api.lambda_handler")
    for ds_id, ds in _template.resources("AWS::AppSync::DataSource").items():
        role = ds["Properties"].get("ServiceRoleArn")
        if ds["Properties"]["Type"] != "AWS_LAMBDA":
            assert role is None, f"{ds_id} needs no role"
            continue
        statements = list(_template.role_statements(role["Fn::GetAtt"][0]))
        assert statements == [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": {"Ref": f"{api_function}.Alias"},
            }
        ]


def test_index_names_used_by_the_adapters_exist() -> None:
    keys = _template.PACKAGE_DIR / "adapters" / "dynamodb" / "keys.py"
    if not keys.exists():
        pytest.skip("adapters/dynamodb/keys.py does not exist yet")
    import importlib

    module = importlib.import_module("positive_chat.adapters.dynamodb.keys")
    names = {v for k, v in vars(module).items() if k.startswith("GSI") and k[3:].isdigit()}
    (table,) = _template.resources("AWS::DynamoDB::Table").values()
    assert names == {g["IndexName"] for g in table["Properties"]["GlobalSecondaryIndexes"]}
