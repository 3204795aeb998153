"""Domain objects -> GraphQL shapes (camelCase, AWS scalar formats), used by both edges:
the resolvers (responses) and the publisher (publish mutation variables); and the one AWS
scalar the resolvers parse (AWSDateTime arguments)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .domain.analytics import RoomStats, SentimentCounts, TagTrend
from .domain.errors import ValidationError
from .domain.model import (
    Author,
    Invitation,
    LeaderboardEntry,
    Membership,
    Message,
    Page,
    Profile,
    Rejection,
    Room,
    Sentiment,
    TagCount,
)


def aws_datetime(ms: int | None) -> str | None:
    """AWSDateTime with millisecond precision and a mandatory offset (Z)."""
    if ms is None:
        return None
    stamp = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# AppSync's AWSDateTime: seconds and fraction optional, the offset mandatory.
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$"
)


def parse_aws_datetime(value: str, *, field: str) -> int:
    """An AWSDateTime argument -> epoch milliseconds (sub-millisecond digits are dropped).

    AppSync has validated the format already; this still refuses what it cannot read.

    Raises
    ------
    ValidationError
        not an AWSDateTime.
    """
    m = _DATETIME.match(value.strip())
    try:
        if m is None:
            raise ValueError(value)
        year, month, day, hour, minute = (int(g) for g in m.groups()[:5])
        second = int(m.group(6) or 0)
        millis = int((m.group(7) or "0").ljust(3, "0")[:3])
        stamp = datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
        stamp -= _offset(m.group(8))
    except (ValueError, OverflowError) as exc:
        raise ValidationError(
            f"{field} must be an AWSDateTime such as 2025-03-07T12:00:00Z", field=field
        ) from exc
    return (stamp - _EPOCH) // timedelta(milliseconds=1)


def _offset(text: str) -> timedelta:
    if text == "Z":
        return timedelta(0)
    hours, minutes, *seconds = (int(p) for p in text[1:].split(":"))
    delta = timedelta(hours=hours, minutes=minutes, seconds=seconds[0] if seconds else 0)
    return -delta if text[0] == "-" else delta


def author(value: Author) -> dict[str, Any]:
    return {"id": value.id, "username": value.username}


def sentiment(value: Sentiment | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "label": value.label.value,
        "positive": value.positive,
        "negative": value.negative,
        "neutral": value.neutral,
        "mixed": value.mixed,
    }


def message(value: Message) -> dict[str, Any]:
    return {
        "id": value.id,
        "roomId": value.room_id,
        "author": author(value.author),
        "text": value.text,
        "language": value.language,
        "sentiment": sentiment(value.sentiment),
        "moderation": value.moderation.value,
        "tags": list(value.tags),
        "translations": [{"language": t.language, "text": t.text} for t in value.translations],
        "translationStatus": value.translation_status.value,
        "untranslatedLanguages": list(value.untranslated_languages),
        "points": value.points,
        "createdAt": aws_datetime(value.created_at_ms),
        "editedAt": aws_datetime(value.edited_at_ms),
        "clientId": value.client_id,
        "_version": value.version,
        "_lastChangedAt": value.last_changed_at_ms,
        "_deleted": value.deleted,
    }


def rejection(value: Rejection) -> dict[str, Any]:
    return {
        "reason": value.reason.value,
        "message": value.message,
        "hint": value.hint,
        "hintLanguage": value.hint_language,
        "language": value.language,
        "sentiment": sentiment(value.sentiment),
        "threshold": value.threshold,
    }


def room(value: Room) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.name,
        "description": value.description,
        "visibility": value.visibility.value,
        "owner": author(value.owner),
        "negativityThreshold": value.negativity_threshold,
        "requireSentiment": value.require_sentiment,
        "languages": value.reader_languages,
        "memberCount": value.member_count,
        "createdAt": aws_datetime(value.created_at_ms),
    }


def membership(value: Membership) -> dict[str, Any]:
    return {
        "roomId": value.room_id,
        "user": author(value.user),
        "role": value.role.value,
        "language": value.language,
        "joinedAt": aws_datetime(value.joined_at_ms),
    }


def invitation(value: Invitation) -> dict[str, Any]:
    return {
        "roomId": value.room_id,
        "username": value.username,
        "invitedBy": author(value.invited_by),
        "createdAt": aws_datetime(value.created_at_ms),
    }


def tag_count(value: TagCount) -> dict[str, Any]:
    return {"tag": value.tag, "count": value.count}


def leaderboard_entry(value: LeaderboardEntry) -> dict[str, Any]:
    return {"rank": value.rank, "user": author(value.user), "points": value.points}


def profile(value: Profile) -> dict[str, Any]:
    return {
        "id": value.user.id,
        "username": value.user.username,
        "preferredLanguage": value.preferred_language,
        "points": value.points,
        "rejectedCount": value.rejected_count,
    }


def tag_trend(value: TagTrend) -> dict[str, Any]:
    return {
        "tag": value.tag,
        "roomId": value.room_id,
        "granularity": value.granularity.value,
        "from": aws_datetime(value.window.start_ms),
        "to": aws_datetime(value.window.end_ms),
        "buckets": [{"start": aws_datetime(b.start_ms), "count": b.count} for b in value.buckets],
        "total": value.total,
    }


def sentiment_counts(value: SentimentCounts) -> dict[str, Any]:
    return {
        "positive": value.positive,
        "negative": value.negative,
        "neutral": value.neutral,
        "mixed": value.mixed,
        "unscored": value.unscored,
    }


def room_stats(value: RoomStats) -> dict[str, Any]:
    return {
        "roomId": value.room_id,
        "from": aws_datetime(value.window.start_ms),
        "to": aws_datetime(value.window.end_ms),
        "accepted": value.accepted,
        "rejected": value.rejected,
        "deleted": value.deleted,
        "sentiment": sentiment_counts(value.sentiment),
        "activeAuthors": value.active_authors,
    }


def page(value: Page[Any], item: Any) -> dict[str, Any]:
    return {"items": [item(x) for x in value.items], "nextToken": value.next_token}
