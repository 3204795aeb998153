"""The CLI's commands: call the library, render the result, return the exit code.

No behaviour lives here that the library does not offer; this is presentation only.
"""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime
from pathlib import Path

from . import _render as render
from ._cli_context import Context, ExitCode, UsageError
from ._outbox_commands import report_outcomes
from ._time import aws_datetime, parse_datetime, parse_time_spec
from .auth import user_session
from .errors import AuthError
from .export import (
    PARQUET_INSTALL,
    ExportFormat,
    ExportResumeError,
    Fetch,
    FileExport,
    export_messages,
    parquet_available,
)
from .models import Message, Page
from .operations import iter_pages
from .outbox import EntryKind, EntryState, FlushReport, OutboxEntry
from .realtime import ConnectionEvent, RoomFeed

_DONE = {EntryKind.POST: "sent", EntryKind.EDIT: "edited", EntryKind.DELETE: "deleted"}
OK, API_ERROR, USAGE = ExitCode.OK, ExitCode.API_ERROR, ExitCode.USAGE
AUTH, OFFLINE, REJECTED = ExitCode.AUTH, ExitCode.OFFLINE, ExitCode.REJECTED


async def login(ctx: Context) -> int:
    config = ctx.config
    username = ctx.args.username or ctx.args.user
    if not username:
        ctx.note("pchat login USERNAME: who signs in?", "red")
        return USAGE
    if ctx.args.password_stdin:
        password = ctx.stdin.readline().rstrip("\n")
    else:
        # Seeded local users (runtime.json) sign in without typing their public dev password.
        password = config.dev_password(username) or getpass.getpass(f"Password for {username}: ")
    session = user_session(config, ctx.tokens)
    tokens = await asyncio.to_thread(session.login, username, password)
    ctx.emit({"username": tokens.username, "expiresAt": int(tokens.expires_at)})
    ctx.say(f"signed in as {ctx.style(username, 'bold')} ({config.source})")
    return OK


async def logout(ctx: Context) -> int:
    session = user_session(ctx.config, ctx.tokens)
    try:
        session.resume(ctx.args.user)
    except AuthError:
        ctx.say("not signed in")
        return OK
    who = session.username
    session.logout()
    ctx.emit({"username": who, "signedOut": True})
    ctx.say(f"signed out {who}")
    return OK


async def me(ctx: Context) -> int:
    profile = await ctx.client.me()
    ctx.emit(profile)
    ctx.say(render.table(["user", "language", "points", "rejected"], [[
        profile.username, profile.preferred_language, str(profile.points),
        str(profile.rejected_count)]], ctx.style))
    return OK


async def rooms(ctx: Context) -> int:
    scope = "MINE" if ctx.args.mine else "PUBLIC"
    rows = []
    async for page in iter_pages(lambda token: ctx.client.rooms(
            scope=scope, limit=ctx.args.limit, next_token=token)):
        for room in page.items:
            ctx.emit(room)
            rows.append([room.id, room.name, room.visibility.lower(), str(room.member_count),
                         ",".join(room.languages), room.owner.username])
        if not ctx.args.all:
            if page.next_token:
                ctx.note("more rooms: pchat rooms --all")
            break
    ctx.say(render.table(["id", "name", "visibility", "members", "languages", "owner"], rows,
                         ctx.style))
    return OK


async def create_room(ctx: Context) -> int:
    room = await ctx.client.create_room(
        ctx.args.name, visibility="PRIVATE" if ctx.args.private else "PUBLIC",
        description=ctx.args.description, language=ctx.args.language,
        negativity_threshold=ctx.args.threshold,
        require_sentiment=True if ctx.args.require_sentiment else None)
    ctx.emit(room)
    ctx.say(f"created {room.visibility.lower()} room {ctx.style(room.name, 'bold')}: {room.id}")
    return OK


