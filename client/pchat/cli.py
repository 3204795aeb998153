"""``pchat``: the command line over the pchat library.

Exit codes (docs/client.md): 0 ok, 1 API error, 2 usage or configuration, 3
authentication/authorization, 4 offline (a post stays queued in the outbox), 5 rejected
by the sentiment gate, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TextIO

from . import _cli_analytics as analytics_commands
from . import _cli_commands as commands
from ._cli_context import Context, ExitCode, TransportFactory, UsageError
from ._outbox_commands import outbox as outbox_command
from .errors import (
    UNAUTHORIZED,
    VALIDATION,
    ApiError,
    AuthError,
    ConfigError,
    OfflineError,
    PchatError,
)
from .export import ExportResumeError

Command = Callable[[Context], Awaitable[int]]


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after its name (``pchat rooms --json``).

    Subcommands declare them with SUPPRESS defaults, so a value given before the command
    is not overwritten by the subcommand's default.
    """
    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--config", metavar="PATH", default=default(None),
                        help="runtime.json or stack outputs (default: $PCHAT_CONFIG, "
                             "else .local/runtime.json)")
    parser.add_argument("--auth", choices=["user", "api-key", "iam"], default=default("user"),
                        help="who calls: the signed-in user (default), the public API key, "
                             "or IAM (tools)")
    parser.add_argument("--user", default=default(None),
                        help="which signed-in user (default: the last to log in)")
    parser.add_argument("--json", action="store_true", default=default(False),
                        help="JSON lines on stdout, for scripts")
    parser.add_argument("--no-color", action="store_true", default=default(False),
                        help="plain text (also: NO_COLOR=1)")
    parser.add_argument("--timeout", type=int, default=default(30), help="seconds per request")
    parser.add_argument("-v", "--verbose", action="store_true", default=default(False),
                        help="log to stderr")


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pchat", description="Positive Chat from the terminal (local runtime or AWS).",
        epilog="exit codes: 0 ok, 1 API error, 2 usage/config, 3 auth, 4 offline (queued), "
               "5 rejected")
    _global_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Command, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        command.set_defaults(handler=handler)
        return command

    login = add("login", commands.login, "sign in (Cognito user pool); tokens are cached")
    login.add_argument("username", nargs="?")
    login.add_argument("--password-stdin", action="store_true",
                       help="read the password from stdin (default: prompt; local dev users "
                            "from runtime.json need none)")
    add("logout", commands.logout, "forget the cached tokens")
    add("me", commands.me, "your profile: language, points, rejections")

    rooms = add("rooms", commands.rooms, "list rooms")
    rooms.add_argument("--mine", action="store_true", help="rooms I belong to")
    rooms.add_argument("--limit", type=int, help="page size (1..100)")
    rooms.add_argument("--all", action="store_true", help="every page")

    create = add("create-room", commands.create_room, "create a room (you own it)")
    create.add_argument("name")
    create.add_argument("--private", action="store_true")
    create.add_argument("--description")
    create.add_argument("--language", help="your reading language in it")
    create.add_argument("--threshold", type=float, help="negativity threshold 0.5..1.0")
    create.add_argument("--require-sentiment", action="store_true",
                        help="refuse messages that cannot be scored")

    join = add("join", commands.join, "join a room")
    join.add_argument("room")
    join.add_argument("--language", help="the language you read in this room")

    send = add("send", commands.send, "post a message (queued in the outbox when offline)")
    send.add_argument("room")
    send.add_argument("text", nargs="+", help="the message ('-' reads stdin)")
    send.add_argument("--language", help="language hint")

    edit = add("edit", commands.edit, "edit your message (queued when offline)")
    edit.add_argument("room")
    edit.add_argument("message", help="message id")
    edit.add_argument("text", nargs="+", help="the new text ('-' reads stdin)")
    edit.add_argument("--version", type=int, required=True,
                      help="the _version you saw (a stale one reports a conflict)")
    edit.add_argument("--language", help="language hint")

    delete = add("delete", commands.delete, "delete your message (queued when offline)")
    delete.add_argument("room")
    delete.add_argument("message", help="message id")
    delete.add_argument("--version", type=int, required=True, help="the _version you saw")

    tail = add("tail", commands.tail, "follow a room live (reconnects by itself)")
    tail.add_argument("room")
    tail.add_argument("--language", help="show translations into this language "
                                         "(default: your preferred language)")
    tail.add_argument("--since", type=int, metavar="MS", help="first replay changes after MS")
    tail.add_argument("--history", type=int, metavar="N", help="first show the last N messages")

    cloud = add("cloud", commands.cloud, "the room's tag cloud")
    cloud.add_argument("room")
    cloud.add_argument("--limit", type=int, help="number of tags (1..100)")
    cloud.add_argument("--watch", action="store_true", help="redraw on every change")

    search = add("search", commands.search, "messages by tag")
    search.add_argument("--tag", required=True)
    search.add_argument("--room", help="one room (without: every room; analysts only)")
    search.add_argument("--limit", type=int)
    search.add_argument("--language", help="show translations into this language")

    board = add("leaderboard", commands.leaderboard, "positivity points per author")
    board.add_argument("room")
    board.add_argument("--limit", type=int)

    sync = add("sync", commands.sync, "changes since the last sync of a room (delta sync)")
    sync.add_argument("room")
    sync.add_argument("--since", type=int, metavar="MS", help="instead of the stored mark")
    sync.add_argument("--full", action="store_true", help="everything, ignoring the mark")
    sync.add_argument("--language")

    box = add("outbox", outbox_command, "the offline outbox: status, list, flush, resolve, purge")
    box.add_argument("action", nargs="?", default="status",
                     choices=["status", "list", "flush", "resolve", "purge"])
    box.add_argument("seq", nargs="?", type=int, help="entry number (resolve)")
    box.add_argument("--retry", nargs="?", const="", metavar="TEXT",
                     help="resolve: send again at the server's version (optionally new text)")
    box.add_argument("--discard", action="store_true", help="resolve: give the entry up")

    export = add("export", commands.export,
                 "messages of a room or tag to CSV, JSON Lines or Parquet; resumable")
    export.add_argument("--room")
    export.add_argument("--tag")
    export.add_argument("--from", dest="from_", metavar="WHEN",
                        help="created at or after WHEN (2026-11-01, 2026-11-01T10:00:00Z, 7d)")
    export.add_argument("--to", metavar="WHEN", help="created before WHEN")
    export.add_argument("--format", choices=["csv", "jsonl", "parquet"], default="jsonl")
    export.add_argument("--output", "-o",
                        help="file (default: stdout); an interrupted export to a file "
                             "continues when the same command runs again")
    export.add_argument("--page-size", type=int, default=100, help="1..100")
    export.add_argument("--restart", action="store_true",
                        help="start over instead of continuing an unfinished export")
    export.add_argument("--no-progress", action="store_true")

    _analytics_commands(add("analytics", _analytics_usage,
                            "analysts' queries: trends, top tags, messages by tag, room stats"),
                        common)
    return parser


