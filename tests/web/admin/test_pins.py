"""What a moderator's pin and feature do for readers, over HTTP on both backends: GET /api/threads carries
`pinned` and `featured` at once (the cached body and the kept comment encodings are rebuilt, never a stale
304), pinned top-level comments come first on the first page in every sort, and pages stay consistent."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from tests.fixtures.admin import HTML, Admin
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
        assert r.status_code == 200 and r.json()["liked"] is True, r.text


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


# --- the no-JS page ------------------------------------------------------------------------------------


class Articles(HTMLParser):
    """Per comment article: its classes, the classes of the elements inside it, and its text; plus every
    tag and attribute of the document (to prove hostile text stayed text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.order: list[str] = []
        self.classes: dict[str, str] = {}
        self.inner: dict[str, list[str]] = {}
        self.text: dict[str, str] = {}
        self.marks: dict[str, list[str]] = {}  # the text of each badge or mark, screen-reader words included
        self._article: str | None = None
        self._mark: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "article" and a.get("id", "").startswith("comment-"):
            self._article = a["id"].removeprefix("comment-")
            self.order.append(self._article)
            self.classes[self._article] = a.get("class", "")
            self.inner[self._article], self.text[self._article] = [], ""
            self.marks[self._article] = []
        elif self._article is not None:
            self.inner[self._article] += a.get("class", "").split()
            if tag == "span" and {"rj-mark", "rj-badge"} & set(a.get("class", "").split()):
                self._mark, self._depth = [], 0
                self.marks[self._article].append("")
            if self._mark is not None and tag == "span":
                self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article = None
        elif tag == "span" and self._mark is not None:
            self._depth -= 1
            if self._depth == 0:
                self._mark = None

    def handle_data(self, data: str) -> None:
        if self._article is not None:
            self.text[self._article] += data
            if self._mark is not None:
                self.marks[self._article][-1] += data


def test_the_no_js_page_shows_staff_pinned_and_featured_and_keeps_hostile_text_inert(admin: Admin) -> None:
    admin.login()
    hostile = admin.post_comment(
        '<img src=x onerror="alert(1)"> <span class="rj-badge rj-badge-staff">Staff</span> **Pinned**',
        name='<script>alert("name")</script> Staff',
    )
    plain = admin.post_comment("A later root")
    reply = admin.submit(f"/admin/comments/{hostile['id']}/reply", {"text": "Noted, thanks."})
    assert reply.status_code == 303, reply.text
    staff_id = reply.headers["location"].rsplit("#c-", 1)[1]
    mark(admin, plain["id"], "pin")
    mark(admin, plain["id"], "feature")
    mark(admin, staff_id, "feature")

    for path, params in (("/thread", {"sort": "newest"}), ("/thread/fragment", {})):
        response = admin.client.get(path, params={"url": ARTICLE, **params}, headers=HTML)
        assert response.status_code == 200, response.text
        doc = Articles()
        doc.feed(response.text)
        doc.close()
        assert doc.order == [plain["id"], hostile["id"], staff_id]  # pinned first, whatever the sort
        assert "rj-pinned" in doc.classes[plain["id"]] and "rj-featured" in doc.classes[plain["id"]]
        assert doc.marks[plain["id"]] == ["Pinned by a moderator", "Featured by a moderator"]
        assert doc.marks[staff_id] == ["Featured by a moderator", "Staff: a moderator of this site"]
        assert "rj-pinned" not in doc.classes[staff_id] and "rj-featured" in doc.classes[staff_id]
        # The guest who calls themselves Staff and writes badge markup gets no badge: it stays text.
        assert doc.marks[hostile["id"]] == [] and doc.classes[hostile["id"]].split() == [
            "rj-comment",
            "rj-depth-0",
            "h-entry",
        ]
        assert not {"rj-badge", "rj-mark", "rj-badge-staff"} & set(doc.inner[hostile["id"]])
        assert '<script>alert("name")</script> Staff' in doc.text[hostile["id"]]
        assert not any(tag == "script" for tag, _ in doc.tags)
        assert not any(k.startswith("on") for _, attrs in doc.tags for k in attrs)
        assert "&lt;script&gt;" in response.text

    # Unpinned and unfeatured, the markers go (the page is rendered per request, never from a stale copy).
    mark(admin, plain["id"], "unpin")
    mark(admin, plain["id"], "unfeature")
    doc = Articles()
    doc.feed(admin.client.get("/thread", params={"url": ARTICLE, "sort": "newest"}, headers=HTML).text)
    assert doc.order == [plain["id"], hostile["id"], staff_id] and doc.marks[plain["id"]] == []
    doc = Articles()
    doc.feed(admin.client.get("/thread", params={"url": ARTICLE}, headers=HTML).text)
    assert doc.order == [hostile["id"], staff_id, plain["id"]]
