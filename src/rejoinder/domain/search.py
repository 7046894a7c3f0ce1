"""A moderator's comment search as plain data: the words split into terms that no full-text engine reads
as syntax, the author, statuses and date range, each checked. No I/O; store/search.py runs it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import msgspec

from rejoinder.domain.comments import CommentStatus
from rejoinder.errors import Invalid

MAX_WORDS_LENGTH = 500
MAX_TERMS = 12
MAX_TERM_LENGTH = 64
MAX_AUTHOR_LENGTH = 254
DAY_US = 86_400_000_000

# Letters and digits of any script: what both FTS5's unicode61 tokenizer and PostgreSQL's parser keep
# as words. Everything else (quotes, *, ^, :, (, ), -, &, |, !, <->) separates terms and is never sent.
_TERM = re.compile(r"[^\W_]+")
_STATUSES = {s.value for s in CommentStatus}


class CommentSearch(msgspec.Struct, frozen=True):
    """What to find. `since` and `until` are microseconds (until excluded); empty means any."""

    words: str = ""
    terms: tuple[str, ...] = ()
    author: str = ""  # part of the author's name, or (with an @) their email address
    email: str = ""
    identity_id: str = ""
    statuses: tuple[str, ...] = ()
    site: str = ""
    since: int | None = None
    until: int | None = None
    date_from: str = ""
    date_to: str = ""

    @property
    def empty(self) -> bool:
        return not (
            self.terms or self.author or self.email or self.identity_id or self.statuses or self.site
        ) and (self.since is None and self.until is None)

    def params(self) -> dict[str, str | list[str]]:
        """The query parameters that run this search again (a saved filter keeps these)."""
        out: dict[str, str | list[str]] = {}
        if self.words:
            out["q"] = self.words
        if self.author or self.email:
            out["author"] = self.author or self.email
        if self.identity_id:
            out["identity"] = self.identity_id
        if self.statuses:
            out["status"] = list(self.statuses)
        if self.site:
            out["site"] = self.site
        if self.date_from:
            out["from"] = self.date_from
        if self.date_to:
            out["to"] = self.date_to
        return out


def terms_of(words: str) -> tuple[str, ...]:
    """The plain terms of what a moderator typed, lower-cased, each once, in order."""
    found = [t.lower() for t in _TERM.findall(words)]
    return tuple(dict.fromkeys(t[:MAX_TERM_LENGTH] for t in found))


def _day(value: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "search-date-invalid", f"{field} is a date as YYYY-MM-DD") from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1_000_000


def parse_search(
    *,
    words: str | None,
    author: str | None,
    identity: str | None,
    statuses: list[str],
    site: str | None,
    date_from: str | None,
    date_to: str | None,
) -> CommentSearch:
    """Check a search's fields and make the search (422 with the field's code for what does not fit)."""
    words = (words or "").strip()
    if len(words) > MAX_WORDS_LENGTH:
        raise Invalid.field(
            "q", "search-too-long", f"Search for at most {MAX_WORDS_LENGTH} characters of words"
        )
    if "\x00" in words:
        raise Invalid.field("q", "search-invalid", "The words contain a character that cannot be searched")
    terms = terms_of(words)
    if len(terms) > MAX_TERMS:
        raise Invalid.field("q", "search-too-long", f"Search for at most {MAX_TERMS} different words")
    author = (author or "").strip()
    if len(author) > MAX_AUTHOR_LENGTH or "\x00" in author:
        raise Invalid.field("author", "search-invalid", "author is part of a name, or an email address")
    email = author.lower() if "@" in author else ""
    identity = (identity or "").strip()
    if identity and (len(identity) > 24 or not identity.replace("-", "").replace("_", "").isalnum()):
        raise Invalid.field("identity", "identity-invalid", "identity is not an id this server gave out")
    chosen = tuple(dict.fromkeys(s for s in statuses if s))
    if any(s not in _STATUSES for s in chosen):
        raise Invalid.field(
            "status", "search-status-invalid", "status is one of " + ", ".join(sorted(_STATUSES))
        )
    since = _day(date_from or "", "from")
    until_day = _day(date_to or "", "to")
    until = until_day + DAY_US if until_day is not None else None  # "to" is inclusive: the whole day
    if since is not None and until is not None and since >= until:
        raise Invalid.field("to", "search-dates-reversed", "to is on or after from")
    return CommentSearch(
        words=words,
        terms=terms,
        author="" if email else author,
        email=email,
        identity_id=identity,
        statuses=chosen,
        site=(site or "").strip()[:100],
        since=since,
        until=until,
        date_from=(date_from or "").strip(),
        date_to=(date_to or "").strip(),
    )
