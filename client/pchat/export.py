"""Messages to files for other tools: CSV or JSON Lines, written page by page.

Pages are written as they arrive, so memory stays flat however many messages a room or
tag has, and a progress callback can report after each page.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import Any, TextIO

from .models import Message, Page

CSV_COLUMNS = (
    "id", "roomId", "createdAt", "editedAt", "authorId", "author", "language", "text",
    "tags", "sentiment", "negative", "positive", "moderation", "points", "translationStatus",
    "translations", "clientId", "version", "lastChangedAt", "deleted",
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


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
    """Write every message of ``pages`` to ``out``; returns the count.

    ``on_page(pages_done, messages_done)`` runs after each page.
    """
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS) if fmt is ExportFormat.CSV else None
    if writer is not None:
        writer.writeheader()
    count = pages_done = 0
    async for page in pages:
        for message in page.items:
            record = message_record(message)
            if writer is not None:
                writer.writerow(_csv_row(record))
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        pages_done += 1
        out.flush()  # a consumer tailing the file sees whole pages
        if on_page is not None:
            on_page(pages_done, count)
    return count


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    row = dict(record)
    row["tags"] = ";".join(record["tags"])
    row["translations"] = json.dumps(record["translations"], ensure_ascii=False)
    return row
