"""Offline SAM transform: infra/template.yaml -> plain CloudFormation JSON.

Used by infra/validate.sh (cfn-lint then lints the output, which catches what linting the
SAM source alone misses) and by tests/infra. No AWS access: the region is fixed, managed
policy names come from a stub, and local artifact paths (CodeUri, DefinitionS3Location,
CodeS3Location...) are checked to exist and then replaced by s3:// placeholders, as
`sam package` would.

    python infra/scripts/sam_transform.py infra/template.yaml -o .cache/infra/template.json
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

# Local artifact properties per resource type (those `sam build`/`sam package` upload).
LOCAL_PATH_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::AppSync::GraphQLSchema": ("DefinitionS3Location",),
    "AWS::AppSync::Resolver": (
        "CodeS3Location",
        "RequestMappingTemplateS3Location",
        "ResponseMappingTemplateS3Location",
    ),
    "AWS::AppSync::FunctionConfiguration": (
        "CodeS3Location",
        "RequestMappingTemplateS3Location",
        "ResponseMappingTemplateS3Location",
    ),
}

PLACEHOLDER_BUCKET = "placeholder-artifacts"


class _StubManagedPolicyLoader:
    """Answers SAM's managed-policy look-up without IAM (only used for generated roles)."""

    def load(self) -> dict[str, str]:
        names = (
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSXrayWriteOnlyAccess",
            "AWSLambdaRole",
        )
        return {name: f"arn:aws:iam::aws:policy/service-role/{name}" for name in names}


def load_template(path: Path) -> dict[str, Any]:
    """Parse a SAM/CloudFormation YAML template, short-form intrinsics included."""
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def replace_local_paths(
    template: dict[str, Any], base_dir: Path
) -> tuple[dict[str, Any], list[str]]:
    """Return a copy whose local artifact paths are s3:// placeholders, and the problems found."""
    result = copy.deepcopy(template)
    problems: list[str] = []
    for logical_id, resource in result.get("Resources", {}).items():
        properties = resource.get("Properties") or {}
        for prop in LOCAL_PATH_PROPERTIES.get(resource.get("Type", ""), ()):
            value = properties.get(prop)
            if not isinstance(value, str) or value.startswith("s3://"):
                continue
            if not (base_dir / value).exists():
                problems.append(
                    f"{logical_id}.{prop}: {value} does not exist (relative to {base_dir})"
                )
            properties[prop] = (
                f"s3://{PLACEHOLDER_BUCKET}/{logical_id}/{Path(value).name or 'code'}"
            )
    return result, problems


def transform(template: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """Run the SAM translator offline and return the CloudFormation template."""
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_REGION"] = region
    # The translator logs feature-toggle chatter at WARNING; problems arrive as exceptions.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform as sam_transform

    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    parameters = {"AWS::Region": region, "AWS::AccountId": "123456789012"}
    loader: Any = _StubManagedPolicyLoader()  # duck-typed: SAM only calls .load()
    result: dict[str, Any] = sam_transform(copy.deepcopy(template), parameters, loader)
    return result


def transform_file(path: Path, region: str = "us-east-1") -> dict[str, Any]:
    """Load, check artifact paths, and transform.

    Raises
    ------
    FileNotFoundError
        a local artifact path does not exist.
    samtranslator.model.exceptions.InvalidDocumentException
        the SAM template is invalid.
    """
    template, problems = replace_local_paths(load_template(path), path.parent)
    if problems:
        raise FileNotFoundError("; ".join(problems))
    return transform(template, region)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)

    from samtranslator.model.exceptions import InvalidDocumentException

    try:
        output = transform_file(args.template, args.region)
    except FileNotFoundError as exc:
        print(f"sam transform: {exc}", file=sys.stderr)
        return 1
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"sam transform: {cause.message}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"sam transform: {args.template} -> {args.output} ({len(output['Resources'])} resources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
