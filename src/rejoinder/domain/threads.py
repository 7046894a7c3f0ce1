"""Threads: the display order of a flat comment list (roots sorted, replies chronological) and pages."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence

import msgspec

from rejoinder.domain.comments import Comment


class Sort(enum.StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"


class Page(msgspec.Struct, frozen=True):
    number: int
    size: int
    pages: int
    roots: int


def display_order(comments: Sequence[Comment], sort: Sort) -> list[list[Comment]]:
    """Group comments into conversations: one list per root (root first, then its replies depth-first,
    oldest first). Roots are ordered by `sort`. A reply whose parent is missing becomes a root."""
    ids = {c.id for c in comments}
    children: dict[str | None, list[Comment]] = {}
    for c in comments:
        parent = c.parent if c.parent in ids else None
        children.setdefault(parent, []).append(c)
    for kids in children.values():
        kids.sort(key=lambda c: (c.created, c.id))
    roots = list(children.get(None, []))
    if sort is Sort.NEWEST:
        roots.sort(key=lambda c: (-c.created, c.id))
    elif sort is Sort.TOP:
        roots.sort(key=lambda c: (-c.likes, c.created, c.id))
    groups: list[list[Comment]] = []
    for root in roots:
        group: list[Comment] = []
        stack = [root]
        while stack:
            node = stack.pop()
            group.append(node)
            stack.extend(reversed(children.get(node.id, [])))
        groups.append(group)
    return groups


def paginate(groups: list[list[Comment]], page: int, size: int) -> tuple[list[Comment], Page]:
    """The comments of one page of `size` conversations (roots), and where the page sits."""
    pages = max(1, math.ceil(len(groups) / size))
    start = (page - 1) * size
    flat = [c for group in groups[start : start + size] for c in group]
    return flat, Page(number=page, size=size, pages=pages, roots=len(groups))


def page_of(groups: list[list[Comment]], comment_id: str, size: int) -> int | None:
    """The page number that shows `comment_id`, or None when it is not in the list."""
    for index, group in enumerate(groups):
        if any(c.id == comment_id for c in group):
            return index // size + 1
    return None


def prune_deleted(comments: Sequence[Comment]) -> list[Comment]:
    """Drop deleted comments that no longer hold up a visible reply (placeholders stay only when needed)."""
    by_parent: dict[str | None, list[Comment]] = {}
    for c in comments:
        by_parent.setdefault(c.parent, []).append(c)
    keep: dict[str, bool] = {}

    def visible(c: Comment) -> bool:
        if c.id in keep:
            return keep[c.id]
        stack = [(c, False)]
        while stack:
            node, expanded = stack.pop()
            if node.id in keep:
                continue
            kids = by_parent.get(node.id, [])
            if not expanded and any(k.id not in keep for k in kids):
                stack.append((node, True))
                stack.extend((k, False) for k in kids if k.id not in keep)
                continue
            keep[node.id] = node.status.value != "deleted" or any(keep.get(k.id, False) for k in kids)
        return keep[c.id]

    return [c for c in comments if visible(c)]
