"""Template reading: intrinsics, Globals, --env-vars, and what ops needs (tables, pools, events)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appsync_local.auth import AuthMode
from appsync_local.schema import SchemaError, build_appsync_schema
from appsync_local.template import TemplateError, load_template

from .conftest import TEMPLATE


def test_api_auth_providers_keys_and_schema() -> None:
    # Given the todo template with physical ids for the user pool
    model = load_template(TEMPLATE, physical_ids={"UserPool": "us-east-1_abc"},
                          stack_name="notes")
    # Then the default and additional providers are read in order
    assert [p.mode for p in model.auth_providers] == [
        AuthMode.API_KEY, AuthMode.AMAZON_COGNITO_USER_POOLS, AuthMode.AWS_IAM]
    assert model.auth_providers[1].user_pool is not None
    assert model.auth_providers[1].user_pool.user_pool_id == "us-east-1_abc"
    assert model.api_name == "notes-todo"
    assert len(model.api_id) == 26
    # And the API keys carry their expiry; the prod-only key is dropped by its Condition
    expires = {k.logical_id: k.expires for k in model.api_keys}
    assert expires == {"TodoApiKey": 4102444800, "ExpiredApiKey": 1000000000}
    assert all(k.value.startswith("da2-") for k in model.api_keys)
    assert "type Todo" in model.schema_sdl and model.schema_path is not None


def test_functions_env_globals_and_intrinsics(tmp_path: Path) -> None:
    env_file = tmp_path / "env.json"
    env_file.write_text('{"Parameters": {"SHARED": "p"}, "other-fn": {"SECRET_B": "by-name"},'
                        ' "TodoFunction": {"NOT_DECLARED": "x"}}')
    model = load_template(TEMPLATE, env_vars_file=env_file, stack_name="notes",
                          parameter_overrides={"Stage": "prod", "OtherTimeout": "7"},
                          extra_env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:9"})
    todo, other = model.functions["TodoFunction"], model.functions["OtherFunction"]
    # Globals merged, function values win, env-vars file applies by logical id or name
    assert todo.runtime == "python3.11" and todo.timeout_s == 5 and todo.memory_size_mb == 256
    assert other.timeout_s == 7 and other.memory_size_mb == 512
    assert todo.environment["SHARED"] == "p" and other.environment["SHARED"] == "p"
    assert other.environment["SECRET_B"] == "by-name"
    assert "NOT_DECLARED" not in todo.environment  # sam local ignores undeclared variables
    assert "SECRET_B" not in todo.environment and "SECRET_A" not in other.environment
    # Intrinsics: Ref parameter/table, Sub with pseudo parameters, Join/Select/If
    env = todo.environment
    assert env["STAGE"] == "prod"
    assert env["TABLE_NAME"] == "notes-todos"
    assert env["LABEL"] == "notes-prod-us-east-1"
    assert env["JOINED"] == "a:y:prod"
    assert env["API_URL"] == "http://127.0.0.1:8000/graphql"
    # Local defaults and the caller's endpoints are injected
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "notes-TodoFunction"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:9"
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert other.function_name == "other-fn"
    assert other.arn == "arn:aws:lambda:us-east-1:000000000000:function:other-fn"
    assert todo.code_uri == (TEMPLATE.parent / "handlers").resolve()


def test_resources_ops_needs() -> None:
    model = load_template(TEMPLATE, stack_name="notes",
                          physical_ids={"UserPool": "us-east-1_p", "UserPoolClient": "cid"})
    table = model.tables["TodoTable"]
    assert table.table_name == "notes-todos"
    assert table.properties["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table.stream_arn and table.stream_arn.startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/notes-todos/stream/")
    (event,) = model.stream_events
    assert (event.function_id, event.table_id, event.table_name) == (
        "StreamFunction", "TodoTable", "notes-todos")
    assert (event.batch_size, event.maximum_batching_window_s, event.starting_position) == (
        25, 1, "TRIM_HORIZON")
    assert event.function_response_types == ("ReportBatchItemFailures",)
    assert event.maximum_retry_attempts == 2 and event.bisect_batch_on_function_error
    assert event.stream_arn == table.stream_arn
    assert model.user_pools["UserPool"].pool_name == "todo-users"
    client = model.user_pool_clients["UserPoolClient"]
    assert (client.client_id, client.user_pool_id, client.user_pool_logical_id) == (
        "cid", "us-east-1_p", "UserPool")
    assert model.user_pool_groups["AdminsGroup"].group_name == "admins"
    assert model.outputs["GraphQLUrl"] == "http://127.0.0.1:8000/graphql"


def test_data_sources_and_resolvers() -> None:
    model = load_template(TEMPLATE)
    assert model.data_sources["TodoLambda"].function_id == "TodoFunction"
    assert model.data_sources["LocalEcho"].type == "NONE"
    owner = model.resolvers[("Todo", "owner")]
    assert owner.max_batch_size == 10 and owner.data_source == "TodoLambda"
    publish = model.resolvers[("Mutation", "publishTodo")]
    assert publish.data_source == "LocalEcho" and publish.has_code
    assert any("AMAZON_DYNAMODB" in w for w in model.warnings)


def test_missing_parameter_and_bad_allowed_value(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="AllowedValues"):
        load_template(TEMPLATE, parameter_overrides={"Stage": "qa"})
    bad = tmp_path / "t.yaml"
    bad.write_text("Parameters:\n  Needed: {Type: String}\nResources: {}\n")
    with pytest.raises(TemplateError, match="Needed"):
        load_template(bad)


def test_inline_definition_and_no_api(tmp_path: Path) -> None:
    t = tmp_path / "t.yaml"
    t.write_text("""