async def join(ctx: Context) -> int:
    membership = await ctx.client.join_room(ctx.args.room, language=ctx.args.language)
    ctx.emit(membership)
    ctx.say(f"joined {membership.room_id} as {membership.role.lower()}, reading "
            f"{membership.language}")
    return OK


def _text(ctx: Context) -> str:
    text = " ".join(ctx.args.text)
    return ctx.stdin.read().strip() if text == "-" else text


async def send(ctx: Context) -> int:
    entry = ctx.outbox.post(ctx.args.room, _text(ctx), language=ctx.args.language)
    return await _through_outbox(ctx, entry)


async def edit(ctx: Context) -> int:
    entry = ctx.outbox.edit(ctx.args.room, ctx.args.message, _text(ctx),
                            expected_version=ctx.args.version, language=ctx.args.language)
    return await _through_outbox(ctx, entry)


async def delete(ctx: Context) -> int:
    entry = ctx.outbox.delete(ctx.args.room, ctx.args.message, expected_version=ctx.args.version)
    return await _through_outbox(ctx, entry)


async def _through_outbox(ctx: Context, entry: OutboxEntry) -> int:
    """Writes go through the outbox: earlier queued ones first, and nothing is lost offline."""
    report = await ctx.outbox.flush(ctx.client)
    report_outcomes(ctx, [o for o in report.outcomes if o.entry.seq != entry.seq])
    outcome = report.outcome_of(entry.seq)
    if outcome is None:
        return _queued(ctx, report)
    ctx.emit({"outboxSeq": entry.seq, "clientId": entry.client_id, "state": outcome.state,
              "result": outcome.result, "message": outcome.message,
              "current": outcome.current, "error": outcome.error})
    if outcome.result is not None and outcome.result.rejection is not None:
        ctx.say(render.rejection_block(outcome.result.rejection, ctx.style))
        return REJECTED
    if outcome.state is EntryState.CONFLICT:
        version = outcome.current.version if outcome.current else "?"
        ctx.note(f"conflict: the message changed meanwhile (now version {version}); "
                 f"`pchat outbox resolve {entry.seq} --retry [TEXT]` or `--discard`", "yellow")
        return API_ERROR
    if outcome.state is not EntryState.SENT:
        ctx.note(f"not sent: {outcome.error}", "red")
        return API_ERROR
    done = outcome.message.id if outcome.message else entry.message_id
    ctx.say(f"{ctx.style(_DONE[entry.kind], 'green')} {done}")
    return OK


def _queued(ctx: Context, report: FlushReport) -> int:
    ctx.emit({"queued": True, "pending": report.pending, "busy": report.busy,
              "reason": str(report.stopped_by) if report.stopped_by else None})
    if report.busy:
        ctx.note(f"queued: another pchat process is sending the outbox ({report.pending} waiting)")
        return OFFLINE
    if isinstance(report.stopped_by, AuthError):
        ctx.note(f"queued ({report.pending} waiting), but {report.stopped_by}; then run "
                 "`pchat outbox flush`", "yellow")
        return AUTH
    ctx.note(f"queued offline: {report.pending} post(s) waiting; they are sent in order by the "
             f"next `pchat send`, `pchat outbox flush` or `pchat tail` ({report.stopped_by})",
             "yellow")
    return OFFLINE


async def tail(ctx: Context) -> int:
    language = ctx.args.language
    me_name = ctx.credentials.principal if ctx.is_user else None
    if language is None and ctx.is_user:
        language = (await ctx.client.me()).preferred_language
    feed = RoomFeed(ctx.client, ctx.args.room, since=ctx.args.since)
    if ctx.args.history:
        page = await ctx.client.messages(ctx.args.room, limit=ctx.args.history)
        for message in sorted(page.items, key=lambda m: (m.last_changed_at, m.id)):
            feed.merger.accept(message)
            _show(ctx, message, language, me_name, filled=False)
    async for event in feed.events():
        if isinstance(event, ConnectionEvent):
            await _connection_changed(ctx, event)
        else:
            _show(ctx, event.message, language, me_name, filled=event.filled)
    return OK  # pragma: no cover - the feed runs until interrupted


