"""Messages to files for other tools: CSV, JSON Lines or Parquet, written page by page.

Pages are written as they arrive, so memory stays flat however many messages a room or
tag has, and a progress callback can report after each page.

``FileExport`` makes an export to a file resumable. After every page it records, in a
sidecar ``FILE.pchat-export.json`` written atomically once the page is on disk (flushed
and fsynced):

* the query (room, tag, from, to, format) and the absolute window it resolved to;
* the ``nextToken`` after that page, the pages and rows written;
* CSV/JSON Lines: the file's size after that page. Parquet: the page is its own small
  Parquet file in ``FILE.pchat-export.parts/`` (a Parquet file is only readable once
  closed, so one growing file could not survive a kill).

Run the same export again after an interruption (Ctrl-C, a network error, a kill) and it
truncates the file to the recorded size - dropping a page that was half written - and
asks for the next page from the recorded token: every row is written once. A Parquet
export ends by merging the parts, one row group per page, into ``FILE`` (atomically).
The sidecar is removed when the export completes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, TextIO

from ._time import parse_datetime
from .errors import VALIDATION, ApiError, PchatError
from .models import Message, Page

CSV_COLUMNS = (
    "id", "roomId", "createdAt", "editedAt", "authorId", "author", "language", "text",
    "tags", "sentiment", "negative", "positive", "moderation", "points", "translationStatus",
    "translations", "clientId", "version", "lastChangedAt", "deleted",
)
STATE_SUFFIX = ".pchat-export.json"
PARTS_SUFFIX = ".pchat-export.parts"
PARQUET_INSTALL = "pip install 'positive-chat[parquet]'"
_STATE_VERSION = 1

Fetch = Callable[[str | None], Awaitable[Page[Message]]]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


class ExportResumeError(PchatError):
    """An unfinished export cannot be continued (another query, a damaged file, an
    expired page token); starting over (``--restart``) is the way out."""


def parquet_available() -> bool:
    """Whether pyarrow (the ``parquet`` extra) is installed."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def message_record(message: Message) -> dict[str, Any]:
    """One flat record per message (JSON-friendly; CSV joins tags with ';')."""
    sentiment = message.sentiment
    return {
        "id": message.id, "roomId": message.room_id, "createdAt": message.created_at,
        "editedAt": message.edited_at, "authorId": message.author.id,
        "author": message.author.username, "language": message.language, "text": message.text,
        "tags": list(message.tags), "sentiment": sentiment.label if sentiment else None,
        "negative": sentiment.negative if sentiment else None,
        "positive": sentiment.positive if sentiment else None,
        "moderation": message.moderation, "points": message.points,
        "translationStatus": message.translation_status,
        "translations": {t.language: t.text for t in message.translations},
        "clientId": message.client_id, "version": message.version,
        "lastChangedAt": message.last_changed_at, "deleted": message.deleted,
    }


async def export_messages(pages: AsyncIterator[Page[Message]], out: TextIO,
                          fmt: ExportFormat = ExportFormat.JSONL, *,
                          on_page: Callable[[int, int], None] | None = None) -> int:
    """Write every message of ``pages`` to a text stream (CSV or JSON Lines); returns
    the count. ``on_page(pages_done, messages_done)`` runs after each page.

    Parquet is binary and needs a file: use ``FileExport``.
    """
    if fmt is ExportFormat.PARQUET:
        raise ValueError("Parquet needs a file: use FileExport")
    if fmt is ExportFormat.CSV:
        out.write(csv_header())
    count = pages_done = 0
    async for page in pages:
        out.write(text_page(page.items, fmt))
        count += len(page.items)
        pages_done += 1
        out.flush()  # a consumer tailing the file sees whole pages
        if on_page is not None:
            on_page(pages_done, count)
    return count


def csv_header() -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=CSV_COLUMNS).writeheader()
    return buffer.getvalue()


def text_page(messages: Sequence[Message], fmt: ExportFormat) -> str:
    """One page of CSV rows or JSON lines."""
    buffer = io.StringIO()
    if fmt is ExportFormat.CSV:
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
        for message in messages:
            writer.writerow(_csv_row(message_record(message)))
    else:
        for message in messages:
            buffer.write(json.dumps(message_record(message), ensure_ascii=False) + "\n")
    return buffer.getvalue()


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    row = dict(record)
    row["tags"] = ";".join(record["tags"])
    row["translations"] = json.dumps(record["translations"], ensure_ascii=False)
    return row


# -- Parquet --------------------------------------------------------------------------------

