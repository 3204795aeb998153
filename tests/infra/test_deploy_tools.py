"""infra/samconfig.toml, deploy/destroy scripts and their helper, without AWS."""

from __future__ import annotations

import importlib.util
import subprocess
import tomllib
from typing import Any

import pytest

from tests.infra import _template

SAMCONFIG = _template.INFRA / "samconfig.toml"


@pytest.fixture(scope="module")
def stack() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_stack", _template.INFRA / "scripts" / "stack.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _envs() -> list[str]:
    return list(tomllib.loads(SAMCONFIG.read_text(encoding="utf-8")))[1:]  # skip "version"


@pytest.mark.parametrize("script", ["deploy.sh", "destroy.sh", "validate.sh"])
def test_scripts_parse(script: str) -> None:
    subprocess.run(["bash", "-n", str(_template.INFRA / script)], check=True)


def test_samconfig_overrides_are_valid_template_parameters(stack: Any) -> None:
    parameters = _template.template()["Parameters"]
    for env in _envs():
        for item in stack.deploy_overrides(SAMCONFIG, env):
            key, _, value = item.partition("=")
            assert key in parameters, f"[{env}] overrides unknown parameter {key}"
            allowed = parameters[key].get("AllowedValues")
            if allowed is not None:
                assert value in [str(v) for v in allowed], f"[{env}] {key}={value} not in {allowed}"


def test_samconfig_deploys_with_the_capabilities_the_template_needs() -> None:
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    for env in _envs():
        deploy = config[env]["deploy"]["parameters"]
        assert set(deploy["capabilities"].split()) == {
            "CAPABILITY_IAM",
            "CAPABILITY_AUTO_EXPAND",
        }, env
        assert deploy["resolve_s3"] is True, env


def test_api_key_expiry_is_within_appsync_bounds(stack: Any) -> None:
    now = 1_800_000_123
    expiry = stack.api_key_expiry(now)
    assert expiry % 3600 == 0
    assert 86400 < expiry - now < 365 * 86400


def test_parameter_overrides_both_samconfig_forms(stack: Any) -> None:
    assert stack.parse_overrides('A=1 B="two words"') == {"A": "1", "B": "two words"}
    assert stack.parse_overrides(["A=1", "B=x=y"]) == {"A": "1", "B": "x=y"}
    assert stack.parse_overrides(None) == {}


def test_client_variables_come_from_real_outputs(stack: Any) -> None:
    outputs = _template.template()["Outputs"]
    assert set(stack.CLIENT_ENV.values()) <= set(outputs)


def test_client_variables_are_the_ones_pchat_reads(stack: Any) -> None:
    if importlib.util.find_spec("pchat.config") is None:
        pytest.skip("client/pchat/config.py does not exist yet")
    from pchat.config import ENV_OUTPUTS, config_from_dict

    assert stack.CLIENT_ENV.items() <= ENV_OUTPUTS.items()
    # The flat outputs file deploy.sh writes is a pchat config, and so is the web config.
    outputs = {key: key for key in _template.template()["Outputs"]}
    outputs["GraphQLUrl"] = "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql"
    outputs["RealtimeUrl"] = "wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/graphql"
    outputs["Region"] = "eu-west-1"
    config = config_from_dict(outputs, source="outputs")
    assert config.user_pool is not None and config.api_key == "ApiKeyId"
    assert config_from_dict(stack.web_config(outputs)).graphql_url == outputs["GraphQLUrl"]
