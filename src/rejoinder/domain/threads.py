"""Threads: the display order of a flat comment list (pinned roots first, then roots sorted, replies
chronological), pages, and the bound on how many replies one page or one batch of replies holds."""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

import msgspec

from rejoinder.domain.comments import CommentStatus


class Orderable(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def status(self) -> CommentStatus: ...
    @property
    def created(self) -> int: ...
    @property
    def likes(self) -> int: ...
    @property
    def pinned(self) -> bool: ...


C = TypeVar("C", bound=Orderable)

# The most comment objects one page of a thread holds (top-level comments and replies together). It equals
# the largest `limit` (top-level comments per page), so a page of lone top-level comments could always be this
# big: whatever the replies, no page is bigger than that (docs/api.md, "Bounds").
MAX_PAGE_COMMENTS = 1000


class Sort(enum.StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"
    REACTED = "reacted"  # most reactions first (the counts come from the caller: display_order `reacted`)


class Page(msgspec.Struct, frozen=True):
    number: int
    size: int
    pages: int
    roots: int


def display_order(
    comments: Sequence[C], sort: Sort, reacted: Mapping[str, int] | None = None
) -> list[list[C]]:
    """Group comments into conversations: one list per root (root first, then its replies depth-first,
    oldest first). Pinned roots come first in every sort, oldest first (a deleted placeholder is never
    pinned, and a pinned reply stays under its parent); the other roots are ordered by `sort`. A reply
    whose parent is missing becomes a root.

    Comments are expected oldest first (as the store returns them), which keeps every reply list sorted
    without sorting it; other input is sorted first.
    """
    if any(a.created > b.created for a, b in itertools.pairwise(comments)):
        comments = sorted(comments, key=lambda c: (c.created, c.id))
    ids = {c.id for c in comments}
    children: dict[str, list[C]] = {}
    roots: list[C] = []
    for c in comments:
        parent = c.parent
        if parent is not None and parent in ids:
            children.setdefault(parent, []).append(c)
        else:
            roots.append(c)
    if sort is Sort.NEWEST:
        roots.sort(key=lambda c: (-c.created, c.id))
    elif sort is Sort.TOP:
        roots.sort(key=lambda c: (-c.likes, c.created, c.id))
    elif sort is Sort.REACTED:
        total = (reacted or {}).get
        roots.sort(key=lambda c: (-total(c.id, 0), c.created, c.id))
    roots = pinned_first(roots)
    groups: list[list[C]] = []
    get = children.get
    for root in roots:
        if root.id not in children:
            groups.append([root])
            continue
        group: list[C] = []
        stack = [root]
        while stack:
            node = stack.pop()
            group.append(node)
            kids = get(node.id)
            if kids:
                stack.extend(reversed(kids))
        groups.append(group)
    return groups


def pinned_first(roots: list[C]) -> list[C]:
    """Roots with the pinned ones moved to the front, oldest first (the same block in every sort); the
    others keep their order. Deleted placeholders are not pinned: there is nothing left to show first."""
    deleted = CommentStatus.DELETED
    pinned = [r for r in roots if r.pinned and r.status is not deleted]
    if not pinned:
        return roots
    pinned.sort(key=lambda c: (c.created, c.id))
    return pinned + [r for r in roots if not (r.pinned and r.status is not deleted)]


def paginate(
    groups: list[list[C]],
    page: int,
    size: int,
    *,
    replies: int | None = None,
    total: int = MAX_PAGE_COMMENTS,
) -> tuple[list[C], Page, dict[str, int]]:
    """The comments of one page of `size` conversations (roots), where the page sits, and for each root on
    the page how many of its replies the page leaves out.

    With `replies` (the replies per conversation), a conversation shows its root and at most that many of its
    first replies in display order; and the page as a whole at most `total` comments (or its roots, if there
    are more): the replies left over after the roots go to the conversations in page order, so a later one
    may show fewer, or none. The replies left out continue in batches (`reply_batch`).
    """
    pages = max(1, math.ceil(len(groups) / size))
    start = (page - 1) * size
    shown = groups[start : start + size]
    if replies is None:
        return (
            [c for group in shown for c in group],
            Page(number=page, size=size, pages=pages, roots=len(groups)),
            {group[0].id: 0 for group in shown},
        )
    budget = max(0, total - len(shown))
    more: dict[str, int] = {}
    flat: list[C] = []
    extend = flat.extend
    for group in shown:
        count = len(group) - 1
        if count <= replies and count <= budget:  # the usual case: the whole conversation
            extend(group)
            budget -= count
            more[group[0].id] = 0
            continue
        take = min(count, replies, budget)
        budget -= take
        extend(group[: take + 1])
        more[group[0].id] = count - take
    return flat, Page(number=page, size=size, pages=pages, roots=len(groups)), more


def reply_batch(group: list[C], offset: int, limit: int) -> tuple[list[C], int]:
    """Replies `offset` to `offset + limit` (exclusive) of a conversation (its root first, then the replies
    in display order), and how many replies come after them."""
    replies = len(group) - 1
    start = min(offset, replies)
    end = min(start + limit, replies)
    return group[1 + start : 1 + end], replies - end


def page_of(groups: list[list[C]], comment_id: str, size: int) -> int | None:
    """The page number that shows `comment_id`, or None when it is not in the list."""
    found = find_in(groups, comment_id)
    return found[0] // size + 1 if found is not None else None


def find_in(groups: list[list[C]], comment_id: str) -> tuple[int, int] | None:
    """Where `comment_id` is: the index of its conversation, and its index in that conversation (0 for the
    root, 1 + its position among the replies for a reply); None when it is not in the list."""
    for index, group in enumerate(groups):
        for position, c in enumerate(group):
            if c.id == comment_id:
                return index, position
    return None


def prune_deleted(comments: Sequence[C]) -> list[C]:
    """Drop deleted comments that no longer hold up a visible reply (placeholders stay only when needed)."""
    deleted = CommentStatus.DELETED
    if not any(c.status is deleted for c in comments):
        return list(comments)
    by_id = {c.id: c for c in comments}
    visible: set[str] = set()
    # Walk from every live comment up through its ancestors: each ancestor holds up a visible reply.
    for c in comments:
        if c.status is deleted:
            continue
        node: C | None = c
        while node is not None and node.id not in visible:
            visible.add(node.id)
            node = by_id.get(node.parent) if node.parent is not None else None
    return [c for c in comments if c.id in visible]
