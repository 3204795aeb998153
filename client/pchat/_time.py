"""Points in time for the API and the command line.

The API's ``AWSDateTime`` is ISO-8601 with a mandatory offset; the client always sends
UTC with milliseconds and ``Z`` (``2026-11-01T10:00:00.000Z``). People may write a date
(``2026-11-01``, midnight UTC), a date and time (``2026-11-01T10:00:00Z``; without an
offset it is UTC) or a span back from now (``7d``, ``24h``, ``90m``, ``2w``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_RELATIVE = re.compile(r"^(\d{1,6})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
                       r"(Z|z|[+-]\d{2}:?\d{2})?$")
# The API accepts 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def aws_datetime(value: datetime | str) -> str:
    """An ``AWSDateTime`` argument: UTC, milliseconds, ``Z``.

    Strings are read with ``parse_datetime`` first, so any ISO-8601 form is normalised.
    """
    stamp = utc(value) if isinstance(value, datetime) else parse_datetime(value)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime:
    """An ISO-8601 date or date-time (as the API returns them) -> aware UTC datetime.

    Raises ValueError for anything else.
    """
    text = text.strip()
    if _DATE.match(text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    if not _DATETIME.match(text):
        raise ValueError(f"not an ISO-8601 date or date-time: {text!r}")
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    return utc(datetime.fromisoformat(text))


def parse_time_spec(text: str, *, now: datetime) -> datetime:
    """``--from``/``--to``: an ISO date or date-time, ``now``, or a span back from ``now``.

    Raises ValueError with a message fit for a usage error.
    """
    spec = text.strip()
    relative = _RELATIVE.match(spec.lower())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        try:
            stamp = utc(now) - timedelta(**{_UNITS[unit]: amount})
        except OverflowError as exc:
            raise ValueError(f"{text!r} reaches before year 1") from exc
    elif spec.lower() == "now":
        stamp = utc(now)
    else:
        try:
            stamp = parse_datetime(spec)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a time: use a date (2026-11-01), a date and time "
                "(2026-11-01T10:00:00Z) or a span back from now (7d, 24h, 90m, 2w)") from None
    if not EARLIEST <= stamp <= LATEST:
        raise ValueError(f"{text!r} is outside 1970-01-01 .. 9999-12-31 (UTC)")
    return stamp
