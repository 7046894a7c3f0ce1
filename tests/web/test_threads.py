"""GET /api/threads and GET /api/comments/{id}/page over HTTP: threading, sorting, pages, deleted
placeholders, thread keys and URL normalisation."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, ORIGIN, new_client, post_comment, run_cli

VISITORS = [f"visitor-{i:016d}" for i in range(4)]


def thread(client: TestClient[Any], **params: Any) -> Any:
    params.setdefault("url", ARTICLE)
    response = client.get("/api/threads", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(view: Any) -> list[str]:
    return [c["id"] for c in view["comments"]]


def like(client: TestClient[Any], comment_id: str, times: int) -> None:
    for visitor in VISITORS[:times]:
        response = client.put(f"/api/comments/{comment_id}/like", headers={"Rejoinder-Visitor": visitor})
        assert response.status_code == 200


def delete(client: TestClient[Any], comment: dict[str, Any]) -> None:
    response = client.delete(
        f"/api/comments/{comment['id']}", headers={"Rejoinder-Edit-Token": comment["edit_token"]}
    )
    assert response.status_code == 204, response.text


def test_unknown_thread_is_an_empty_thread(client: TestClient[Any]) -> None:
    view = thread(client, url="https://BLOG.example/never/commented#top")
    assert view["thread"] == {
        "url": "https://blog.example/never/commented",
        "key": None,
        "title": None,
        "count": 0,
        "likes": {"count": 0, "recent": []},
        "reactions": {"kinds": {}, "count": 0, "recent": []},
    }
    assert view["comments"] == []
    assert view["page"] == {"number": 1, "size": 50, "pages": 1, "roots": 0}
    by_key = thread(client, url=None, key="never-used", site="blog")
    assert by_key["thread"]["count"] == 0 and by_key["comments"] == []


def test_replies_carry_parent_ids_and_depth_in_display_order(client: TestClient[Any]) -> None:
    a = post_comment(client, "A", title="A post")
    b = post_comment(client, "B")
    a1 = post_comment(client, "A1", parent=a["id"])
    a1x = post_comment(client, "A1x", parent=a1["id"])
    a2 = post_comment(client, "A2", parent=a["id"])
    a1y = post_comment(client, "A1y", parent=a1["id"])
    assert (a1["parent"], a1["depth"], a1x["depth"]) == (a["id"], 1, 2)
    view = thread(client)
    assert view["thread"]["count"] == 6
    assert view["thread"]["title"] == "A post"
    # Each conversation: its root, then replies depth-first, oldest first.
    assert ids(view) == [a["id"], a1["id"], a1x["id"], a1y["id"], a2["id"], b["id"]]
    parents = {c["id"]: (c["parent"], c["depth"]) for c in view["comments"]}
    assert parents == {
        a["id"]: (None, 0),
        a1["id"]: (a["id"], 1),
        a1x["id"]: (a1["id"], 2),
        a1y["id"]: (a1["id"], 2),
        a2["id"]: (a["id"], 1),
        b["id"]: (None, 0),
    }


def test_deep_nesting_is_stored_at_any_depth(client: TestClient[Any]) -> None:
    parent = None
    chain = []
    for i in range(12):
        made = post_comment(client, f"level {i}", parent=parent)
        chain.append(made["id"])
        parent = made["id"]
    view = thread(client)
    assert ids(view) == chain
    assert [c["depth"] for c in view["comments"]] == list(range(12))


def test_sort_oldest_newest_top(client: TestClient[Any]) -> None:
    first = post_comment(client, "first")
    second = post_comment(client, "second")
    reply_a = post_comment(client, "reply a", parent=first["id"])
    third = post_comment(client, "third")
    reply_b = post_comment(client, "reply b", parent=first["id"])
    like(client, second["id"], 3)
    like(client, third["id"], 1)
    like(client, reply_b["id"], 4)  # reply likes do not move their conversation
    conversation = [first["id"], reply_a["id"], reply_b["id"]]
    oldest = thread(client, sort="oldest")
    assert ids(oldest) == [*conversation, second["id"], third["id"]]
    assert oldest["sort"] == "oldest"
    newest = thread(client, sort="newest")
    assert ids(newest) == [third["id"], second["id"], *conversation]  # replies stay chronological
    top = thread(client, sort="top")
    assert ids(top) == [second["id"], third["id"], *conversation]
    assert [c["likes"] for c in top["comments"]] == [3, 1, 0, 0, 4]
    assert ids(thread(client)) == ids(oldest)  # oldest is the default


def test_pages_hold_whole_conversations(client: TestClient[Any]) -> None:
    roots = []
    replies = {}
    for i in range(5):
        root = post_comment(client, f"root {i}")
        roots.append(root["id"])
        replies[root["id"]] = post_comment(client, f"reply {i}", parent=root["id"])["id"]
    page1 = thread(client, limit=2)
    assert page1["page"] == {"number": 1, "size": 2, "pages": 3, "roots": 5}
    assert ids(page1) == [roots[0], replies[roots[0]], roots[1], replies[roots[1]]]
    page3 = thread(client, limit=2, page=3)
    assert page3["page"] == {"number": 3, "size": 2, "pages": 3, "roots": 5}
    assert ids(page3) == [roots[4], replies[roots[4]]]
    assert page3["thread"]["count"] == 10  # the count is the whole thread's, on every page
    beyond = thread(client, limit=2, page=4)
    assert beyond["comments"] == [] and beyond["page"]["pages"] == 3
    newest = thread(client, limit=2, sort="newest")
    assert ids(newest) == [roots[4], replies[roots[4]], roots[3], replies[roots[3]]]
    every = [c for n in (1, 2, 3) for c in ids(thread(client, limit=2, page=n))]
    assert sorted(every) == sorted(roots + list(replies.values()))
    # The configured page size is the default limit.
    assert thread(client)["page"]["size"] == 50


def test_page_of_a_comment(client: TestClient[Any]) -> None:
    made = []
    for i in range(5):
        root = post_comment(client, f"root {i}")
        made.append((root, post_comment(client, f"reply {i}", parent=root["id"])))
    last_reply = made[4][1]
    response = client.get(f"/api/comments/{last_reply['id']}/page", params={"limit": 2})
    assert response.status_code == 200
    assert response.json() == {
        "id": last_reply["id"],
        "url": ARTICLE,
        "key": None,
        "page": 3,
        "root": made[4][0]["id"],
        "reply_offset": 0,
    }
    top = client.get(f"/api/comments/{made[4][0]['id']}/page", params={"limit": 2}).json()
    assert (top["root"], top["reply_offset"]) == (made[4][0]["id"], None)
    located = client.get(f"/api/comments/{last_reply['id']}/page", params={"limit": 2, "sort": "newest"})
    assert located.json()["page"] == 1
    assert client.get(f"/api/comments/{made[2][0]['id']}/page", params={"limit": 2}).json()["page"] == 2
    assert client.get(f"/api/comments/{made[0][0]['id']}/page").json()["page"] == 1
    # The page it names really shows the comment.
    page = thread(client, limit=2, page=3)
    assert last_reply["id"] in ids(page)
    # A deleted leaf is on no page.
    delete(client, last_reply)
    gone = client.get(f"/api/comments/{last_reply['id']}/page")
    assert gone.status_code == 404
    assert gone.json()["code"] == "comment-not-found"


def test_deleted_comment_with_replies_stays_as_a_placeholder(client: TestClient[Any]) -> None:
    root = post_comment(
        client, "Root, to be deleted", author={"name": "Ann", "website": "https://ann.example/"}
    )
    reply = post_comment(client, "Reply", parent=root["id"])
    other = post_comment(client, "Other root")
    like(client, root["id"], 2)
    delete(client, root)
    view = thread(client)
    assert view["thread"]["count"] == 2  # the placeholder is not counted
    assert ids(view) == [root["id"], reply["id"], other["id"]]
    placeholder = view["comments"][0]
    assert placeholder["deleted"] is True
    assert placeholder["status"] == "deleted"
    assert placeholder["text"] == "" and placeholder["html"] == ""
    assert placeholder["author"] == {"name": "", "website": None, "avatar": ""}
    assert placeholder["parent"] is None
    assert view["comments"][1]["parent"] == root["id"]  # the tree stays whole
    assert client.get("/api/counts", params={"url": ARTICLE}).json()["counts"][ARTICLE]["comments"] == 2
    # Once its last reply goes too, the placeholder has nothing to hold up and disappears.
    delete(client, reply)
    view = thread(client)
    assert ids(view) == [other["id"]]
    assert view["thread"]["count"] == 1


def test_deleted_chain_keeps_only_placeholders_that_hold_a_visible_reply(client: TestClient[Any]) -> None:
    a = post_comment(client, "a")
    b = post_comment(client, "b", parent=a["id"])
    c = post_comment(client, "c", parent=b["id"])
    d = post_comment(client, "d", parent=a["id"])
    delete(client, a)
    delete(client, b)
    delete(client, d)
    view = thread(client)
    assert ids(view) == [a["id"], b["id"], c["id"]]
    assert [x["deleted"] for x in view["comments"]] == [True, True, False]
    assert view["thread"]["count"] == 1


def test_thread_key_survives_a_url_change(client: TestClient[Any]) -> None:
    old_url = "https://blog.example/2026/11/draft-title"
    new_url = "https://blog.example/2026/11/final-title"
    first = post_comment(client, "Before the move", url=old_url, key="post-42", title="Draft")
    second = post_comment(client, "After the move", url=new_url, key="post-42", title="Final")
    by_key = thread(client, url=new_url, key="post-42")
    assert ids(by_key) == [first["id"], second["id"]]
    assert by_key["thread"]["key"] == "post-42"
    assert by_key["thread"]["title"] == "Final"
    assert by_key["thread"]["count"] == 2
    assert ids(thread(client, url=None, key="post-42", site="blog")) == ids(by_key)
    # Another key on the same URL is another discussion.
    other = post_comment(client, "Another thread", url=new_url, key="post-43")
    assert ids(thread(client, url=new_url, key="post-43")) == [other["id"]]


def test_url_normalisation_finds_one_thread(client: TestClient[Any]) -> None:
    messy = "HTTPS://Blog.Example:443/2026/11/a-post?utm_source=rss&b=2&a=1&fbclid=XYZ&gclid=1#comments"
    made = post_comment(client, "Hello", url=messy)
    canonical = "https://blog.example/2026/11/a-post?b=2&a=1"
    for variant in (
        canonical,
        "https://blog.example/2026/11/a-post?b=2&a=1#other",
        "https://BLOG.EXAMPLE/2026/11/a-post?b=2&utm_medium=email&a=1",
        "https://blog.example:443/2026/11/a-post?b=2&a=1&UTM_Campaign=x",
    ):
        view = thread(client, url=variant)
        assert view["thread"]["url"] == canonical, variant
        assert ids(view) == [made["id"]], variant
    # The rest of the query is kept in order, and the path is case-sensitive: other threads.
    for different in (
        "https://blog.example/2026/11/a-post?a=1&b=2",
        "https://blog.example/2026/11/a-post",
        "https://blog.example/2026/11/A-Post?b=2&a=1",
    ):
        assert thread(client, url=different)["comments"] == [], different


def test_title_is_kept_and_updated(client: TestClient[Any]) -> None:
    post_comment(client, "No title yet")
    assert thread(client)["thread"]["title"] is None
    post_comment(client, "Now with one", title="  A   Post  ")
    assert thread(client)["thread"]["title"] == "A Post"
    post_comment(client, "Without a title again")
    assert thread(client)["thread"]["title"] == "A Post"


def test_the_thread_carries_the_site_settings_the_widget_needs(client: TestClient[Any]) -> None:
    assert thread(client)["site"] == {
        "name": "blog",
        "display_depth": 3,
        "allow_guests": True,
        "require_email": False,
        "commenting": True,
        # no [email] host here: the "Email me …" boxes are not offered
        "subscriptions": {"available": False, "replies": False, "thread": False},
        "reactions": [],  # none offered: the widget draws no reactions
        "like_button": True,
        # images in comments are off unless the site turns them on
        "images": {"enabled": False, "max_count": 4, "max_bytes": 5_000_000},
    }
    post_comment(client, "Cached now")
    first = client.get("/api/threads", params={"url": ARTICLE})
    again = client.get("/api/threads", params={"url": ARTICLE})  # served by the fast path
    assert again.content == first.content and again.json()["site"]["display_depth"] == 3
    gzipped = client.get("/api/threads", params={"url": ARTICLE}, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.json()["site"]["name"] == "blog"


def test_each_site_answers_with_its_own_settings(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN, "--display-depth", "6", "--require-email")
    run_cli(db_url, "site", "add", "news", "--origin", "https://news.example")
    with new_client(db_url) as client:
        blog = thread(client)["site"]
        news = thread(client, url="https://news.example/story")["site"]
    assert (blog["name"], blog["display_depth"], blog["require_email"]) == ("blog", 6, True)
    assert (news["name"], news["display_depth"], news["require_email"]) == ("news", 3, False)


def stored_thread_urls(db_url: str) -> list[str]:
    """Every thread URL as the database holds it (what the admin and exports show)."""

    async def read() -> list[str]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return [row.uri for row in (await conn.execute(sa.select(schema.threads.c.uri))).all()]
        finally:
            await engine.dispose()

    return asyncio.run(read())


SECRETS = {
    "code": "SplxlOBeZQQYbYS6WxSbIA",
    "state": "af0ifjsldkj",
    "access_token": "ya29.a0AfH6SMBx",
    "id_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    "refresh_token": "1//0gLx",
    "token": "reset-7f3a",
    "SessionID": "s-42",
    "api_key": "k-9",
}


def test_credential_parameters_never_reach_a_stored_thread(client: TestClient[Any], site_db: str) -> None:
    """A reader who lands on an article from a sign-in redirect must not publish its code, state or tokens
    in the thread's URL (the API's `thread.url`, the admin, exports)."""
    landed = f"{ARTICLE}?p=5&{urlencode(SECRETS)}&utm_source=rss"
    made = post_comment(client, "After signing in", url=landed)
    canonical = f"{ARTICLE}?p=5"
    view = thread(client, url=landed)
    assert view["thread"]["url"] == canonical and ids(view) == [made["id"]]
    assert ids(thread(client, url=canonical)) == [made["id"]]  # the same discussion as the clean URL
    located = client.get(f"/api/comments/{made['id']}/page").json()
    assert located["url"] == canonical
    counted = client.get("/api/counts", params={"url": [landed, canonical]}).json()["counts"]
    assert counted == {landed: {"comments": 1, "likes": 0}, canonical: {"comments": 1, "likes": 0}}
    assert stored_thread_urls(site_db) == [canonical]
    for value in SECRETS.values():
        assert value not in repr(view) and value not in repr(located)


def test_the_dropped_parameters_are_configurable(site_db: str) -> None:
    """A site whose article URLs really carry `state=` keeps it by leaving it out of the list."""
    only_tracking = {"drop_query_params": ["utm_*", "fbclid", "sid"]}
    with new_client(site_db, database={"auto_migrate": False}, comments=only_tracking) as client:
        url = f"{ARTICLE}?state=ny&sid=1&utm_medium=x&code=2"
        post_comment(client, "Where", url=url)
        assert thread(client, url=url)["thread"]["url"] == f"{ARTICLE}?state=ny&code=2"
    assert stored_thread_urls(site_db) == [f"{ARTICLE}?state=ny&code=2"]
