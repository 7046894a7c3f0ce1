"""Bounded thread responses (issue #10, defect 3): one comment with 3,000 replies. GET /api/threads shows at
most `comments.replies_per_page` replies of a conversation and 1,000 comments in all; the rest comes in
batches from GET /api/comments/{id}/replies (cached, invalidated by a new reply); permalinks reach replies
beyond the cut; the no-JS page is bounded the same way and its "Show N more replies" links reach every
reply."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import threads as thread_store
from tests.fixtures.app import ARTICLE, new_client, post_comment
from tests.web.test_pages import submit, the_form

REPLIES = 3000
# In each block of ten replies, the tenth answers the fifth, so display order (depth-first) is not the order
# the replies were written in: 0 1 2 3 4 9 5 6 7 8.
BLOCK = (0, 1, 2, 3, 4, 9, 5, 6, 7, 8)


def reply_id(i: int) -> str:
    return f"reply{i:07d}"


DISPLAY = [reply_id(10 * k + j) for k in range(REPLIES // 10) for j in BLOCK]


def seed_replies(db_url: str, root_id: str, count: int = REPLIES) -> None:
    """`count` published replies to `root_id`, written through the store in one transaction (3,000 HTTP
    posts would take minutes)."""

    async def go() -> None:
        engine = store_engine.create_engine(db_url)
        try:
            async with store_engine.write(engine) as conn:
                found = await comment_store.select_comment(conn, root_id)
                assert found is not None
                root = found[0]
                for i in range(count):
                    nested = i % 10 == 9
                    await comment_store.insert_comment(
                        conn,
                        Comment(
                            id=reply_id(i),
                            thread_id=root.thread_id,
                            parent=reply_id(i - 5) if nested else root.id,
                            text=f"Reply number {i}",
                            html=f"<p>Reply number {i}</p>",
                            author=Author(name=f"Replier {i}", email=None, website=None, key="k" * 24),
                            status=CommentStatus.PUBLISHED,
                            created=root.created + i + 1,
                            edited=None,
                            likes=0,
                            depth=2 if nested else 1,
                        ),
                        visitor_hash=None,
                        edit_token_hash=None,
                        ip=None,
                    )
                await thread_store.add_to_thread_counts(conn, root.thread_id, comments=count)
        finally:
            await engine.dispose()

    asyncio.run(go())


@pytest.fixture
def big(client: TestClient[Any], site_db: str) -> dict[str, str]:
    """A thread whose first comment has 3,000 replies, then a second top-level comment."""
    root = post_comment(client, "The comment everyone answers", title="A busy post")
    seed_replies(site_db, root["id"])
    other = post_comment(client, "A second top-level comment")
    return {"root": root["id"], "other": other["id"]}


def get_json(client: TestClient[Any], path: str, **params: Any) -> Any:
    response = client.get(path, params=params, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, response.text
    return response.json()


def replies(client: TestClient[Any], root: str, **params: Any) -> Any:
    return get_json(client, f"/api/comments/{root}/replies", **params)


def test_a_thread_page_holds_at_most_replies_per_page_of_a_conversation(
    client: TestClient[Any], big: dict[str, str]
) -> None:
    response = client.get(
        "/api/threads", params={"url": ARTICLE, "limit": 1}, headers={"Accept-Encoding": "identity"}
    )
    assert response.status_code == 200
    body = response.json()
    # 1,000,000+ bytes before the bound; now the root and 100 replies of ~400 bytes each (each names its
    # reactions and whether a moderator edited it).
    assert 25_000 < len(response.content) < 45_000, len(response.content)
    comments = body["comments"]
    assert len(comments) == 101
    assert comments[0]["id"] == big["root"] and comments[0]["more_replies"] == 2900
    assert [c["id"] for c in comments[1:]] == DISPLAY[:100]
    assert all("more_replies" not in c for c in comments[1:])  # replies are unchanged comment objects
    assert body["thread"]["count"] == 3002 and body["page"] == {
        "number": 1,
        "size": 1,
        "pages": 2,
        "roots": 2,
    }
    # every top-level comment has the field, 0 when nothing is left out
    second = get_json(client, "/api/threads", url=ARTICLE, limit=1, page=2)["comments"]
    assert [(c["id"], c["more_replies"]) for c in second] == [(big["other"], 0)]
    both = get_json(client, "/api/threads", url=ARTICLE, limit=2)["comments"]
    assert len(both) == 102 and (both[-1]["id"], both[-1]["more_replies"]) == (big["other"], 0)


def test_a_page_holds_at_most_1000_comments_whatever_the_settings(
    site_db: str, client: TestClient[Any], big: dict[str, str]
) -> None:
    with new_client(site_db, comments={"replies_per_page": 1000}) as wide:
        response = wide.get(
            "/api/threads", params={"url": ARTICLE, "limit": 1000}, headers={"Accept-Encoding": "identity"}
        )
        comments = response.json()["comments"]
        assert len(comments) == 1000  # two roots, and the 998 replies left after them
        assert comments[0]["more_replies"] == 3000 - 998
        assert [c["id"] for c in comments[1:999]] == DISPLAY[:998]
        assert (comments[999]["id"], comments[999]["more_replies"]) == (big["other"], 0)
        assert len(response.content) < 450_000
        too_many = wide.get(f"/api/comments/{big['root']}/replies", params={"limit": 1001})
        assert too_many.status_code == 400


def test_following_batches_yields_every_reply_once_in_order(
    client: TestClient[Any], big: dict[str, str]
) -> None:
    first = get_json(client, "/api/threads", url=ARTICLE, limit=1)["comments"]
    have = [c["id"] for c in first[1:]]
    more = first[0]["more_replies"]
    requests = 0
    while more:
        batch = replies(client, big["root"], offset=len(have))
        requests += 1
        assert 0 < len(batch["comments"]) <= 100
        assert batch["more"] == more - len(batch["comments"])
        have += [c["id"] for c in batch["comments"]]
        more = batch["more"]
    assert requests == 29
    assert have == DISPLAY and len(set(have)) == REPLIES
    # The same comment objects as the thread read, with their parent ids (the nested ones answer a reply).
    again = replies(client, big["root"])
    assert again["comments"] == first[1:] and again["more"] == 2900
    small = replies(client, big["root"], offset=5, limit=7)
    assert [c["id"] for c in small["comments"]] == DISPLAY[5:12] and small["more"] == REPLIES - 12
    assert small["comments"][0]["parent"] == reply_id(4) and small["comments"][0]["depth"] == 2
    assert small["comments"][1]["parent"] == big["root"]
    assert replies(client, big["root"], offset=REPLIES) == {"comments": [], "more": 0, "reactions": {}}
    assert replies(client, big["other"]) == {"comments": [], "more": 0, "reactions": {}}


def test_a_new_reply_invalidates_the_cached_batch(client: TestClient[Any], big: dict[str, str]) -> None:
    path = f"/api/comments/{big['root']}/replies"
    last = client.get(path, params={"offset": 2950})
    assert last.status_code == 200 and last.json()["more"] == 0 and len(last.json()["comments"]) == 50
    thread = client.get("/api/threads", params={"url": ARTICLE, "limit": 1})
    # cacheable like the thread read: same Cache-Control, an ETag, CORS for any origin
    assert last.headers["cache-control"] == thread.headers["cache-control"]
    assert last.headers["access-control-allow-origin"] == "*"
    etag = last.headers["etag"]
    assert client.get(path, params={"offset": 2950}, headers={"If-None-Match": etag}).status_code == 304
    new = post_comment(client, "A late reply", parent=big["root"])
    after = client.get(path, params={"offset": 2950}, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert after.json()["more"] == 0 and [c["id"] for c in after.json()["comments"]][-1] == new["id"]
    assert len(after.json()["comments"]) == 51
    head = get_json(client, "/api/threads", url=ARTICLE, limit=1)["comments"][0]
    assert head["more_replies"] == 2901


def test_a_permalink_reaches_reply_2500(client: TestClient[Any], big: dict[str, str]) -> None:
    target = DISPLAY[2499]
    assert target not in [c["id"] for c in get_json(client, "/api/threads", url=ARTICLE)["comments"]]
    found = get_json(client, f"/api/comments/{target}/page")
    assert found == {
        "id": target,
        "url": ARTICLE,
        "key": None,
        "page": 1,
        "root": big["root"],
        "reply_offset": 2499,
    }
    batch = replies(client, found["root"], offset=found["reply_offset"], limit=1)
    assert [c["id"] for c in batch["comments"]] == [target] and batch["more"] == 500
    # or the batches that continue the page: the one from offset 2400 holds it
    aligned = replies(client, found["root"], offset=2400)
    assert [c["id"] for c in aligned["comments"]].index(target) == 99
    assert get_json(client, f"/api/comments/{big['root']}/page")["reply_offset"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": -1}, "offset"),
        ({"offset": "ten"}, "offset"),
        ({"offset": 1_000_001}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "all"}, "limit"),
    ],
)
def test_bad_offset_or_limit_is_a_400_problem(
    client: TestClient[Any], params: dict[str, Any], field: str
) -> None:
    root = post_comment(client, "root")
    response = client.get(f"/api/comments/{root['id']}/replies", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "invalid-request" and problem["status"] == 400
    assert [e["field"] for e in problem["errors"]] == [field]


def test_unknown_held_and_reply_ids_are_the_same_404(client: TestClient[Any], site_db: str) -> None:
    root = post_comment(client, "root")
    reply = post_comment(client, "reply", parent=root["id"])
    with new_client(site_db, moderation={"premoderation": "all"}) as holding:
        held = post_comment(holding, "held for a moderator")
    assert held["status"] == "pending"
    answers = []
    for unknown in ("nosuchcomment", reply["id"], held["id"], "x" * 300):
        response = client.get(f"/api/comments/{unknown}/replies")
        assert response.status_code == 404, unknown
        problem = response.json()
        answers.append((problem["code"], problem["detail"]))
        located = client.get(f"/api/comments/{unknown}/page")
        if unknown != reply["id"]:
            assert located.status_code == 404 and located.json()["detail"] == problem["detail"]
    assert set(answers) == {("comment-not-found", "There is no comment with this id")}
    # an id that cannot be one (a NUL, refused by PostgreSQL) is a field error, as for /page
    for route in ("replies", "page"):
        assert client.get(f"/api/comments/%00/{route}").status_code == 422


def test_the_openapi_document_describes_the_route_and_more_replies(client: TestClient[Any]) -> None:
    doc = client.get("/api/openapi.json").json()
    operation = doc["paths"]["/api/comments/{comment_id}/replies"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"comment_id", "offset", "limit"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    schemas = doc["components"]["schemas"]
    replies_schema = schemas[ok["$ref"].rsplit("/", 1)[1]]
    assert set(replies_schema["required"]) == {"comments", "more", "reactions"}
    top = next(s for name, s in schemas.items() if name.endswith("TopLevelCommentOut"))
    assert "more_replies" in top["properties"] and "more_replies" not in top["required"]
    located = next(s for name, s in schemas.items() if name.endswith("LocateOut"))
    assert {"root", "reply_offset"} <= set(located["properties"])


# --- the no-JS page ------------------------------------------------------------------------------------

ARTICLE_ID = re.compile(r'<article class="rj-comment[^"]*" id="comment-([^"]+)"')
MORE = re.compile(r'<p class="rj-more-replies[^"]*"><a href="([^"]+)">Show ([\d,]+) more repl(?:y|ies)</a>')


def page(client: TestClient[Any], url: str) -> str:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return response.text


def test_the_no_js_page_is_bounded_and_its_links_reach_every_reply(
    client: TestClient[Any], big: dict[str, str]
) -> None:
    first = page(client, f"/thread?url={ARTICLE}")
    assert len(first) < 250_000, len(first)  # 2.2 MB before the bound
    shown = ARTICLE_ID.findall(first)
    assert shown == [big["root"], *DISPLAY[:100], big["other"]]
    links = MORE.findall(first)
    assert [n for _, n in links] == ["2,900"]
    have = shown[1:101]
    href = html.unescape(links[0][0])
    visited = 0
    while href:
        assert href.startswith("/thread?") and f"replies={big['root']}" in href
        body = page(client, href)
        visited += 1
        assert len(body) < 150_000
        ids = ARTICLE_ID.findall(body)
        assert ids[0] == big["root"] and len(ids) <= 101  # the conversation's top-level comment, then a batch
        have += ids[1:]
        assert "Back to the discussion" in body
        more = MORE.findall(body)
        href = html.unescape(more[0][0]) if more else ""
    assert visited == 29
    assert have == DISPLAY


def test_the_no_js_links_to_more_replies_speak_the_pages_language(
    client: TestClient[Any], big: dict[str, str]
) -> None:
    """ "Show N more replies", "Back to the discussion" and "Show earlier replies" come from the locale
    files (Polish plural `many` here), and the links keep `lang`."""
    first = page(client, f"/thread?url={ARTICLE}&lang=pl")
    found = re.findall(r'<p class="rj-more-replies[^"]*"><a href="([^"]+)">([^<]+)</a>', first)
    assert len(found) == 1 and "Show" not in found[0][1]
    href, text = html.unescape(found[0][0]), found[0][1]
    assert re.fullmatch(r"Pokaż jeszcze 2\D?900 odpowiedzi", text), text
    assert "lang=pl" in href
    batch = page(client, href)
    assert "Wróć do dyskusji" in batch and "Pokaż wcześniejsze odpowiedzi" in batch
    assert 'aria-label="Odpowiedzi"' in batch and "Back to the discussion" not in batch
    arabic = page(client, f"/thread?url={ARTICLE}&lang=ar")
    assert "عرض 2" in arabic and "Show" not in arabic.split('class="rj-more-replies')[1][:300]


def test_a_no_js_reply_beyond_the_cut_lands_on_its_batch(
    client: TestClient[Any], big: dict[str, str]
) -> None:
    target = DISPLAY[2499]
    fields = {**the_form(page(client, f"/thread?url={ARTICLE}")), "parent": target}
    answered = submit(client, fields, text="Answering number 2,500", name="Nora")
    assert answered.status_code == 303, answered.text
    # The new reply is reply 2,501 in display order (right under the one it answers): the 303 leads to the
    # batch that holds it, the one the chain of "Show more" links from the page reaches (100 + 24 x 100).
    location = answered.headers["location"]
    assert f"replies={big['root']}" in location and "offset=2500" in location
    landed = page(client, location.split("#")[0])
    new_id = location.rsplit("#comment-", 1)[1]
    assert ARTICLE_ID.findall(landed)[:2] == [big["root"], new_id]
    # A refused post comes back on the same batch, with the form under the comment answered.
    refused = submit(client, fields, text="", name="Nora")
    assert refused.status_code == 422
    assert target in ARTICLE_ID.findall(refused.text) and 'id="reply"' in refused.text
    assert f'name="parent" value="{target}"' in refused.text
    # the fragment for static sites is bounded too; its link is built from server.public_url only (defect 8:
    # never from the Host header), so with none configured, as here, it is a path on rejoinder's origin
    fragment = client.get("/thread/fragment", params={"url": ARTICLE})
    assert len(ARTICLE_ID.findall(fragment.text)) == 102
    (more_href, count), *_ = MORE.findall(fragment.text)
    assert count == "2,901" and html.unescape(more_href).startswith("/thread?url=")
