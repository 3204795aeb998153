"""The web UI's config.json (and its Content-Security-Policy) for a local run or an AWS stack.

    python tools/web_config.py local [--runtime .local/runtime.json] [--out FILE]
        config.json for the running local API (printed, or written to FILE)
    python tools/web_config.py bundle --config config.json --out DIR
        copy client/web to DIR with that config.json, and narrow the CSP's connect-src
        to exactly the hosts it names
    python tools/web_config.py aws --stack NAME [--region R] --out DIR
        the same, with the config read from the stack's outputs (needs AWS credentials)

config.json never carries secrets: IAM keys, users and passwords of runtime.json stay out.
The API key it may carry is the public, read-only one the template outputs for clients.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WEB_DIR = Path(__file__).resolve().parent.parent / "client" / "web"
_CSP_CONNECT = re.compile(r"connect-src [^;\"]*")


def from_runtime(info: dict[str, Any]) -> dict[str, Any]:
    """config.json for a local run, from `.local/runtime.json` (public fields only)."""
    pool = info.get("userPool") or {}
    return {
        "graphqlUrl": info["graphqlUrl"],
        "realtimeUrl": info["realtimeUrl"],
        "region": info["region"],
        "apiKey": info.get("apiKey"),
        "userPool": {
            "id": pool.get("id"),
            "clientId": pool.get("clientId"),
            "endpoint": pool.get("endpoint"),
        },
    }


def from_stack_outputs(outputs: dict[str, str]) -> dict[str, Any]:
    """config.json from the SAM stack's outputs (infra/template.yaml, section Outputs)."""
    return {
        "graphqlUrl": outputs["GraphQLUrl"],
        "realtimeUrl": outputs["RealtimeUrl"],
        "region": outputs["Region"],
        "apiKey": outputs.get("ApiKeyId"),
        "userPool": {"id": outputs["UserPoolId"], "clientId": outputs["UserPoolClientId"]},
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def connect_sources(config: dict[str, Any]) -> list[str]:
    """The exact origins the page talks to: GraphQL, real-time, Cognito."""
    pool = config.get("userPool") or {}
    endpoint = pool.get("endpoint")
    if not endpoint:
        region = (pool.get("id") or "").split("_")[0] or config["region"]
        endpoint = f"https://cognito-idp.{region}.amazonaws.com/"
    realtime = config.get("realtimeUrl") or config["graphqlUrl"].replace(
        "https://", "wss://"
    ).replace("appsync-api", "appsync-realtime-api")
    sources = [_origin(config["graphqlUrl"]), _origin(realtime), _origin(endpoint)]
    return list(dict.fromkeys(sources))


def narrow_csp(index_html: str, sources: list[str]) -> str:
    """Replace the CSP's connect-src with exactly `sources`."""
    replaced, count = _CSP_CONNECT.subn("connect-src " + " ".join(sources), index_html, count=1)
    if count != 1:
        raise ValueError("index.html has no Content-Security-Policy connect-src to narrow")
    return replaced


def bundle(config: dict[str, Any], out: Path, src: Path = WEB_DIR) -> Path:
    """Copy the web UI to `out` with this config.json and a CSP naming only its hosts."""
    if out.resolve() == src.resolve():
        raise ValueError("--out must not be client/web itself")
    shutil.copytree(
        src,
        out,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("config.json", "config.example.json"),
    )
    index = out / "index.html"
    index.write_text(
        narrow_csp(index.read_text(encoding="utf-8"), connect_sources(config)), encoding="utf-8"
    )
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return out


def _stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    import boto3  # only this subcommand needs AWS

    cfn = boto3.client("cloudformation", region_name=region)
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/web_config.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    local = sub.add_parser("local", help="config.json for the running local API")
    local.add_argument("--runtime", type=Path, default=Path(".local/runtime.json"))
    local.add_argument("--out", type=Path, help="write here instead of printing")
    bun = sub.add_parser("bundle", help="copy the UI with a given config.json")
    bun.add_argument("--config", type=Path, required=True)
    bun.add_argument("--out", type=Path, required=True)
    aws = sub.add_parser("aws", help="copy the UI configured from a deployed stack")
    aws.add_argument("--stack", required=True)
    aws.add_argument("--region")
    aws.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "local":
        try:
            info = json.loads(args.runtime.read_text(encoding="utf-8"))
        except FileNotFoundError:
            print(f"{args.runtime} not found: start the API first (make run)", file=sys.stderr)
            return 1
        text = json.dumps(from_runtime(info), indent=2) + "\n"
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "bundle":
        config = json.loads(args.config.read_text(encoding="utf-8"))
    else:
        config = from_stack_outputs(_stack_outputs(args.stack, args.region))
    out = bundle(config, args.out)
    print(
        f"web UI with config.json written to {out}; CSP connect-src: "
        f"{' '.join(connect_sources(config))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