async def _connection_changed(ctx: Context, event: ConnectionEvent) -> None:
    ctx.emit({"connection": event.state, "filled": event.filled, "delaySeconds": event.delay_s})
    if event.state == "reconnecting":
        ctx.note(f"connection lost ({event.reason}); reconnecting in {event.delay_s:.1f} s",
                 "yellow")
        return
    ctx.note(f"live in {ctx.args.room}" + (f"; caught up {event.filled} change(s)"
                                            if event.filled else ""), "green")
    if ctx.is_user and ctx.outbox.counts().get(EntryState.PENDING):
        report = await ctx.outbox.flush(ctx.client)  # back online: send the queue, in order
        report_outcomes(ctx, report.outcomes)


def _show(ctx: Context, message: Message, language: str | None, me_name: str | None, *,
          filled: bool) -> None:
    ctx.emit({"message": message, "filled": filled})
    ctx.say(render.message_line(message, ctx.style, language=language, me=me_name, filled=filled))


async def cloud(ctx: Context) -> int:
    tag_cloud = await ctx.client.tag_cloud(ctx.args.room, limit=ctx.args.limit)
    ctx.emit(tag_cloud)
    ctx.say(render.cloud(tag_cloud, ctx.style))
    if ctx.args.watch:
        async for update in ctx.client.on_tag_cloud(ctx.args.room):
            ctx.emit(update)
            ctx.say("\n" + render.cloud(update, ctx.style))
    return OK


async def search(ctx: Context) -> int:
    page = await ctx.client.messages_by_tag(ctx.args.tag, room_id=ctx.args.room,
                                            limit=ctx.args.limit)
    rows = []
    for message in page.items:
        ctx.emit(message)
        rows.append([message.created_at[:19], message.room_id, message.author.username,
                     message.text_for(ctx.args.language)[0][:60], ", ".join(message.tags[:3])])
    ctx.say(render.table(["created", "room", "author", "text", "tags"], rows, ctx.style))
    if page.next_token:
        ctx.note("more results: pchat export --tag ... writes them all")
    return OK


async def leaderboard(ctx: Context) -> int:
    board = await ctx.client.leaderboard(ctx.args.room, limit=ctx.args.limit)
    ctx.emit(board)
    ctx.say(render.table(["rank", "user", "points"], [
        [str(e.rank), e.user.username, str(e.points)] for e in board.entries], ctx.style))
    return OK


async def sync(ctx: Context) -> int:
    marks = ctx.sync_marks()
    since = None if ctx.args.full else (ctx.args.since or marks.get(ctx.args.room))
    result = await ctx.client.sync_all(ctx.args.room, last_sync=since)
    for message in result.items:
        ctx.emit(message)
        ctx.say(render.message_line(message, ctx.style, language=ctx.args.language))
    marks.set(ctx.args.room, result.started_at)
    ctx.note(f"{len(result.items)} change(s) since {since if since is not None else 'the start'}"
             f"; next sync from {result.started_at}")
    return OK


