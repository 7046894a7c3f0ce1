"""Threads: the display order of a flat comment list (roots sorted, replies chronological) and pages."""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Sequence
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


C = TypeVar("C", bound=Orderable)


class Sort(enum.StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"


class Page(msgspec.Struct, frozen=True):
    number: int
    size: int
    pages: int
    roots: int


def display_order(comments: Sequence[C], sort: Sort) -> list[list[C]]:
    """Group comments into conversations: one list per root (root first, then its replies depth-first,
    oldest first). Roots are ordered by `sort`. A reply whose parent is missing becomes a root.

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


def paginate(groups: list[list[C]], page: int, size: int) -> tuple[list[C], Page]:
    """The comments of one page of `size` conversations (roots), and where the page sits."""
    pages = max(1, math.ceil(len(groups) / size))
    start = (page - 1) * size
    flat = [c for group in groups[start : start + size] for c in group]
    return flat, Page(number=page, size=size, pages=pages, roots=len(groups))


def page_of(groups: list[list[C]], comment_id: str, size: int) -> int | None:
    """The page number that shows `comment_id`, or None when it is not in the list."""
    for index, group in enumerate(groups):
        if any(c.id == comment_id for c in group):
            return index // size + 1
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
