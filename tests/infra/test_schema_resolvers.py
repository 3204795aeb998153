"""schema.graphql <-> template: each field that needs a resolver has the right one; auth matches.

The expected resolvers are derived from the schema, not listed here:
* every Query field, and every Mutation field not named in an @aws_subscribe -> Direct Lambda
  resolver on ApiFunction (Kind UNIT, APPSYNC_JS pass-through: appsync/lambda-resolver.js);
* every mutation named in an @aws_subscribe -> the NONE data source echoing its arguments;
* every Subscription field that takes arguments (it targets one room) -> Direct Lambda, which
  authorizes the subscriber at subscribe time; an argument-less subscription needs none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, get_named_type

from tests.infra import _appsync_schema, _template

LAMBDA_DS = "AWS_LAMBDA"
NONE_DS = "NONE"


def _expected(schema: GraphQLSchema) -> dict[str, str]:
    publish = _template.subscribed_mutations(schema)
    expected = {
        f"Query.{name}": LAMBDA_DS for name in _appsync_schema.root(schema.query_type).fields
    }
    for name in _appsync_schema.root(schema.mutation_type).fields:
        expected[f"Mutation.{name}"] = NONE_DS if name in publish else LAMBDA_DS
    for name, field in _appsync_schema.root(schema.subscription_type).fields.items():
        if field.args:
            expected[f"Subscription.{name}"] = LAMBDA_DS
    return expected


def _data_source_type(resolver: dict[str, Any]) -> str:
    ref = resolver["Properties"]["DataSourceName"]
    assert isinstance(ref, dict) and "Fn::GetAtt" in ref, (
        "DataSourceName must be !GetAtt <DataSource>.Name"
    )
    logical_id, attribute = ref["Fn::GetAtt"]
    assert attribute == "Name"
    return str(_template.props(logical_id)["Type"])


def _resolvers_by_field() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for logical_id, resource in _template.resources("AWS::AppSync::Resolver").items():
        p = resource["Properties"]
        found.setdefault(f"{p['TypeName']}.{p['FieldName']}", []).append(logical_id)
    return found


def test_every_field_that_needs_a_resolver_has_exactly_one(schema: GraphQLSchema) -> None:
    # Given the fields the schema says need a resolver
    expected = _expected(schema)
    # When the template's resolvers are collected by field
    found = _resolvers_by_field()
    # Then each expected field has one resolver on the right kind of data source, and nothing else
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    duplicated = sorted(f for f, ids in found.items() if len(ids) > 1)
    assert not missing, f"fields without a resolver in infra/template.yaml: {missing}"
    assert not extra, f"resolvers for fields the schema does not need resolved: {extra}"
    assert not duplicated, f"fields with several resolvers: {duplicated}"
    resolvers = _template.resources("AWS::AppSync::Resolver")
    wrong = {
        f: _data_source_type(resolvers[ids[0]])
        for f, ids in found.items()
        if _data_source_type(resolvers[ids[0]]) != expected[f]
    }
    assert not wrong, f"resolvers on the wrong data source type (expected {expected}): {wrong}"


def test_lambda_resolvers_forward_the_context_and_raise_error_envelopes() -> None:
    # docs/decisions.md: the JS pass-through keeps the Direct Lambda event shape and turns
    # the handler's {__error: ...} envelope into util.error (AppSync's errorType).
    for logical_id, resolver in _template.resources("AWS::AppSync::Resolver").items():
        if _data_source_type(resolver) != LAMBDA_DS:
            continue
        p = resolver["Properties"]
        assert p.get("Kind", "UNIT") == "UNIT", logical_id
        assert p["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}, logical_id
        assert p["CodeS3Location"] == "appsync/lambda-resolver.js", logical_id
        assert not {"RequestMappingTemplate", "ResponseMappingTemplate"} & set(p), logical_id
    code = (_template.INFRA / "appsync" / "lambda-resolver.js").read_text(encoding="utf-8")
    for needle in ("operation: 'Invoke'", "arguments: ctx.arguments", "identity: ctx.identity",
                   "result.__error", "util.error(e.message, e.type, e.data, e.info)"):
        assert needle in code, needle
    api_function = _template.function_for_handler("positive_chat.handlers.api.lambda_handler")
    for logical_id, ds in _template.resources("AWS::AppSync::DataSource").items():
        if ds["Properties"]["Type"] == LAMBDA_DS:
            # The alias, so AppSync traffic follows CodeDeploy's canary weights.
            assert ds["Properties"]["LambdaConfig"]["LambdaFunctionArn"] == {
                "Ref": f"{api_function}.Alias"
            }, logical_id


def test_publish_mutations_echo_their_arguments(schema: GraphQLSchema) -> None:
    publish = _template.subscribed_mutations(schema)
    for logical_id, resolver in _template.resources("AWS::AppSync::Resolver").items():
        p = resolver["Properties"]
        if p["TypeName"] != "Mutation" or p["FieldName"] not in publish:
            continue
        assert p["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}, logical_id
        code = (_template.INFRA / p["CodeS3Location"]).read_text(encoding="utf-8")
        assert "payload: ctx.args" in code and "return ctx.result" in code, (
            f"{logical_id}: {p['CodeS3Location']} must echo the arguments (reference 4.5)"
        )


def test_every_resolver_waits_for_the_schema() -> None:
    # AppSync rejects a resolver for a field the schema does not define yet.
    schemas = list(_template.resources("AWS::AppSync::GraphQLSchema"))
    assert len(schemas) == 1
    for logical_id, resolver in _template.resources("AWS::AppSync::Resolver").items():
        assert schemas[0] in _template.as_list(resolver.get("DependsOn", [])), logical_id


def test_schema_resource_points_at_the_repository_schema() -> None:
    (schema_resource,) = _template.resources("AWS::AppSync::GraphQLSchema").values()
    location = schema_resource["Properties"]["DefinitionS3Location"]
    assert (_template.INFRA / location).resolve() == _template.SCHEMA_PATH.resolve()


def test_subscribed_mutations_exist_and_are_iam_only(schema: GraphQLSchema) -> None:
    publish = _template.subscribed_mutations(schema)
    assert publish, "schema.graphql has no @aws_subscribe"
    for name in sorted(publish):
        field = _appsync_schema.root(schema.mutation_type).fields.get(name)
        assert field is not None, f"@aws_subscribe names {name}, which is not a Mutation field"
        auth = _appsync_schema.directive_names(field.ast_node) & set(
            _appsync_schema.AUTH_DIRECTIVES
        )
        assert auth == {"aws_iam"}, (
            f"Mutation.{name} must be @aws_iam only (the publisher's), has {auth}"
        )


def test_publish_payload_types_admit_the_publisher_and_every_subscriber(
    schema: GraphQLSchema,
) -> None:
    # The publisher (IAM) must be allowed on the returned type's fields, and so must each
    # subscriber's mode, or AppSync drops the fields for them (reference 3.3).
    default = _default_mode()
    for name, field in _appsync_schema.root(schema.subscription_type).fields.items():
        payload_type = get_named_type(field.type)
        type_modes = _appsync_schema.type_auth_modes(payload_type, default)
        subscriber_modes = _appsync_schema.auth_modes(
            field, _appsync_schema.root(schema.subscription_type), default
        )
        assert "AWS_IAM" in type_modes, (
            f"{payload_type.name} must allow @aws_iam (publisher of {name})"
        )
        assert subscriber_modes <= type_modes, (
            f"{payload_type.name} must allow each mode subscribing to {name}: {subscriber_modes}"
        )


def _default_mode() -> str:
    (api,) = _template.resources("AWS::AppSync::GraphQLApi").values()
    return str(api["Properties"]["AuthenticationType"])


def test_api_auth_modes_are_the_ones_the_schema_uses(schema: GraphQLSchema) -> None:
    (api,) = _template.resources("AWS::AppSync::GraphQLApi").values()
    p = api["Properties"]
    configured = {p["AuthenticationType"]} | {
        a["AuthenticationType"] for a in p.get("AdditionalAuthenticationProviders", [])
    }
    used: set[str] = set()
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue
        used |= {
            _appsync_schema.AUTH_DIRECTIVES[d]
            for d in _appsync_schema.directive_names(named.ast_node)
            if d in _appsync_schema.AUTH_DIRECTIVES
        }
        for field in getattr(named, "fields", {}).values():
            used |= {
                _appsync_schema.AUTH_DIRECTIVES[d]
                for d in _appsync_schema.directive_names(field.ast_node)
                if d in _appsync_schema.AUTH_DIRECTIVES
            }
    assert used == configured, (
        f"schema uses {sorted(used)}, the API configures {sorted(configured)}"
    )
    if "AMAZON_COGNITO_USER_POOLS" in configured:
        assert p["UserPoolConfig"]["UserPoolId"] == {"Ref": "UserPool"}


def test_cognito_groups_named_in_the_schema_exist(schema: GraphQLSchema) -> None:
    from graphql import ListValueNode

    named: set[str] = set()
    for t in schema.type_map.values():
        nodes = [t.ast_node] + [f.ast_node for f in getattr(t, "fields", {}).values()]
        for node in nodes:
            for d in getattr(node, "directives", None) or ():
                for arg in d.arguments or ():
                    if arg.name.value == "cognito_groups" and isinstance(arg.value, ListValueNode):
                        named |= {getattr(v, "value", "") for v in arg.value.values}
    groups = {
        g["Properties"]["GroupName"]
        for g in _template.resources("AWS::Cognito::UserPoolGroup").values()
    }
    assert named <= groups, f"groups named in the schema but not created: {named - groups}"
    # The product's groups (docs/product.md: "groups: analysts, moderators") exist too.
    assert {"analysts", "moderators"} <= groups


def test_resolver_code_files_exist() -> None:
    for logical_id, resolver in _template.resources("AWS::AppSync::Resolver").items():
        location = resolver["Properties"].get("CodeS3Location")
        if location:
            assert Path(_template.INFRA / location).is_file(), f"{logical_id}: {location} missing"
