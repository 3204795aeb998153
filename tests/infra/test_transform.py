"""What the SAM transform generates (offline): aliases, canaries, alarms, the stream mapping."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra import _template


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return _template.transformed()


def _of_type(cfn: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return _template.resources(kind, cfn)


def test_every_function_is_served_through_its_live_alias(cfn: dict[str, Any]) -> None:
    aliases = {
        a["Properties"]["FunctionName"]["Ref"]: k
        for k, a in _of_type(cfn, "AWS::Lambda::Alias").items()
    }
    assert set(aliases) == set(_template.functions())
    for function_id in _template.functions():
        assert (
            _of_type(cfn, "AWS::Lambda::Alias")[aliases[function_id]]["Properties"]["Name"]
            == "live"
        )
    # AppSync and the stream mapping invoke the alias, never $LATEST.
    api = _template.function_for_handler("positive_chat.handlers.api.lambda_handler")
    (lambda_ds,) = [
        d
        for d in _of_type(cfn, "AWS::AppSync::DataSource").values()
        if d["Properties"]["Type"] == "AWS_LAMBDA"
    ]
    assert lambda_ds["Properties"]["LambdaConfig"]["LambdaFunctionArn"] == {"Ref": aliases[api]}
    for mapping in _of_type(cfn, "AWS::Lambda::EventSourceMapping").values():
        assert mapping["Properties"]["FunctionName"]["Ref"] in aliases.values()


def test_every_function_deploys_as_a_canary_watched_by_alarms(cfn: dict[str, Any]) -> None:
    groups = _of_type(cfn, "AWS::CodeDeploy::DeploymentGroup")
    assert len(groups) == len(_template.functions())
    for group in groups.values():
        p = group["Properties"]
        assert p["AutoRollbackConfiguration"]["Enabled"] is True
        assert "DEPLOYMENT_STOP_ON_ALARM" in p["AutoRollbackConfiguration"]["Events"]
        alarms = [a["Name"]["Ref"] for a in p["AlarmConfiguration"]["Alarms"]]
        assert len(alarms) >= 2, "errors and latency"
        metrics = set()
        for alarm_id in alarms:
            alarm = cfn["Resources"][alarm_id]["Properties"]
            metrics |= {alarm.get("MetricName")} | {
                m.get("MetricStat", {}).get("Metric", {}).get("MetricName")
                for m in alarm.get("Metrics", [])
            }
        assert {"Errors", "Duration"} <= metrics


def test_functions_get_no_managed_policies_from_sam(cfn: dict[str, Any]) -> None:
    # Explicit roles: SAM must not attach account-wide managed policies (e.g. stream read on *).
    for function_id in _template.functions():
        role_id = _template.role_of(function_id)
        assert not cfn["Resources"][role_id]["Properties"].get("ManagedPolicyArns"), role_id


def test_functions_are_arm64_with_tracing_and_their_own_log_group() -> None:
    for function_id, function in _template.functions().items():
        p = function["Properties"]
        assert p["Architectures"] == ["arm64"], function_id
        assert p["Runtime"] in {"python3.12", "python3.13"}, function_id
        assert p["Tracing"] == "Active", function_id
        log_group = p["LoggingConfig"]["LogGroup"]["Ref"]
        assert "RetentionInDays" in _template.props(log_group), function_id
        assert p["AutoPublishAlias"] == "live" and p["AutoPublishAliasAllProperties"] is True, (
            function_id
        )


def test_api_logs_errors_without_content_and_traces() -> None:
    (api,) = _template.resources("AWS::AppSync::GraphQLApi").values()
    p = api["Properties"]
    assert p["XrayEnabled"] is True
    assert p["LogConfig"]["FieldLogLevel"] == "ERROR"
    assert p["LogConfig"]["ExcludeVerboseContent"] is True


def test_outputs_give_clients_what_they_need() -> None:
    outputs = _template.template()["Outputs"]
    assert {
        "GraphQLUrl",
        "RealtimeUrl",
        "UserPoolId",
        "UserPoolClientId",
        "ApiKeyId",
        "TableName",
        "Region",
    } <= set(outputs)


def test_the_local_runtime_reads_the_template() -> None:
    # `make run` serves this template through appsync_local; it must understand every part
    # it executes (functions, the alias-qualified Lambda data source, NONE, resolvers).
    import importlib.util

    if importlib.util.find_spec("appsync_local.template") is None:
        pytest.skip("appsync_local.template does not exist yet")
    from appsync_local.template import load_template

    model = load_template(_template.TEMPLATE_PATH, env_vars_file=_template.ENV_LOCAL_PATH)
    assert set(model.functions) == set(_template.functions())
    api_function = _template.function_for_handler("positive_chat.handlers.api.lambda_handler")
    lambda_sources = [d for d in model.data_sources.values() if d.type == "AWS_LAMBDA"]
    assert lambda_sources
    assert all(d.function_id == api_function for d in lambda_sources), lambda_sources
    assert len(model.resolvers) == len(_template.resources("AWS::AppSync::Resolver"))
