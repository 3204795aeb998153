"""Read infra/template.yaml the way CloudFormation would, for the consistency tests."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
TEMPLATE_PATH = INFRA / "template.yaml"
ENV_LOCAL_PATH = INFRA / "env.local.json"
SCHEMA_PATH = ROOT / "schema.graphql"
RESOLVERS = ROOT / "resolvers"
PACKAGE_DIR = RESOLVERS / "positive_chat"

# Services whose data the functions touch: their actions must be exactly what the code calls.
DATA_SERVICES = ("dynamodb", "comprehend", "translate")


@lru_cache(maxsize=1)
def template() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def transformed() -> dict[str, Any]:
    """The offline SAM transform (the same code infra/validate.sh runs)."""
    spec = importlib.util.spec_from_file_location(
        "_sam_transform", INFRA / "scripts" / "sam_transform.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.transform_file(TEMPLATE_PATH)  # type: ignore[no-any-return]


def resources(of_type: str, source: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    tpl = template() if source is None else source
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == of_type}


def props(logical_id: str, source: dict[str, Any] | None = None) -> dict[str, Any]:
    tpl = template() if source is None else source
    return tpl["Resources"][logical_id].get("Properties", {})  # type: ignore[no-any-return]


def functions() -> dict[str, dict[str, Any]]:
    return resources("AWS::Serverless::Function")


def function_for_handler(handler: str) -> str:
    """Logical id of the function whose Handler is ``handler`` ('pkg.module.lambda_handler')."""
    matches = [k for k, v in functions().items() if v["Properties"].get("Handler") == handler]
    assert len(matches) == 1, f"expected one function with Handler {handler}, found {matches}"
    return matches[0]


def environment(function_id: str) -> dict[str, Any]:
    return props(function_id).get("Environment", {}).get("Variables", {})  # type: ignore[no-any-return]


def placeholder_env(function_id: str) -> dict[str, str]:
    """The function's environment with intrinsics replaced by plausible strings."""
    return {name: _placeholder(value) for name, value in environment(function_id).items()}


def _placeholder(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        parameter = template().get("Parameters", {}).get(ref)
        if parameter is not None:
            return str(parameter.get("Default", ref))
        return f"{ref.lower()}-placeholder"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        if attribute.endswith("Url"):
            return f"https://{logical_id.lower()}.appsync-api.us-east-1.amazonaws.com/graphql"
        return f"{logical_id}-{attribute}".lower()
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = value["Fn::Sub"]
        return text if isinstance(text, str) else str(text[0])
    return str(value)


def role_of(function_id: str) -> str:
    role = props(function_id).get("Role")
    assert isinstance(role, dict) and "Fn::GetAtt" in role, (
        f"{function_id} needs an explicit role (Role: !GetAtt <Role>.Arn) so its permissions are "
        "exactly the template's, without SAM-added managed policies"
    )
    return str(role["Fn::GetAtt"][0])


def role_statements(role_id: str) -> Iterator[dict[str, Any]]:
    """Allow statements of a role's inline policies and of template policies attached to it."""
    for policy in props(role_id).get("Policies", []):
        yield from _allow(policy["PolicyDocument"])
    for kind in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy"):
        for resource in resources(kind).values():
            p = resource["Properties"]
            names = [p.get("RoleName"), *p.get("Roles", [])]
            if {"Ref": role_id} in names:
                yield from _allow(p["PolicyDocument"])


def _allow(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for statement in document["Statement"]:
        if statement.get("Effect") == "Allow":
            yield statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def actions_by_service(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for statement in statements:
        for action in as_list(statement["Action"]):
            service, _, name = action.partition(":")
            result.setdefault(service, set()).add(name)
    return result


def subscribed_mutations(schema: Any) -> set[str]:
    """Mutation names listed in any @aws_subscribe(mutations: [...])."""
    from graphql import StringValueNode

    from tests.infra import _appsync_schema

    names: set[str] = set()
    for field in _appsync_schema.root(schema.subscription_type).fields.values():
        for directive in field.ast_node.directives:
            if directive.name.value != "aws_subscribe":
                continue
            for argument in directive.arguments:
                if argument.name.value == "mutations":
                    names |= {
                        v.value for v in argument.value.values if isinstance(v, StringValueNode)
                    }
    return names