def parquet_schema() -> Any:
    """The columns of ``message_record``, typed (times as UTC timestamps)."""
    import pyarrow as pa

    return pa.schema([
        ("id", pa.string()), ("roomId", pa.string()),
        ("createdAt", pa.timestamp("ms", tz="UTC")), ("editedAt", pa.timestamp("ms", tz="UTC")),
        ("authorId", pa.string()), ("author", pa.string()), ("language", pa.string()),
        ("text", pa.string()), ("tags", pa.list_(pa.string())), ("sentiment", pa.string()),
        ("negative", pa.float64()), ("positive", pa.float64()), ("moderation", pa.string()),
        ("points", pa.int64()), ("translationStatus", pa.string()),
        ("translations", pa.map_(pa.string(), pa.string())), ("clientId", pa.string()),
        ("version", pa.int64()), ("lastChangedAt", pa.int64()), ("deleted", pa.bool_()),
    ])


def parquet_table(messages: Sequence[Message]) -> Any:
    """One page as a pyarrow Table of ``parquet_schema()``."""
    import pyarrow as pa

    rows = []
    for message in messages:
        record = message_record(message)
        record["createdAt"] = _time_or_none(record["createdAt"])
        record["editedAt"] = _time_or_none(record["editedAt"])
        record["translations"] = list(record["translations"].items())
        rows.append(record)
    return pa.Table.from_pylist(rows, schema=parquet_schema())


def _time_or_none(value: str | None) -> Any:
    return parse_datetime(value) if value else None


# -- resumable export to a file ---------------------------------------------------------------

