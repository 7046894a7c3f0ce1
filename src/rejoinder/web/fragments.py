"""Encoded comment objects for thread bodies: a fast encoder (the same bytes as `wire.comment_out`) and the
memo that keeps each comment's encoding between rebuilds of its thread."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

from rejoinder.domain.comments import Comment, CommentStatus, CommentStub
from rejoinder.web.gzipjoin import ChunkCache
from rejoinder.web.wire import build_comment

_Version = tuple[CommentStatus, int | None, int, str, str, bool, bool, int]


class FragmentMemo:
    """Encoded comment objects by id, reused while the comment's status, edit time, likes, author, marks
    (pinned, featured) and, for a top-level comment, `more_replies` are unchanged; a thread re-read after one
    new comment then encodes (and loads the text of) only that comment. It also remembers which threads it has encoded, so a thread it has never
    seen is read with its text in one query instead of stubs first (services.threads.read_thread
    `with_text`)."""

    def __init__(self, max_entries: int = 50000) -> None:
        self.max_entries = max_entries
        self._items: dict[str, tuple[_Version, bytes]] = {}
        self._threads: set[str] = set()
        # The compressed chunks of thread bodies (web/gzipjoin.py): ~200 bytes a comment, off with the memo.
        self.chunks = ChunkCache(max(max_entries, 0) * 256)

    def knows(self, thread_lookup: str) -> bool:
        return self.max_entries > 0 and thread_lookup in self._threads

    def saw(self, thread_lookup: str) -> None:
        if self.max_entries <= 0:
            return
        if len(self._threads) >= 10000:
            self._threads.clear()
        self._threads.add(thread_lookup)

    def get_many(self, stubs: list[CommentStub], more: dict[str, int]) -> list[bytes | None]:
        """The kept encodings of these comments (None where there is none, or it is out of date). `more` is
        `more_replies` of the top-level comments among them (ThreadView.more); the others have none."""
        items = self._items.get
        replies = more.get
        out: list[bytes | None] = []
        for s in stubs:
            item = items(s.id)
            version = (
                s.status,
                s.edited,
                s.likes,
                s.author_name,
                s.author_key,
                s.pinned,
                s.featured,
                replies(s.id, -1),
            )
            hit = item is not None and item[0] == version
            out.append(item[1] if hit and item is not None else None)
        return out

    def put_many(self, comments: list[Comment], fragments: list[bytes], more: dict[str, int]) -> None:
        if self.max_entries <= 0:
            return
        replies = more.get
        items = self._items
        if len(comments) > self.max_entries:
            comments, fragments = comments[: self.max_entries], fragments[: self.max_entries]
        if len(items) + len(comments) > self.max_entries:
            drop = max(len(items) + len(comments) - self.max_entries, self.max_entries // 10)
            for key in list(items)[:drop]:
                del items[key]
        for c, fragment in zip(comments, fragments, strict=True):
            version = (
                c.status,
                c.edited,
                c.likes,
                c.author.name,
                c.author.key,
                c.pinned,
                c.featured,
                replies(c.id, -1),
            )
            items[c.id] = (version, fragment)


class Timestamps:
    """RFC 3339 text of microsecond timestamps, as `wire.rfc3339` writes them, with the text up to the second
    cached: strftime for every comment was ~6 % of an uncached 1,000-comment read."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._seconds: dict[int, str] = {}

    def __call__(self, us: int) -> str:
        seconds, fraction = divmod(us, 1_000_000)
        prefix = self._seconds.get(seconds)
        if prefix is None:
            if len(self._seconds) >= self.max_entries:
                self._seconds.clear()
            prefix = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            self._seconds[seconds] = prefix
        return f"{prefix}{fraction:06d}Z"


timestamp = Timestamps()
_encode = msgspec.json.Encoder().encode


def encode_comments(comments: Iterable[Comment], avatar_base: str, more: dict[str, int]) -> list[bytes]:
    """Each comment's JSON object, as `msgspec.json.encode(build_comment(c, ..., more_replies))` gives it (the
    same builder, with the cached timestamp formatter; tests/web/test_fragments.py checks the bytes).
    `avatar_base` is `{public_url}/api/avatars/`; `more` gives `more_replies` of top-level comments."""
    if not more:  # replies only (a batch of more replies)
        return [_encode(build_comment(c, avatar_base, timestamp)) for c in comments]
    unset = msgspec.UNSET
    replies = more.get
    return [_encode(build_comment(c, avatar_base, timestamp, replies(c.id, unset))) for c in comments]
