"""Template <-> handler code: routes for every Lambda-resolved field; complete publish selections.

Both checks import the lead's modules; they skip, saying so, until those modules exist.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    is_object_type,
    parse,
    validate,
)
from graphql.error import GraphQLSyntaxError

from tests.infra import _appsync_schema, _template

API_MODULE = "positive_chat.handlers.api"
STREAM_MODULE = "positive_chat.handlers.stream"
API_HANDLER = f"{API_MODULE}.lambda_handler"
STREAM_HANDLER = f"{STREAM_MODULE}.lambda_handler"


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import a handler module under its function's environment (local overrides applied)."""

    def apply(handler: str) -> None:
        function_id = _template.function_for_handler(handler)
        overrides = json.loads(_template.ENV_LOCAL_PATH.read_text(encoding="utf-8")).get(
            function_id, {}
        )
        env = {
            **_template.placeholder_env(function_id),
            **overrides,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    return apply


def _lambda_fields() -> set[str]:
    api_function = _template.function_for_handler(API_HANDLER)
    lambda_sources = {
        k
        for k, v in _template.resources("AWS::AppSync::DataSource").items()
        if v["Properties"].get("LambdaConfig", {}).get("LambdaFunctionArn")
        == {"Ref": f"{api_function}.Alias"}
    }
    return {
        f"{p['TypeName']}.{p['FieldName']}"
        for r in _template.resources("AWS::AppSync::Resolver").values()
        for p in [r["Properties"]]
        if p["DataSourceName"]["Fn::GetAtt"][0] in lambda_sources
    }


def test_api_routes_cover_every_lambda_resolved_field(function_env: Any) -> None:
    if importlib.util.find_spec(API_MODULE) is None:
        pytest.skip(f"{API_MODULE} does not exist yet")
    from aws_lambda_powertools.event_handler import AppSyncResolver

    function_env(API_HANDLER)
    module = importlib.import_module(API_MODULE)
    app = getattr(module, "app", None)
    assert isinstance(app, AppSyncResolver), (
        f"{API_MODULE}.app must be a powertools AppSyncResolver"
    )
    routes: set[str] = set()
    for registry in (
        "_resolver_registry",
        "_batch_resolver_registry",
        "_async_batch_resolver_registry",
    ):
        routes |= set(getattr(app, registry).resolvers)
    fields = _lambda_fields()
    wildcard = {r.split(".", 1)[1] for r in routes if r.startswith("*.")}
    unrouted = sorted(f for f in fields if f not in routes and f.split(".", 1)[1] not in wildcard)
    assert not unrouted, (
        f"fields resolved by ApiFunction without a route in {API_MODULE}.app: {unrouted}"
    )
    dead = sorted(r for r in routes if not r.startswith("*.") and r not in fields)
    assert not dead, f"routes for fields the template does not send to ApiFunction: {dead}"


def _documents_in(module: Any) -> Iterator[tuple[str, DocumentNode]]:
    for name, value in vars(module).items():
        document = getattr(value, "document", value)  # gql 4: GraphQLRequest.document
        if isinstance(document, DocumentNode):
            yield f"{module.__name__}.{name}", document
        elif isinstance(value, str) and "publish" in value and "mutation" in value:
            try:
                yield f"{module.__name__}.{name}", parse(value)
            except GraphQLSyntaxError:
                continue


def _publisher_documents() -> list[tuple[str, DocumentNode]]:
    """Publish documents anywhere in the package (handlers/stream*, adapters/appsync...)."""
    import positive_chat

    found = []
    for info in pkgutil.walk_packages(positive_chat.__path__, "positive_chat."):
        leaf = info.name.rsplit(".", 1)[-1]
        if "publish" in info.name or "appsync" in info.name or leaf.startswith("stream"):
            found += list(_documents_in(importlib.import_module(info.name)))
    return found


def _covered(selection_set: Any, fragments: dict[str, Any], parent: Any) -> set[str]:
    paths: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if selection.selection_set is None:
                paths.add(name)
            else:
                child = get_named_type(parent.fields[name].type)
                paths |= {
                    f"{name}.{p}" for p in _covered(selection.selection_set, fragments, child)
                }
        elif isinstance(selection, InlineFragmentNode):
            paths |= _covered(selection.selection_set, fragments, parent)
        elif isinstance(selection, FragmentSpreadNode):
            paths |= _covered(fragments[selection.name.value].selection_set, fragments, parent)
    return paths


def _all_leaves(named: Any, depth: int = 0) -> set[str]:
    assert depth < 8, "cyclic payload type: select explicitly"
    paths: set[str] = set()
    for name, field in named.fields.items():
        child = get_named_type(field.type)
        paths |= (
            {f"{name}.{p}" for p in _all_leaves(child, depth + 1)}
            if is_object_type(child)
            else {name}
        )
    return paths


def test_publish_selection_sets_cover_every_subscriber_field(
    schema: GraphQLSchema, function_env: Any
) -> None:
    # AppSync pushes subscribers only what the publish mutation selected (reference 4.1):
    # a field left out arrives as null, or as an error for a non-null field.
    if importlib.util.find_spec(STREAM_MODULE) is None:
        pytest.skip(f"{STREAM_MODULE} does not exist yet")
    function_env(STREAM_HANDLER)
    publish = _template.subscribed_mutations(schema)
    by_field: dict[str, list[tuple[str, FieldNode, dict[str, Any]]]] = {}
    for where, document in _publisher_documents():
        errors = validate(schema, document)
        assert not errors, (
            f"{where} is not valid against schema.graphql: {[e.message for e in errors]}"
        )
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        for op in document.definitions:
            if isinstance(op, OperationDefinitionNode) and op.operation == OperationType.MUTATION:
                for sel in op.selection_set.selections:
                    if isinstance(sel, FieldNode) and sel.name.value in publish:
                        by_field.setdefault(sel.name.value, []).append((where, sel, fragments))
    missing_docs = sorted(publish - set(by_field))
    assert not missing_docs, (
        f"no publish document found for {missing_docs}: keep each as a module-level gql(...) "
        "or string constant in the publisher module"
    )
    for name, documents in by_field.items():
        payload_type = get_named_type(_appsync_schema.root(schema.mutation_type).fields[name].type)
        needed = _all_leaves(payload_type)
        for where, selection, fragments in documents:
            covered = _covered(selection.selection_set, fragments, payload_type)
            assert needed <= covered, f"{where} ({name}) does not select {sorted(needed - covered)}"
