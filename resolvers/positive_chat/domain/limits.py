"""Every input limit, in one place, with the validation that enforces it.

The numbers are part of the API contract (schema.graphql's header repeats them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import ValidationError


@dataclass(frozen=True)
class Limits:
    text_max_chars: int = 2000
    room_name_max_chars: int = 80
    room_description_max_chars: int = 500
    page_size_default: int = 20
    page_size_max: int = 100
    tag_cloud_default: int = 30
    tag_cloud_max: int = 100
    tags_per_message: int = 10
    tag_max_chars: int = 40
    translations_per_message: int = 5
    username_max_chars: int = 128
    threshold_min: float = 0.5
    threshold_max: float = 1.0
    threshold_default: float = 0.6
    # Analytics (docs/data-model.md, "Analytics"): each bound caps the items one query reads.
    top_tags_default: int = 20
    top_tags_max: int = 100
    analytics_window_days_max: int = 92  # topTags, roomStats: a quarter of daily counters
    trend_hour_window_days_max: int = 31  # tagTrends(HOUR): at most 744 buckets
    trend_day_window_days_max: int = 366  # tagTrends(DAY): a year of daily counters
    analytics_items_max: int = 20_000  # counter items one topTags/roomStats may read


DEFAULT_LIMITS = Limits()

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ROOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2,4})?$")
# Allowed whitespace controls in message text; every other Cc/Cf/Cs/Co/Cn character is refused.
_TEXT_CONTROLS_OK = {"\n", "\t"}


def _bad_char(text: str, allow: set[str]) -> str | None:
    for ch in text:
        if ch in allow:
            continue
        cat = unicodedata.category(ch)
        # Cc control, Cs surrogate, Co private use, Cn unassigned. Cf (format:
        # ZWJ in emoji, RTL marks) is legitimate in real text and allowed.
        if cat in ("Cc", "Cs", "Co", "Cn"):
            return ch
    return None


def check_text(text: str, limits: Limits = DEFAULT_LIMITS, *, field: str = "text") -> str:
    """Return the text with surrounding whitespace removed.

    Raises
    ------
    ValidationError
        empty or whitespace-only, too long, or containing control characters.
    """
    stripped = text.strip()
    if not stripped:
        raise ValidationError(f"{field} must not be empty or whitespace only", field=field)
    if len(stripped) > limits.text_max_chars:
        raise ValidationError(
            f"{field} is {len(stripped)} characters; the limit is {limits.text_max_chars}",
            field=field,
            limit=limits.text_max_chars,
        )
    bad = _bad_char(stripped, _TEXT_CONTROLS_OK)
    if bad is not None:
        raise ValidationError(
            f"{field} contains a control character (U+{ord(bad):04X})", field=field
        )
    return stripped


def check_name(value: str, max_chars: int, *, field: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValidationError(f"{field} must not be empty", field=field)
    if len(stripped) > max_chars:
        raise ValidationError(
            f"{field} is {len(stripped)} characters; the limit is {max_chars}",
            field=field,
            limit=max_chars,
        )
    bad = _bad_char(stripped, set())
    if bad is not None:
        raise ValidationError(
            f"{field} contains a control character (U+{ord(bad):04X})", field=field
        )
    return stripped


def check_optional_text(value: str | None, max_chars: int, *, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    stripped = value.strip()
    if len(stripped) > max_chars:
        raise ValidationError(
            f"{field} is {len(stripped)} characters; the limit is {max_chars}",
            field=field,
            limit=max_chars,
        )
    bad = _bad_char(stripped, _TEXT_CONTROLS_OK)
    if bad is not None:
        raise ValidationError(
            f"{field} contains a control character (U+{ord(bad):04X})", field=field
        )
    return stripped


def check_client_id(value: str) -> str:
    if not _CLIENT_ID.match(value):
        raise ValidationError(
            "clientId must be 8 to 64 characters of A-Z, a-z, 0-9, '_' or '-' (a UUID works)",
            field="clientId",
        )
    return value


def check_id(value: str, *, field: str) -> str:
    if not _ROOM_ID.match(value):
        raise ValidationError(
            f"{field} must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'", field=field
        )
    return value


def check_language(value: str, *, field: str = "language") -> str:
    """Normalise a BCP-47 primary language tag ("EN" -> "en", "zh-tw" -> "zh-TW")."""
    base, sep, region = value.strip().partition("-")
    normalised = base.lower() + (f"-{region.upper()}" if sep else "")
    if not _LANGUAGE.match(normalised):
        raise ValidationError(
            f"{field} must be a language code such as 'en', 'fr' or 'zh-TW'", field=field
        )
    return normalised


def check_page_size(
    limit: int | None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    default: int | None = None,
    maximum: int | None = None,
) -> int:
    default = limits.page_size_default if default is None else default
    maximum = limits.page_size_max if maximum is None else maximum
    if limit is None:
        return default
    if limit < 1 or limit > maximum:
        raise ValidationError(
            f"limit must be between 1 and {maximum}", field="limit", limit=maximum
        )
    return limit


def check_threshold(value: float | None, limits: Limits = DEFAULT_LIMITS) -> float:
    if value is None:
        return limits.threshold_default
    if not (limits.threshold_min <= value <= limits.threshold_max):
        raise ValidationError(
            f"negativityThreshold must be between {limits.threshold_min} and {limits.threshold_max}",
            field="negativityThreshold",
        )
    return float(value)


# AWSDateTime may name any year; keys and ULIDs need 1970..9999 (ULIDs start at the epoch).
MAX_TIME_MS = 253_402_300_800_000  # 10000-01-01T00:00:00Z


def check_time_range(from_ms: int | None, to_ms: int | None) -> None:
    """Raises ValidationError unless both bounds lie in 1970..9999 and ``from`` < ``to``
    (so ``to`` is after the epoch even without ``from``: windows are half-open)."""
    for name, value, low in (("from", from_ms, 0), ("to", to_ms, 1)):
        if value is not None and not low <= value <= MAX_TIME_MS:
            raise ValidationError(
                f"{name} must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
                field=name,
            )
    if from_ms is not None and to_ms is not None and from_ms >= to_ms:
        raise ValidationError("from must be earlier than to", field="from")


def check_window_days(days: int, max_days: int, *, what: str) -> None:
    """Raises ValidationError when an (aligned) window spans more days than ``what`` allows."""
    if days > max_days:
        raise ValidationError(
            f"the window spans {days} days; {what} allows at most {max_days} days "
            "(narrow from/to, or use the S3 export for longer periods: docs/analytics.md)",
            field="from",
            limit=max_days,
        )


def check_version(value: int) -> int:
    if value < 1:
        raise ValidationError("expectedVersion must be 1 or more", field="expectedVersion")
    return value
