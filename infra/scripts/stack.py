"""Helpers for infra/deploy.sh and infra/destroy.sh (boto3 and samconfig.toml, no AWS CLI needed).

stack.py stack-name  --config-file F --env E
stack.py region      --config-file F --env E
stack.py params      --config-file F --env E      # Key=Value lines (--parameter-overrides)
stack.py whoami      --region R
stack.py exists      --stack S --region R        # exit 0 if the stack exists
stack.py parameter   --stack S --region R --name P
stack.py unprotect   --stack S --region R        # DeletionProtection=false, nothing else changes
stack.py outputs     --stack S --region R [--write PATH] [--env-file PATH]
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_STACK = "positive-chat"
# AppSync accepts an API key expiry 1 to 365 days ahead, rounded down to the hour.
API_KEY_DAYS = 364


def _config(path: Path, env: str) -> dict[str, Any]:
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    section = data.get(env, {})
    merged: dict[str, Any] = {}
    for command in ("global", "deploy"):
        merged.update(section.get(command, {}).get("parameters", {}))
    return merged


def stack_name(path: Path, env: str) -> str:
    return str(_config(path, env).get("stack_name", DEFAULT_STACK))


def region(path: Path, env: str) -> str:
    return str(_config(path, env).get("region", ""))


def parse_overrides(value: str | list[str] | None) -> dict[str, str]:
    """samconfig's parameter_overrides: 'A=1 B="two words"' or ['A=1', 'B=two words']."""
    if not value:
        return {}
    items = value if isinstance(value, list) else shlex.split(value)
    result = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep:
            raise ValueError(f"parameter override without '=': {item!r}")
        result[key.strip()] = val
    return result


def api_key_expiry(now: float | None = None) -> int:
    """Epoch seconds API_KEY_DAYS ahead, on the hour (AppSync rounds down anyway)."""
    at = int(now if now is not None else time.time()) + API_KEY_DAYS * 86400
    return at - at % 3600


def deploy_overrides(path: Path, env: str, now: float | None = None) -> list[str]:
    """The env's overrides from samconfig plus a fresh ApiKeyExpires.

    `sam deploy --parameter-overrides` replaces samconfig's overrides instead of merging, so
    deploy.sh passes them all.
    """
    overrides = parse_overrides(_config(path, env).get("parameter_overrides"))
    overrides["ApiKeyExpires"] = str(api_key_expiry(now))
    return [f"{key}={value}" for key, value in overrides.items()]


def _cfn(region_name: str) -> Any:
    import boto3

    return boto3.client("cloudformation", region_name=region_name or None)


def _describe(stack: str, region_name: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return _cfn(region_name).describe_stacks(StackName=stack)["Stacks"][0]  # type: ignore[no-any-return]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def outputs(stack: str, region_name: str) -> dict[str, str]:
    described = _describe(stack, region_name)
    if described is None:
        raise SystemExit(f"stack {stack} does not exist")
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


# Variables pchat reads (client/pchat/config.py ENV_OUTPUTS) -> stack output.
CLIENT_ENV = {
    "PCHAT_GRAPHQL_URL": "GraphQLUrl",
    "PCHAT_REALTIME_URL": "RealtimeUrl",
    "PCHAT_REGION": "Region",
    "PCHAT_USER_POOL_ID": "UserPoolId",
    "PCHAT_USER_POOL_CLIENT_ID": "UserPoolClientId",
    "PCHAT_API_KEY": "ApiKeyId",
}


def web_config(values: dict[str, str]) -> dict[str, Any]:
    """The web UI's config.json (client/web/js/config.js) from the stack outputs."""
    return {
        "graphqlUrl": values["GraphQLUrl"],
        "realtimeUrl": values["RealtimeUrl"],
        "region": values["Region"],
        "apiKey": values.get("ApiKeyId"),
        "userPool": {"id": values["UserPoolId"], "clientId": values["UserPoolClientId"]},
    }


def unprotect(stack: str, region_name: str) -> None:
    """Set DeletionProtection=false with the previous template and every other value kept."""
    described = _describe(stack, region_name)
    if described is None:
        raise SystemExit(f"stack {stack} does not exist")
    parameters = [
        {"ParameterKey": p["ParameterKey"], "ParameterValue": "false"}
        if p["ParameterKey"] == "DeletionProtection"
        else {"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
        for p in described.get("Parameters", [])
    ]
    cfn = _cfn(region_name)
    cfn.update_stack(
        StackName=stack,
        UsePreviousTemplate=True,
        Parameters=parameters,
        # The stored template still has the SAM transform and creates IAM roles.
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    print(f"turning deletion protection off on {stack} ...", file=sys.stderr)
    cfn.get_waiter("stack_update_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 120}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "command",
        choices=[
            "stack-name",
            "region",
            "params",
            "whoami",
            "exists",
            "parameter",
            "unprotect",
            "outputs",
        ],
    )
    parser.add_argument("--config-file", type=Path, default=Path("infra/samconfig.toml"))
    parser.add_argument("--env", default="default")
    parser.add_argument("--stack", default="")
    parser.add_argument("--region", default="")
    parser.add_argument("--name", default="")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--env-file", type=Path)
    parser.add_argument("--web-config", type=Path)
    args = parser.parse_args(argv)

    if args.command == "stack-name":
        print(stack_name(args.config_file, args.env))
    elif args.command == "region":
        print(region(args.config_file, args.env))
    elif args.command == "params":
        print("\n".join(deploy_overrides(args.config_file, args.env)))
    elif args.command == "whoami":
        import boto3

        session = boto3.session.Session(region_name=args.region or None)
        if session.get_credentials() is None:
            print(
                "no AWS credentials: run `aws configure` / `aws sso login`, or export AWS_PROFILE",
                file=sys.stderr,
            )
            return 1
        if not session.region_name:
            print(
                "no AWS region: export AWS_REGION=<region> (or set region in infra/samconfig.toml)",
                file=sys.stderr,
            )
            return 1
        identity = session.client("sts").get_caller_identity()
        print(f"account {identity['Account']}, region {session.region_name}, as {identity['Arn']}")
    elif args.command == "exists":
        return 0 if _describe(args.stack, args.region) is not None else 1
    elif args.command == "parameter":
        described = _describe(args.stack, args.region) or {}
        values = {
            p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])
        }
        print(values.get(args.name, ""))
    elif args.command == "unprotect":
        unprotect(args.stack, args.region)
    elif args.command == "outputs":
        values = outputs(args.stack, args.region)
        if args.write:
            args.write.parent.mkdir(parents=True, exist_ok=True)
            args.write.write_text(
                json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        if args.env_file:
            args.env_file.parent.mkdir(parents=True, exist_ok=True)
            lines = [
                f"export {var}={shlex.quote(values.get(key, ''))}"
                for var, key in CLIENT_ENV.items()
            ]
            args.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if args.web_config:
            args.web_config.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(web_config(values), indent=2) + "\n"
            args.web_config.write_text(text, encoding="utf-8")
        for key in sorted(values):
            print(f"{key:36} {values[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
