"""What a moderator's pin and feature do for readers, over HTTP on both backends: GET /api/threads carries
`pinned` and `featured` at once (the cached body and the kept comment encodings are rebuilt, never a stale
304), pinned top-level comments come first on the first page in every sort, and pages stay consistent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.admin.conftest import Admin
from tests.fixtures.app import ARTICLE

SORTS = ("oldest", "newest", "top")


def thread(admin: Admin, etag: str | None = None, **params: Any) -> Any:
    headers = {"If-None-Match": etag} if etag else {}
    response = admin.client.get("/api/threads", params={"url": ARTICLE, **params}, headers=headers)
    assert response.status_code == 200, (response.status_code, response.text)
    return response


def order(response: Any) -> list[str]:
    return [c["id"] for c in response.json()["comments"]]


def marks(response: Any) -> dict[str, tuple[bool, bool]]:
    return {c["id"]: (c["pinned"], c["featured"]) for c in response.json()["comments"]}


def mark(admin: Admin, comment_id: str, action: str) -> None:
    response = admin.submit(f"/admin/comments/{comment_id}", {"action": action})
    assert response.status_code == 303, response.text


def like(admin: Admin, comment_id: str, n: int) -> None:
    for i in range(n):
        r = admin.client.put(f"/api/comments/{comment_id}/like", headers={"Rejoinder-Visitor": f"{i:020d}"})
        assert r.status_code in (200, 204), r.text


@pytest.fixture
def posted(admin: Admin) -> dict[str, str]:
    """Roots a (2 likes), b (1 like), c, d, in that order; c has a reply c1."""
    admin.login()
    ids = {name: admin.post_comment(f"Comment {name}")["id"] for name in "abcd"}
    ids["c1"] = admin.post_comment("A reply to c", parent=ids["c"])["id"]
    like(admin, ids["a"], 2)
    like(admin, ids["b"], 1)
    return ids


def test_a_pin_reaches_cached_readers_at_once_in_every_sort(admin: Admin, posted: dict[str, str]) -> None:
    a, b, c, c1, d = (posted[k] for k in ("a", "b", "c", "c1", "d"))
    before = {sort: thread(admin, sort=sort) for sort in SORTS}  # cached, and their encodings kept
    assert order(before["oldest"]) == [a, b, c, c1, d]
    assert order(before["newest"]) == [d, c, c1, b, a]
    assert order(before["top"]) == [a, b, c, c1, d]
    assert set(marks(before["oldest"]).values()) == {(False, False)}
    for sort, response in before.items():  # the cache answers 304 while nothing changed
        again = admin.client.get(
            "/api/threads",
            params={"url": ARTICLE, "sort": sort},
            headers={"If-None-Match": response.headers["etag"]},
        )
        assert again.status_code == 304, sort

    mark(admin, d, "pin")
    mark(admin, c, "pin")
    mark(admin, b, "feature")
    after = {sort: thread(admin, before[sort].headers["etag"], sort=sort) for sort in SORTS}  # 200, not 304
    # Pinned roots first (oldest first: c before d) with their replies; the rest in the sort's own order.
    assert order(after["oldest"]) == [c, c1, d, a, b]
    assert order(after["newest"]) == [c, c1, d, b, a]
    assert order(after["top"]) == [c, c1, d, a, b]
    for response in after.values():
        assert response.headers["etag"] not in {r.headers["etag"] for r in before.values()}
        assert marks(response) == {
            a: (False, False),
            b: (False, True),
            c: (True, False),
            c1: (False, False),
            d: (True, False),
        }
        assert response.json()["thread"]["count"] == 5 and response.json()["page"]["roots"] == 4

    mark(admin, c, "unpin")
    mark(admin, b, "unfeature")
    response = thread(admin, after["newest"].headers["etag"], sort="newest")
    assert order(response) == [d, c, c1, b, a]
    assert marks(response)[c] == (False, False) and marks(response)[b] == (False, False)


def test_a_pinned_reply_stays_under_its_parent(admin: Admin, posted: dict[str, str]) -> None:
    thread(admin, sort="newest")
    mark(admin, posted["c1"], "pin")
    response = thread(admin, sort="newest")
    assert order(response) == [posted[k] for k in ("d", "c", "c1", "b", "a")]
    assert marks(response)[posted["c1"]] == (True, False)


def test_pages_with_a_pin_repeat_nothing(admin: Admin, posted: dict[str, str]) -> None:
    everything = set(posted.values())
    mark(admin, posted["d"], "pin")
    for sort in SORTS:
        pages = [thread(admin, sort=sort, limit=2, page=n).json() for n in (1, 2, 3)]
        assert [p["page"]["pages"] for p in pages] == [2, 2, 2]
        assert [p["page"]["roots"] for p in pages] == [4, 4, 4]
        assert pages[0]["comments"][0]["id"] == posted["d"]
        seen = [c["id"] for p in pages for c in p["comments"]]
        assert len(seen) == len(set(seen)) and set(seen) == everything, sort
        # A permalink finds a pinned comment on the first page, and a comment it pushed down on the second.
        located = admin.client.get(
            f"/api/comments/{posted['d']}/page", params={"sort": sort, "limit": 2}
        ).json()
        assert located["page"] == 1
        last_root = [c for c in pages[1]["comments"] if c["parent"] is None][-1]["id"]
        located = admin.client.get(f"/api/comments/{last_root}/page", params={"sort": sort, "limit": 2})
        assert located.json()["page"] == 2


def test_a_deleted_pinned_comment_is_neither_pinned_nor_first(admin: Admin, posted: dict[str, str]) -> None:
    thread(admin)
    mark(admin, posted["c"], "pin")
    mark(admin, posted["c"], "feature")
    mark(admin, posted["c"], "delete")  # a placeholder: it holds up its reply
    response = thread(admin)
    placeholder = next(x for x in response.json()["comments"] if x["id"] == posted["c"])
    assert placeholder["deleted"] is True and (placeholder["pinned"], placeholder["featured"]) == (
        False,
        False,
    )
    assert order(response) == [posted[k] for k in ("a", "b", "c", "c1", "d")]


def test_the_post_answer_and_the_thread_agree_on_the_marks(admin: Admin) -> None:
    admin.login()
    created = admin.post_comment("Fresh")
    assert (created["pinned"], created["featured"]) == (False, False)
    mark(admin, created["id"], "feature")
    thread(admin)
    edited = admin.client.patch(
        f"/api/comments/{created['id']}",
        json={"text": "Fresh, edited"},
        headers={"Rejoinder-Edit-Token": created["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["featured"] is True
    assert marks(thread(admin))[created["id"]] == (False, True)