@dataclass(frozen=True)
class ExportState:
    """What the sidecar records after each page that is safely on disk."""

    query: dict[str, Any]
    settings: dict[str, Any]
    next_token: str | None = None
    pages: int = 0
    rows: int = 0
    size: int = 0  # CSV/JSON Lines: bytes of FILE after the last recorded page
    fetched_all: bool = False  # Parquet: every page is in a part; only the merge is left
    version: int = field(default=_STATE_VERSION)

    @classmethod
    def load(cls, path: Path) -> ExportState:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != _STATE_VERSION:
                raise ValueError(f"state version {raw.get('version')!r}")
            return cls(query=dict(raw["query"]), settings=dict(raw["settings"]),
                       next_token=raw["next_token"], pages=int(raw["pages"]),
                       rows=int(raw["rows"]), size=int(raw["size"]),
                       fetched_all=bool(raw.get("fetched_all", False)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ExportResumeError(
                f"cannot read the export state {path} ({exc}); start over with --restart"
            ) from exc

    def save(self, path: Path) -> None:
        """Atomically: a temporary file, fsynced, renamed over the old state."""
        temp = path.with_name(path.name + ".tmp")
        with temp.open("w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_dir(path.parent)


@dataclass(frozen=True)
class ExportResult:
    rows: int
    pages: int
    resumed_rows: int  # rows that an earlier, interrupted run had written already
    path: Path


class FileExport:
    """A resumable export of messages to ``path`` (see the module docstring).

    ``query`` identifies the export (what the user asked for: room, tag, the --from/--to
    as given, format); a different query over an unfinished export raises
    ``ExportResumeError`` unless ``restart``. ``settings`` (for example the absolute
    window a relative ``--from 7d`` resolved to) are stored on the first run and handed
    back by ``settings`` on a resume, so the continued export asks the same question.
    """

    def __init__(self, path: Path | str, fmt: ExportFormat, query: Mapping[str, Any], *,
                 restart: bool = False) -> None:
        self.path = Path(path)
        self.fmt = ExportFormat(fmt)
        self.query = {"format": self.fmt.value, **query}
        self.state_path = self.path.with_name(self.path.name + STATE_SUFFIX)
        self.parts_dir = self.path.with_name(self.path.name + PARTS_SUFFIX)
        self._state: ExportState | None = None
        if restart:
            self.discard()
        elif self.state_path.exists():
            state = ExportState.load(self.state_path)
            if state.query != self.query:
                raise ExportResumeError(
                    f"{self.path} has an unfinished export of another query "
                    f"({describe_query(state.query)}); run that command again to finish "
                    f"it, or add --restart to start this one over")
            self._state = state

    @property
    def resuming(self) -> bool:
        return self._state is not None

    @property
    def resumed_rows(self) -> int:
        return self._state.rows if self._state else 0

    def settings(self, fresh: Mapping[str, Any]) -> dict[str, Any]:
        """The stored settings when resuming, else ``fresh`` (stored by ``run``)."""
        return dict(self._state.settings) if self._state else dict(fresh)

    def discard(self) -> None:
        """Forget an unfinished export: its state and its parts (the file is rewritten)."""
        self.state_path.unlink(missing_ok=True)
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        self._state = None

    async def run(self, fetch: Fetch, settings: Mapping[str, Any], *,
                  on_page: Callable[[int, int], None] | None = None) -> ExportResult:
        """Fetch pages from where the last run stopped, write them, and finish.

        ``fetch(token)`` returns one page. Raises ExportResumeError when the server no
        longer accepts the recorded page token; anything else (OfflineError, ...) leaves
        the state in place for the next run.
        """
        resumed = self.resumed_rows
        state = self._state or ExportState(query=self.query, settings=dict(settings))
        if self.fmt is ExportFormat.PARQUET:
            state = await self._run_parquet(state, fetch, on_page)
        else:
            state = await self._run_text(state, fetch, on_page)
        self.state_path.unlink(missing_ok=True)
        self._state = None
        return ExportResult(state.rows, state.pages, resumed, self.path)

    async def _next(self, fetch: Fetch, state: ExportState) -> Page[Message]:
        try:
            return await fetch(state.next_token)
        except ApiError as exc:
            if (state.next_token is not None and exc.error_type == VALIDATION
                    and exc.field == "nextToken"):
                raise ExportResumeError(
                    f"the API no longer accepts the recorded position of this export "
                    f"({exc.message}; page tokens can expire); start over with --restart"
                ) from exc
            raise

    async def _run_text(self, state: ExportState, fetch: Fetch,
                        on_page: Callable[[int, int], None] | None) -> ExportState:
        handle: IO[bytes]
        if self._state is not None:
            size = self.path.stat().st_size if self.path.exists() else -1
            if size < state.size:
                raise ExportResumeError(
                    f"{self.path} is shorter ({max(size, 0)} bytes) than the {state.size} "
                    "bytes already exported: it was changed or replaced; start over with "
                    "--restart")
            handle = self.path.open("r+b")
            handle.truncate(state.size)  # drop a page that was being written
            handle.seek(state.size)
        else:
            handle = self.path.open("wb")
            if self.fmt is ExportFormat.CSV:
                handle.write(csv_header().encode("utf-8"))
            state = self._commit(handle, replace(state, size=0))
        with handle:
            while True:
                page = await self._next(fetch, state)
                handle.write(text_page(page.items, self.fmt).encode("utf-8"))
                state = replace(state, next_token=page.next_token, pages=state.pages + 1,
                                rows=state.rows + len(page.items))
                if page.next_token is None:
                    _sync(handle)
                    if on_page is not None:
                        on_page(state.pages, state.rows)
                    return replace(state, size=handle.tell())
                state = self._commit(handle, state)
                if on_page is not None:
                    on_page(state.pages, state.rows)

    def _commit(self, handle: IO[bytes], state: ExportState) -> ExportState:
        """The page is on disk (flushed, fsynced) before the state says so."""
        _sync(handle)
        state = replace(state, size=handle.tell())
        state.save(self.state_path)
        return state

    async def _run_parquet(self, state: ExportState, fetch: Fetch,
                           on_page: Callable[[int, int], None] | None) -> ExportState:
        import pyarrow.parquet as pq

        if self._state is None:
            shutil.rmtree(self.parts_dir, ignore_errors=True)
            self.parts_dir.mkdir(parents=True)
            state.save(self.state_path)
        else:
            self._check_parts(state.pages)
        while not state.fetched_all:
            page = await self._next(fetch, state)
            part = self._part(state.pages + 1)
            temp = part.with_name(part.name + ".tmp")
            pq.write_table(parquet_table(page.items), temp)
            _fsync_file(temp)
            os.replace(temp, part)
            _fsync_dir(self.parts_dir)
            state = replace(state, next_token=page.next_token, pages=state.pages + 1,
                            rows=state.rows + len(page.items),
                            fetched_all=page.next_token is None)
            state.save(self.state_path)
            if on_page is not None:
                on_page(state.pages, state.rows)
        self._merge_parts(state.pages)
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        return state

    def _part(self, number: int) -> Path:
        return self.parts_dir / f"page-{number:07d}.parquet"

    def _check_parts(self, pages: int) -> None:
        """Every recorded page has its part; anything after them is a page that was being
        written when the export stopped, and goes."""
        missing = [n for n in range(1, pages + 1) if not self._part(n).exists()]
        if missing:
            raise ExportResumeError(
                f"{len(missing)} of the {pages} exported pages are missing from "
                f"{self.parts_dir}; start over with --restart")
        recorded = {self._part(n).name for n in range(1, pages + 1)}
        for leftover in self.parts_dir.iterdir():
            if leftover.name not in recorded:
                leftover.unlink()

    def _merge_parts(self, pages: int) -> None:
        """One row group per non-empty page, into ``FILE.partial``, then renamed to FILE."""
        import pyarrow.parquet as pq

        partial = self.path.with_name(self.path.name + ".partial")
        schema = parquet_schema()
        with pq.ParquetWriter(partial, schema) as writer:
            for number in range(1, pages + 1):
                table = pq.read_table(self._part(number), schema=schema)
                if table.num_rows:
                    writer.write_table(table, row_group_size=max(1, table.num_rows))
        _fsync_file(partial)
        os.replace(partial, self.path)
        _fsync_dir(self.path.parent)


def describe_query(query: Mapping[str, Any]) -> str:
    """``tag=coffee room=r1 from=7d format=csv``: the non-empty parts, for messages."""
    return " ".join(f"{k}={v}" for k, v in query.items() if v not in (None, ""))


def _sync(handle: IO[bytes]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
