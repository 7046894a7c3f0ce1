"""domain/threads.py: display order, pages, and which deleted comments stay as placeholders."""

from __future__ import annotations

import pytest

from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.domain.threads import (
    MAX_PAGE_COMMENTS,
    Sort,
    display_order,
    find_in,
    page_of,
    paginate,
    pinned_first,
    prune_deleted,
    reply_batch,
)

DELETED = CommentStatus.DELETED


def c(
    id: str,
    parent: str | None = None,
    created: int = 0,
    likes: int = 0,
    status: CommentStatus | None = None,
    pinned: bool = False,
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
        pinned=pinned,
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
    first, page, more = paginate(groups, 1, 2)
    assert [x.id for x in first] == ["a", "a1", "a1x", "a1y", "a2", "b", "b1"]
    assert (page.number, page.size, page.pages, page.roots) == (1, 2, 2, 3)
    second, page, _ = paginate(groups, 2, 2)
    assert [x.id for x in second] == ["c"]
    beyond, page, _ = paginate(groups, 3, 2)
    assert beyond == [] and page.pages == 2
    empty, page, _ = paginate([], 1, 50)
    assert empty == [] and (page.pages, page.roots) == (1, 0)
    assert more == {"a": 0, "b": 0}  # without a bound nothing is left out


def big_thread(roots: int, replies: dict[int, int]) -> list[list[Comment]]:
    made = []
    for r in range(roots):
        made.append(c(f"r{r}", created=r))
        parent = f"r{r}"
        for i in range(replies.get(r, 0)):
            # every third reply answers the one before it: a cut may fall inside a sub-thread
            made.append(c(f"r{r}-{i}", parent if i % 3 else f"r{r}", created=10_000 + r * 5000 + i))
            parent = f"r{r}-{i}"
    return display_order(made, Sort.OLDEST)


def test_paginate_bounds_replies_per_conversation_and_the_page() -> None:
    groups = big_thread(3, {0: 250, 1: 5, 2: 100})
    shown, page, more = paginate(groups, 1, 3, replies=100)
    assert page.roots == 3
    assert more == {"r0": 150, "r1": 0, "r2": 0}
    assert len(shown) == 3 + 100 + 5 + 100
    assert [x.id for x in shown[:101]] == [x.id for x in groups[0][:101]]  # the first replies, in order
    assert [x.id for x in shown[101:]] == [x.id for g in groups[1:] for x in g]
    # The page as a whole: at most MAX_PAGE_COMMENTS comments, the replies going to the first conversations.
    many = big_thread(20, dict.fromkeys(range(20), 120))
    shown, _, more = paginate(many, 1, 20, replies=100)
    assert len(shown) == MAX_PAGE_COMMENTS == 20 + 980
    assert [more[f"r{i}"] for i in range(20)] == [20] * 9 + [40] + [120] * 10
    assert sum(len(g) - 1 - more[g[0].id] for g in many) + 20 == len(shown)
    # a page of 1,000 lone top-level comments is as big as a page gets
    lone = big_thread(1500, {})
    shown, _, more = paginate(lone, 1, 1000, replies=100)
    assert len(shown) == 1000 and set(more.values()) == {0}
    shown, _, more = paginate(many, 1, 20, replies=100, total=25)
    assert len(shown) == 25 and more["r0"] == 115 and more["r1"] == 120


def test_reply_batch_walks_a_conversation_once_in_order() -> None:
    (group,) = big_thread(1, {0: 3000})
    seen: list[str] = []
    offset, more = 0, 1
    while more:
        batch, more = reply_batch(group, offset, 100)
        assert len(batch) == min(100, 3000 - offset) and more == 3000 - offset - len(batch)
        seen += [x.id for x in batch]
        offset += len(batch)
    assert seen == [x.id for x in group[1:]]
    assert reply_batch(group, 3000, 100) == ([], 0)
    assert reply_batch(group, 5000, 100) == ([], 0)
    assert reply_batch(group, 2999, 100) == (group[3000:], 0)


def test_find_in() -> None:
    groups = display_order(THREAD, Sort.OLDEST)
    assert find_in(groups, "a") == (0, 0)
    assert find_in(groups, "a1y") == (0, 3)
    assert find_in(groups, "b1") == (1, 1)
    assert find_in(groups, "zzz") is None


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


# "b" and "c" are pinned roots, "a2" is a pinned reply.
PINNED = [
    c("a", created=1, likes=1),
    c("b", created=2, likes=5, pinned=True),
    c("a1", "a", created=3),
    c("c", created=4, likes=1, pinned=True),
    c("a1x", "a1", created=5),
    c("a2", "a", created=6, likes=9, pinned=True),
    c("b1", "b", created=7),
    c("d", created=8, likes=3),
]


@pytest.mark.parametrize(
    ("sort", "rest"),
    [(Sort.OLDEST, ["a", "d"]), (Sort.NEWEST, ["d", "a"]), (Sort.TOP, ["d", "a"])],
)
def test_pinned_roots_come_first_oldest_first_in_every_sort(sort: Sort, rest: list[str]) -> None:
    groups = display_order(PINNED, sort)
    assert [g[0].id for g in groups] == ["b", "c", *rest]
    # Replies stay under their root; a pinned reply ("a2") is not lifted out of its conversation.
    by_root = {g[0].id: [x.id for x in g] for g in groups}
    assert by_root["b"] == ["b", "b1"] and by_root["a"] == ["a", "a1", "a1x", "a2"]
    assert flat(display_order(list(reversed(PINNED)), sort)) == flat(groups)


def test_a_deleted_pinned_placeholder_is_not_first() -> None:
    thread = [c("gone", created=1, pinned=True, status=DELETED), c("r", "gone", created=2), c("x", created=3)]
    assert flat(display_order(thread, Sort.NEWEST)) == ["x", "gone", "r"]
    assert flat(display_order(prune_deleted(thread), Sort.OLDEST)) == ["gone", "r", "x"]


def test_pinned_first_keeps_the_order_of_the_rest() -> None:
    roots = [
        c("z", created=9),
        c("p2", created=5, pinned=True),
        c("y", created=1),
        c("p1", created=5, pinned=True),
    ]
    assert [r.id for r in pinned_first(roots)] == ["p1", "p2", "z", "y"]
    plain = [c("z"), c("y")]
    assert pinned_first(plain) is plain


@pytest.mark.parametrize("sort", list(Sort))
def test_pages_with_pins_repeat_nothing_and_lose_nothing(sort: Sort) -> None:
    many = [c(f"r{i:02}", created=i, likes=i % 7, pinned=i in (3, 17, 25)) for i in range(30)]
    many += [c(f"r{i:02}-re", f"r{i:02}", created=100 + i) for i in (3, 4, 17)]
    groups = display_order(many, sort, {f"r{i:02}": i % 5 for i in range(30)})
    seen: list[str] = []
    for number in (1, 2, 3, 4):
        shown, page, _ = paginate(groups, number, 8)
        assert (page.pages, page.roots) == (4, 30)
        seen += [x.id for x in shown]
        if number == 1:  # the three pinned conversations first, then the sort's own order
            assert [x.id for x in shown[:5]] == ["r03", "r03-re", "r17", "r17-re", "r25"]
            assert (
                not shown[5].pinned
                and shown[5].id == {"oldest": "r00", "newest": "r29", "top": "r06", "reacted": "r04"}[sort]
            )
    assert sorted(seen) == sorted(x.id for x in many) and len(seen) == len(set(seen))
    assert page_of(groups, "r25", 8) == 1 and page_of(groups, "r17-re", 8) == 1
