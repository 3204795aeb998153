"""``pchat outbox``: status, list, flush, resolve and purge of the offline outbox."""

from __future__ import annotations

from collections.abc import Sequence

from . import _render as render
from ._cli_context import Context, ExitCode
from .errors import AuthError
from .outbox import Discard, EntryState, Outcome, Retry

OK, API_ERROR, USAGE = ExitCode.OK, ExitCode.API_ERROR, ExitCode.USAGE
AUTH, OFFLINE, REJECTED = ExitCode.AUTH, ExitCode.OFFLINE, ExitCode.REJECTED
_MARK = {EntryState.SENT: ("sent", "green"), EntryState.REJECTED: ("rejected", "red"),
         EntryState.CONFLICT: ("conflict", "yellow"), EntryState.FAILED: ("failed", "red"),
         EntryState.DISCARDED: ("discarded", "dim"), EntryState.PENDING: ("pending", "cyan")}


def report_outcomes(ctx: Context, outcomes: Sequence[Outcome]) -> None:
    """One line per entry the flush settled; rejections and conflicts say what to do."""
    for outcome in outcomes:
        ctx.emit({"outboxSeq": outcome.entry.seq, "clientId": outcome.entry.client_id,
                  "state": outcome.state, "result": outcome.result, "current": outcome.current,
                  "error": outcome.error})
        word, colour = _MARK[outcome.state]
        line = f"outbox #{outcome.entry.seq} ({outcome.entry.kind.value} to " \
               f"{outcome.entry.room_id}): {ctx.err_style(word, 'bold', colour)}"
        if outcome.result is not None and outcome.result.rejection is not None:
            line += "\n" + render.rejection_block(outcome.result.rejection, ctx.err_style)
        elif outcome.state is EntryState.CONFLICT and outcome.current is not None:
            line += (f": the message is now at version {outcome.current.version}; "
                     f"`pchat outbox resolve {outcome.entry.seq} --retry [TEXT]` or --discard")
        elif outcome.error:
            line += f": {outcome.error}"
        ctx.note(line)


async def outbox(ctx: Context) -> int:
    action = ctx.args.action
    box = ctx.outbox
    if action == "flush":
        report = await box.flush(ctx.client)
        report_outcomes(ctx, report.outcomes)
        ctx.emit({"pending": report.pending, "busy": report.busy,
                  "stoppedBy": str(report.stopped_by) if report.stopped_by else None})
        if report.busy:
            ctx.note("another pchat process is sending this outbox; nothing to do")
            return OFFLINE
        if report.stopped_by is not None:
            ctx.note(f"stopped with {report.pending} waiting: {report.stopped_by}", "yellow")
            return AUTH if isinstance(report.stopped_by, AuthError) else OFFLINE
        ctx.say(f"outbox flushed: {len(report.outcomes)} settled, {report.pending} waiting")
        if any(o.state is EntryState.REJECTED for o in report.outcomes):
            return REJECTED
        return OK
    if action == "resolve":
        return _resolve(ctx)
    if action == "purge":
        removed = box.purge()
        ctx.emit({"purged": removed})
        ctx.say(f"removed {removed} finished entr{'y' if removed == 1 else 'ies'}")
        return OK
    if action == "list":
        entries = box.entries()
        for entry in entries:
            ctx.emit(entry)
        ctx.say(render.table(["#", "kind", "room", "state", "attempts", "last error"], [
            [str(e.seq), e.kind.value, e.room_id, e.state.value, str(e.attempts),
             (e.last_error or "")[:50]] for e in entries], ctx.style))
        return OK
    counts = box.counts()  # status
    ctx.emit({state.value: counts.get(state, 0) for state in EntryState})
    ctx.say(render.table(["state", "entries"], [
        [s.value, str(counts.get(s, 0))] for s in EntryState], ctx.style))
    return OK


def _resolve(ctx: Context) -> int:
    args = ctx.args
    if args.seq is None or (args.retry is None) == (not args.discard):
        ctx.note("pchat outbox resolve SEQ (--retry [TEXT] | --discard)", "red")
        return USAGE
    resolution = Discard() if args.discard else Retry(args.retry or None)
    try:
        entry = ctx.outbox.resolve(args.seq, resolution)
    except ValueError as exc:
        ctx.note(str(exc), "red")
        return USAGE
    ctx.emit(entry)
    ctx.say(f"outbox #{entry.seq}: {entry.state.value}"
            + (" (sent by the next flush)" if entry.state is EntryState.PENDING else ""))
    return OK
