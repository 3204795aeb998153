"""``pchat analytics trends|top|by-tag|stats``: the analysts' queries as tables and charts.

Windows are ``[--from, --to)``; each takes a date, a date and time, or a span back from
now (``7d``, ``24h``); the default is the last 7 days. The API's limits are checked here
first (exit 2, nothing sent), with the same rule the server applies: a window is widened
to whole hours or days and then counted in the UTC days it touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import _render as render
from ._cli_context import Context, ExitCode, UsageError
from ._time import aws_datetime, parse_time_spec
from .models import Granularity, Message

DEFAULT_FROM, DEFAULT_TO = "7d", "now"
# The API's limits (schema.graphql, header): tagTrends HOUR <= 31 days, DAY <= 366 days;
# topTags and roomStats <= 92 days; topTags limit 1..100; page size 1..100.
TREND_DAYS_MAX = {Granularity.HOUR: 31, Granularity.DAY: 366}
WINDOW_DAYS_MAX = 92
LIMIT_MAX = 100
AUTO_HOURLY = timedelta(hours=48)  # without --granularity: hourly up to two days
_HOUR, _DAY = timedelta(hours=1), timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def widened(self, bucket: timedelta) -> Window:
        """``start`` rounded down and ``end`` up to whole (UTC) buckets, as the server does."""
        return Window(_EPOCH + (self.start - _EPOCH) // bucket * bucket,
                      _EPOCH + -(-(self.end - _EPOCH) // bucket) * bucket)

    def days_touched(self, bucket: timedelta) -> int:
        """UTC days of the window widened to whole buckets (what the server limits)."""
        wide = self.widened(bucket)
        last = (wide.end - timedelta(milliseconds=1) - _EPOCH) // _DAY
        return last - (wide.start - _EPOCH) // _DAY + 1


def resolve_window(command: str, from_spec: str | None, to_spec: str | None, *,
                   now: datetime | None = None) -> Window:
    """``--from``/``--to`` as given (defaults: the last 7 days) -> an absolute window."""
    now = now or datetime.now(UTC)
    start = _time(command, "--from", from_spec or DEFAULT_FROM, now)
    end = _time(command, "--to", to_spec or DEFAULT_TO, now)
    if start >= end:
        raise UsageError(f"{command}: --from ({aws_datetime(start)}) must be earlier than "
                         f"--to ({aws_datetime(end)})")
    return Window(start, end)


def _time(command: str, option: str, spec: str, now: datetime) -> datetime:
    try:
        return parse_time_spec(spec, now=now)
    except ValueError as exc:
        raise UsageError(f"{command}: {option}: {exc}") from None


def check_days(command: str, window: Window, bucket: timedelta, most: int, what: str,
               advice: str) -> None:
    days = window.days_touched(bucket)
    if days > most:
        raise UsageError(f"{command}: the window touches {days} UTC days; {what} allows at "
                         f"most {most} ({advice})")


def check_limit(command: str, limit: int | None, most: int = LIMIT_MAX) -> None:
    if limit is not None and not 1 <= limit <= most:
        raise UsageError(f"{command}: --limit must be between 1 and {most}")


def check_tag(command: str, tag: str) -> str:
    if not tag.strip():
        raise UsageError(f"{command}: --tag must not be empty")
    return tag.strip()


async def trends(ctx: Context) -> int:
    args, command = ctx.args, "analytics trends"
    tag = check_tag(command, args.tag)
    window = resolve_window(command, args.from_, args.to)
    granularity = (Granularity(args.granularity) if args.granularity
                   else Granularity.HOUR if window.end - window.start <= AUTO_HOURLY
                   else Granularity.DAY)
    bucket = _HOUR if granularity is Granularity.HOUR else _DAY
    advice = ("narrow --from/--to" if granularity is Granularity.DAY
              else "use --granularity DAY, or narrow --from/--to")
    check_days(command, window, bucket, TREND_DAYS_MAX[granularity],
               f"a per-{granularity.value.lower()} trend", advice)
    result = await ctx.client.tag_trends(tag, room_id=args.room, granularity=granularity,
                                         from_=window.start, to=window.end)
    ctx.emit(result)
    ctx.say(render.trend(result, ctx.style, unicode=ctx.unicode))
    return ExitCode.OK


async def top(ctx: Context) -> int:
    args, command = ctx.args, "analytics top"
    check_limit(command, args.limit)
    window = resolve_window(command, args.from_, args.to)
    check_days(command, window, _DAY, WINDOW_DAYS_MAX, "top tags",
               "narrow --from/--to; longer periods: the S3 export, docs/analytics.md")
    tags = await ctx.client.top_tags(room_id=args.room, from_=window.start, to=window.end,
                                     limit=args.limit)
    for rank, item in enumerate(tags, 1):
        ctx.emit({"rank": rank, "tag": item.tag, "count": item.count})
    where = f"room {args.room}" if args.room else "all rooms"
    days = window.widened(_DAY)
    ctx.say(f"top tags in {where}, {_day(days.start)} to {_day(days.end)} "
            "(whole UTC days, the end excluded)")
    ctx.say(render.top_tags(tags, ctx.style, unicode=ctx.unicode))
    return ExitCode.OK


async def by_tag(ctx: Context) -> int:
    args, command = ctx.args, "analytics by-tag"
    tag = check_tag(command, args.tag)
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"{command}: --limit must be 1 or more")
    window = resolve_window(command, args.from_, args.to)
    wanted = args.limit or 20
    shown: list[Message] = []
    token: str | None = None
    while len(shown) < wanted:
        page = await ctx.client.messages_by_tag(
            tag, room_id=args.room, from_=window.start, to=window.end,
            limit=min(LIMIT_MAX, wanted - len(shown)), next_token=token)
        shown.extend(page.items)
        token = page.next_token
        if token is None:
            break
    rows = []
    for message in shown:
        ctx.emit(message)
        rows.append([message.created_at[:19].replace("T", " "), message.room_id,
                     message.author.username, message.text[:60], ", ".join(message.tags[:3])])
    ctx.say(render.table(["created (UTC)", "room", "author", "text", "tags"], rows, ctx.style))
    if token is not None:
        ctx.note(f"more than {len(shown)}: raise --limit, or `pchat export --tag {tag}` "
                 "writes them all")
    return ExitCode.OK


async def stats(ctx: Context) -> int:
    args, command = ctx.args, "analytics stats"
    window = resolve_window(command, args.from_, args.to)
    check_days(command, window, _DAY, WINDOW_DAYS_MAX, "room statistics",
               "narrow --from/--to")
    result = await ctx.client.room_stats(args.room, from_=window.start, to=window.end)
    ctx.emit(result)
    ctx.say(render.room_stats(result, ctx.style, unicode=ctx.unicode))
    return ExitCode.OK


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")