async def export(ctx: Context) -> int:
    """All pages to stdout or a file; an export to a file resumes after an interruption."""
    args = ctx.args
    fmt = ExportFormat(args.format)
    to_file = args.output not in (None, "-")
    if not 1 <= args.page_size <= 100:
        raise UsageError("export: --page-size must be between 1 and 100")
    if fmt is ExportFormat.PARQUET and not to_file:
        raise UsageError("export --format parquet: give --output FILE (Parquet is binary)")
    if fmt is ExportFormat.PARQUET and not parquet_available():
        raise UsageError("export --format parquet needs pyarrow: "
                         f"{PARQUET_INSTALL}")
    if args.restart and not to_file:
        raise UsageError("export --restart: only an export to a file (--output FILE) "
                         "can be continued or restarted")
    now = datetime.now(UTC)
    fresh = {name: aws_datetime(_export_time(option, spec, now)) if spec else None
             for name, option, spec in (("from", "--from", args.from_), ("to", "--to", args.to))}
    if fresh["from"] and fresh["to"] and fresh["from"] >= fresh["to"]:
        raise UsageError(f"export: --from ({fresh['from']}) must be earlier than --to "
                         f"({fresh['to']})")
    progress = render.Progress(ctx.err, ctx.err.isatty() and not args.no_progress, "exporting")
    done = {"pages": 0, "rows": 0}

    def on_page(pages_done: int, count: int) -> None:
        done.update(pages=pages_done, rows=count)
        progress.update(pages_done, count)

    if not to_file:
        pages = iter_pages(_export_fetch(ctx, fresh))
        count = await export_messages(pages, ctx.out, fmt, on_page=on_page)
        progress.finish(done["pages"], count)
        ctx.note(f"exported {count} message(s) in {done['pages']} page(s)")
        return OK
    if not Path(args.output).resolve().parent.is_dir():
        raise UsageError(f"export: {Path(args.output).parent} is not a directory")
    job = FileExport(args.output, fmt, {"room": args.room, "tag": args.tag,
                                        "from": args.from_, "to": args.to},
                     restart=args.restart)
    settings = job.settings(fresh)
    if job.resuming:
        ctx.note(f"resuming the unfinished export to {args.output}: {job.resumed_rows} "
                 "message(s) already written")
    try:
        result = await job.run(_export_fetch(ctx, settings), settings, on_page=on_page)
    except ExportResumeError:
        raise
    except BaseException as exc:  # Ctrl-C, offline, a full disk: the state allows a resume
        if job.state_path.exists():
            progress.finish(done["pages"], done["rows"])
            written = max(done["rows"], job.resumed_rows)  # on_page counts are cumulative
            ctx.note(f"export interrupted after {written} message(s); the pages written so far "
                     f"are kept for {args.output}. Run the same command again to continue "
                     "(--restart starts over).", "yellow")
        if isinstance(exc, OSError):
            raise UsageError(f"export: cannot write {args.output}: {exc}") from exc
        raise
    progress.finish(result.pages, result.rows)
    ctx.emit({"output": args.output, "format": fmt.value, "messages": result.rows,
              "pages": result.pages, "resumedMessages": result.resumed_rows})
    resumed = (f" ({result.resumed_rows} of them by an earlier run)"
               if result.resumed_rows else "")
    ctx.note(f"exported {result.rows} message(s) in {result.pages} page(s){resumed} "
             f"to {args.output}")
    return OK


def _export_time(option: str, spec: str, now: datetime) -> datetime:
    try:
        return parse_time_spec(spec, now=now)
    except ValueError as exc:
        raise UsageError(f"export: {option}: {exc}") from None


def _export_fetch(ctx: Context, window: dict[str, str | None]) -> Fetch:
    """One page of the export's query: messagesByTag (the server applies the window), or
    the room's history (newest first; the window is applied here, and paging stops at
    the first message older than ``from``)."""
    args = ctx.args
    if args.tag:
        async def by_tag(token: str | None) -> Page[Message]:
            return await ctx.client.messages_by_tag(
                args.tag, room_id=args.room, from_=window["from"], to=window["to"],
                limit=args.page_size, next_token=token)
        return by_tag
    start = parse_datetime(window["from"]) if window["from"] else None
    end = parse_datetime(window["to"]) if window["to"] else None

    async def history(token: str | None) -> Page[Message]:
        page = await ctx.client.messages(args.room, limit=args.page_size, next_token=token)
        if start is None and end is None:
            return page
        kept, older = [], False
        for message in page.items:
            if not message.created_at:  # every stored message has one; keep it if not
                kept.append(message)
                continue
            created = parse_datetime(message.created_at)
            if end is not None and created >= end:
                continue
            if start is not None and created < start:
                older = True
                continue
            kept.append(message)
        return Page(tuple(kept), None if older else page.next_token)
    return history
