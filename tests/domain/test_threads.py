"""domain/threads.py: display order, pages, and which deleted comments stay as placeholders."""

from __future__ import annotations

import pytest

from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.domain.threads import Sort, display_order, page_of, paginate, prune_deleted

DELETED = CommentStatus.DELETED


def c(
    id: str, parent: str | None = None, created: int = 0, likes: int = 0, status: CommentStatus | None = None
) -> Comment:
    return Comment(
        id=id,
        thread_id=1,
        parent=parent,
        text=id,
        html=id,
        author=Author(name="A", email=None, website=None, key="k"),
        status=status or CommentStatus.PUBLISHED,
        created=created,
        edited=None,
        likes=likes,
        depth=0,
    )


def flat(groups: list[list[Comment]]) -> list[str]:
    return [x.id for group in groups for x in group]


THREAD = [
    c("a", created=1, likes=1),
    c("b", created=2, likes=5),
    c("a1", "a", created=3),
    c("c", created=4, likes=1),
    c("a1x", "a1", created=5),
    c("a2", "a", created=6, likes=9),
    c("b1", "b", created=7),
    c("a1y", "a1", created=8),
]


def test_display_order_oldest() -> None:
    groups = display_order(THREAD, Sort.OLDEST)
    assert [g[0].id for g in groups] == ["a", "b", "c"]
    assert flat(groups) == ["a", "a1", "a1x", "a1y", "a2", "b", "b1", "c"]


def test_display_order_newest_keeps_replies_chronological() -> None:
    assert flat(display_order(THREAD, Sort.NEWEST)) == ["c", "b", "b1", "a", "a1", "a1x", "a1y", "a2"]


def test_display_order_top_by_root_likes_then_age() -> None:
    assert flat(display_order(THREAD, Sort.TOP)) == ["b", "b1", "a", "a1", "a1x", "a1y", "a2", "c"]


def test_display_order_is_independent_of_input_order() -> None:
    for sort in Sort:
        assert flat(display_order(list(reversed(THREAD)), sort)) == flat(display_order(THREAD, sort))


def test_ties_break_by_id_and_orphans_become_roots() -> None:
    tied = [c("y", created=1), c("x", created=1), c("orphan", "missing", created=0)]
    assert flat(display_order(tied, Sort.OLDEST)) == ["orphan", "x", "y"]
    assert flat(display_order([], Sort.TOP)) == []


def test_deep_threads_do_not_recurse() -> None:
    chain = [c("0", created=0)] + [c(str(i), str(i - 1), created=i) for i in range(1, 5000)]
    assert flat(display_order(chain, Sort.OLDEST)) == [str(i) for i in range(5000)]
    deleted_chain = [c(x.id, x.parent, x.created, status=DELETED) for x in chain[:-1]] + [chain[-1]]
    assert len(prune_deleted(deleted_chain)) == 5000


def test_paginate() -> None:
    groups = display_order(THREAD, Sort.OLDEST)
    first, page = paginate(groups, 1, 2)
    assert [x.id for x in first] == ["a", "a1", "a1x", "a1y", "a2", "b", "b1"]
    assert (page.number, page.size, page.pages, page.roots) == (1, 2, 2, 3)
    second, page = paginate(groups, 2, 2)
    assert [x.id for x in second] == ["c"]
    beyond, page = paginate(groups, 3, 2)
    assert beyond == [] and page.pages == 2
    empty, page = paginate([], 1, 50)
    assert empty == [] and (page.pages, page.roots) == (1, 0)


@pytest.mark.parametrize(("comment_id", "page"), [("a", 1), ("a1y", 1), ("b1", 2), ("c", 3), ("zzz", None)])
def test_page_of(comment_id: str, page: int | None) -> None:
    assert page_of(display_order(THREAD, Sort.OLDEST), comment_id, 1) == page


def test_prune_deleted() -> None:
    comments = [
        c("leaf-gone", status=DELETED),
        c("holder", status=DELETED),
        c("reply", "holder"),
        c("chain-top", status=DELETED),
        c("chain-mid", "chain-top", status=DELETED),
        c("chain-end", "chain-mid"),
        c("dead-top", status=DELETED),
        c("dead-mid", "dead-top", status=DELETED),
        c("dead-end", "dead-mid", status=DELETED),
        c("alive"),
        c("alive-deleted-reply", "alive", status=DELETED),
    ]
    kept = [x.id for x in prune_deleted(comments)]
    assert kept == ["holder", "reply", "chain-top", "chain-mid", "chain-end", "alive"]
