"""Command line: `python -m appsync_local run ...` (what `make run` calls) and `token USER`.

A thin layer: parse arguments, configure logging, hand over to runtime.run().
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_REGION = "us-east-1"


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m appsync_local",
        description="Serve a SAM-defined AWS AppSync API locally, with its Python Lambda "
                    "resolvers, DynamoDB Local, a local Cognito and DynamoDB stream pollers.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the API (Ctrl-C to stop)")
    run.add_argument("--template", type=Path, required=True, help="SAM template (YAML/JSON)")
    run.add_argument("--env-vars", type=Path, help="sam-local style env file: "
                     '{"FunctionLogicalId": {"VAR": "value"}, "Parameters": {...}}')
    run.add_argument("--host", default="127.0.0.1",
                     help="interface to listen on (default 127.0.0.1; anything else exposes "
                          "the API and its dev credentials to the network)")
    run.add_argument("--port", type=int, default=8000, help="HTTP/WebSocket port (0: any)")
    run.add_argument("--state-dir", type=Path, default=Path(".local"),
                     help="where data, checkpoints, users and credentials live")
    run.add_argument("--dynamodb-local-dir", type=Path, default=Path(".cache/dynamodb-local"),
                     help="folder with DynamoDBLocal.jar (make dynamodb-local)")
    run.add_argument("--seed", type=Path, help="seed file: users and GraphQL operations")
    run.add_argument("--tls", action="store_true",
                     help="serve https:// and wss:// with a self-signed localhost certificate")
    run.add_argument("--static", type=Path, metavar="DIR", help="serve a web UI from DIR at /")
    run.add_argument("--in-memory", action="store_true",
                     help="use moto's in-memory DynamoDB instead of DynamoDB Local "
                          "(NOTHING persists)")
    run.add_argument("--region", default=_env_region(),
                     help=f"region of the local API (default: AWS_REGION or {DEFAULT_REGION})")
    run.add_argument("--stack-name", help="CloudFormation stack name for names derived from it")
    run.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE",
                     help="template parameters")
    run.add_argument("--log-level", default="INFO",
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"])

    token = sub.add_parser("token", help="print a Cognito ID token for a user of runtime.json")
    token.add_argument("username")
    token.add_argument("--state-dir", type=Path, default=Path(".local"))
    token.add_argument("--password", help="default: the password in runtime.json")
    token.add_argument("--access", action="store_true", help="print the access token instead")
    return parser


def _env_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def main(argv: Sequence[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    if args.command == "token":
        return _token(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    # Imported after logging is configured, and so that `token` stays light.
    from .dynamodb_local import DynamoDBLocalError
    from .intrinsics import TemplateError
    from .runtime import RuntimeOptions, Terminated, run
    from .schema import SchemaError
    from .seed import SeedFileError
    from .state import StateDirBusyError

    try:
        overrides = dict(_key_value(p) for p in args.parameter_overrides)
        run(RuntimeOptions(
            template=args.template, state_dir=args.state_dir,
            dynamodb_local_dir=args.dynamodb_local_dir, env_vars=args.env_vars,
            seed=args.seed, host=args.host, port=args.port, tls=args.tls,
            static_dir=args.static, in_memory=args.in_memory, region=args.region,
            stack_name=args.stack_name, parameter_overrides=overrides,
        ))
    except KeyboardInterrupt:
        return 130
    except Terminated as exc:
        logging.getLogger("appsync_local").warning("stopped by SIGTERM during startup")
        return int(exc.code or 143)
    except (TemplateError, SchemaError, SeedFileError, StateDirBusyError, DynamoDBLocalError,
            OSError, ValueError) as exc:
        logging.getLogger("appsync_local").error("cannot run: %s", exc)
        return 1
    return 0


def _key_value(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        raise ValueError(f"--parameter-overrides expects KEY=VALUE, got {pair!r}")
    return key, value


def _token(args: argparse.Namespace) -> int:
    from .cognito_local import initiate_password_auth

    path = args.state_dir / "runtime.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"{path} not found: is `make run` running with --state-dir {args.state_dir}?",
              file=sys.stderr)
        return 1
    pool = info.get("userPool")
    if not pool:
        print("the running API has no Cognito user pool", file=sys.stderr)
        return 1
    password = args.password or next(
        (u["password"] for u in info.get("users", []) if u["username"] == args.username), None)
    if password is None:
        print(f"{args.username} is not a seeded user: pass --password", file=sys.stderr)
        return 1
    tokens = initiate_password_auth(pool["endpoint"], info["region"], pool["clientId"],
                                    args.username, password)
    print(tokens["AccessToken" if args.access else "IdToken"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
