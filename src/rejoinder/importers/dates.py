"""Export dates → microseconds since the epoch, UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_micros(value: datetime) -> int:
    """A datetime as microseconds since the epoch; a naive one is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def parse_iso(raw: str) -> int | None:
    """ISO 8601 (`2011-09-30T22:48:43Z`, `2021-03-17T12:09:47.722181Z`, with an offset): µs UTC, or None."""
    text = raw.strip()
    if not text:
        return None
    try:
        return utc_micros(datetime.fromisoformat(text))
    except ValueError:
        return None


def parse_wordpress(raw: str) -> int | None:
    """`2023-01-16 07:17:56` (WordPress's MySQL format, no zone); None for the empty `0000-00-00 …`."""
    text = raw.strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return utc_micros(datetime.strptime(text, "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return None