def _window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_", metavar="WHEN",
                        help="start: 2026-11-01, 2026-11-01T10:00:00Z, or 7d / 24h back "
                             "from now (default: 7d)")
    parser.add_argument("--to", metavar="WHEN", help="end, excluded (default: now)")


def _analytics_commands(analytics: argparse.ArgumentParser,
                        common: argparse.ArgumentParser) -> None:
    sub = analytics.add_subparsers(dest="query", required=True, metavar="QUERY")

    def add(name: str, handler: Command, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        command.set_defaults(handler=handler)
        return command

    trends = add("trends", analytics_commands.trends,
                 "messages with a tag per hour or day: a table and a chart")
    trends.add_argument("--tag", required=True)
    trends.add_argument("--room", help="one room (without: every room; analysts only)")
    trends.add_argument("--granularity", type=str.upper, choices=["HOUR", "DAY"],
                        help="bucket size (default: HOUR up to 48 hours, else DAY)")
    _window_options(trends)

    top = add("top", analytics_commands.top, "the most used tags")
    top.add_argument("--room", help="one room (without: every room; analysts only)")
    top.add_argument("--limit", type=int, help="number of tags, 1..100 (default 20)")
    _window_options(top)

    by_tag = add("by-tag", analytics_commands.by_tag, "messages with a tag, newest first")
    by_tag.add_argument("--tag", required=True)
    by_tag.add_argument("--room", help="one room (without: every room; analysts only)")
    by_tag.add_argument("--limit", type=int, help="messages to show (default 20)")
    _window_options(by_tag)

    stats = add("stats", analytics_commands.stats,
                "a room's accepted, rejected and deleted messages, sentiment, authors")
    stats.add_argument("--room", required=True)
    _window_options(stats)


async def _analytics_usage(ctx: Context) -> int:  # pragma: no cover - argparse requires QUERY
    return ExitCode.USAGE


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None,
         stdin: TextIO | None = None, transport_factory: TransportFactory | None = None) -> int:
    """Run one command; returns the exit code (the console script exits with it).

    ``transport_factory`` replaces the gql transport (tests use an in-memory API).
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = get_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    if args.command == "export" and not (args.room or args.tag):
        print("pchat export: give --room ROOM or --tag TAG", file=err)
        return ExitCode.USAGE
    if args.verbose:
        logging.basicConfig(level=logging.INFO, stream=err,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # gql logs signed headers and payloads at DEBUG: keep its loggers above that.
        for name in ("gql", "websockets", "botocore", "aiohttp"):
            logging.getLogger(name).setLevel(logging.WARNING)
    ctx = Context(args, os.environ if env is None else env, out, err, stdin or sys.stdin,
                  transport_factory)
    try:
        return asyncio.run(_run(args.handler, ctx))
    except KeyboardInterrupt:
        return 130
    except PchatError as exc:
        code, hint = classify(exc)
        print(f"pchat: {exc}", file=err)
        if hint:
            print(f"  {hint}", file=err)
        return code


async def _run(handler: Command, ctx: Context) -> int:
    try:
        return await handler(ctx)
    finally:
        await ctx.close()


def classify(exc: PchatError) -> tuple[ExitCode, str]:
    """The exit code and an actionable hint for an error."""
    if isinstance(exc, ConfigError | UsageError | ExportResumeError):
        return ExitCode.USAGE, ""
    if isinstance(exc, AuthError):
        return ExitCode.AUTH, "sign in with `pchat login USER`, or use --auth api-key"
    if isinstance(exc, OfflineError):
        return ExitCode.OFFLINE, "is the API running (`make run`)? posts are queued by `pchat send`"
    if isinstance(exc, ApiError) and exc.error_type == UNAUTHORIZED:
        if "analysts" in exc.message:  # a question across every room
            return ExitCode.AUTH, ("give --room ROOM for one room, sign in as a member of the "
                                   "'analysts' group, or use --auth iam")
        return ExitCode.AUTH, ("not allowed with these credentials: join the room, ask its "
                               "owner for an invitation, or use another --auth mode")
    if isinstance(exc, ApiError) and exc.error_type == VALIDATION and exc.limit is not None:
        option = {"from": "--from/--to", "to": "--from/--to", "limit": "--limit"}.get(
            exc.field or "", f"`{exc.field}`" if exc.field else "the request")
        return ExitCode.API_ERROR, (f"the API's limit here is {exc.limit}: change {option} "
                                    "to stay within it")
    return ExitCode.API_ERROR, ""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