Resources:
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: {Name: x, AuthenticationType: AWS_IAM}
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties:
      ApiId: !GetAtt Api.ApiId
      Definition: "type Query { ping: String }"
""")
    model = load_template(t)
    assert model.default_auth_mode is AuthMode.AWS_IAM
    assert model.schema_sdl == "type Query { ping: String }"
    t.write_text("Resources: {}\n")
    with pytest.raises(TemplateError, match="GraphQLApi"):
        load_template(t)


@pytest.mark.parametrize(("sdl", "match"), [
    ("scalar Money\ntype Query { a: Money }", "custom scalar 'Money'"),
    ("type AWSThing { a: Int }\ntype Query { a: AWSThing }", "reserved"),
    ("directive @aws_iam on FIELD_DEFINITION\ntype Query { a: Int }", "provided by AppSync"),
    ("type Query { a: Int }\ntype Mutation { m: Int }\n"
     "type Subscription { s: Int @aws_subscribe(mutations: [\"nope\"]) }", "aws_subscribe"),
])
def test_schema_rejections(sdl: str, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        build_appsync_schema(sdl)


def test_schema_prelude_is_injected() -> None:
    schema = build_appsync_schema("type Query { at: AWSDateTime @aws_api_key @aws_iam }")
    assert schema.get_type("AWSJSON") is not None
    assert schema.get_directive("aws_cognito_user_pools") is not None


def test_sam_auto_publish_alias_references(tmp_path: Path) -> None:
    # Given SAM's AutoPublishAlias (from Globals) and a data source on `!Ref Fn.Alias`
    (tmp_path / "code").mkdir()
    (tmp_path / "schema.graphql").write_text("type Query { ping: String }")
    t = tmp_path / "t.yaml"
    t.write_text("""
Globals:
  Function: {AutoPublishAlias: live, Runtime: python3.12}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Handler: app.handler
      Environment:
        Variables:
          ALIAS: !Sub "${Fn.Alias}"
          VERSION: !GetAtt Fn.Version.Version
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: {Name: x, AuthenticationType: API_KEY}
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: {ApiId: !GetAtt Api.ApiId, DefinitionS3Location: schema.graphql}
  DS:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Name: FnSource
      Type: AWS_LAMBDA
      LambdaConfig: {LambdaFunctionArn: !Ref Fn.Alias}
""")
    model = load_template(t, stack_name="s")
    ds = model.data_sources["FnSource"]
    # Then the alias ARN qualifies the function ARN and still maps to the function
    assert ds.function_arn == "arn:aws:lambda:us-east-1:000000000000:function:s-Fn:live"
    assert ds.function_id == "Fn"
    env = model.functions["Fn"].environment
    assert env["ALIAS"] == ds.function_arn and env["VERSION"] == "1"
