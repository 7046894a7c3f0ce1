"""web/openapi.py: the served OpenAPI document says what the server sends: every error is
application/problem+json with the Problem schema, a 204 has no content, an avatar is an image, and a posted
comment links to the operations that take its id and edit token. tests/test_api_fuzz.py checks the live
answers against it; here the document itself, and real answers of each kind against it."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, ORIGIN, post_comment

METHODS = {"get", "put", "post", "delete", "patch"}
PROBLEM = "application/problem+json"


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def validator(doc: dict[str, Any], ref: str) -> jsonschema_rs.Draft202012Validator:
    """A validator of `ref` (e.g. #/components/schemas/Problem) that resolves the document's $refs."""
    return jsonschema_rs.Draft202012Validator({"$ref": ref, "components": doc["components"]})


def test_every_error_response_is_a_problem(client: TestClient[Any]) -> None:
    doc = client.get("/api/openapi.json").json()
    ops = operations(doc)
    assert len(ops) >= 20
    for path, method, op in ops:
        responses = op["responses"]
        assert {"4XX", "5XX"} <= responses.keys(), (method, path)
        for status, response in responses.items():
            content = response.get("content")
            if status[0] in "45":
                assert content == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}, (
                    method,
                    path,
                    status,
                )
            elif status == "204":
                assert content is None, (method, path)
            else:
                assert PROBLEM not in (content or {}), (method, path, status)
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    # No Litestar-shaped error object ({status_code, detail, extra}) is left anywhere.
    assert '"status_code"' not in json.dumps(doc)


def test_every_copy_of_the_document_is_the_corrected_one(client: TestClient[Any]) -> None:
    served = client.get("/api/openapi.json")
    assert served.headers["content-type"].startswith("application/json")
    doc = served.json()
    assert client.get("/api/docs/openapi.json").json() == doc
    page = client.get("/api/docs")
    assert page.status_code == 200
    # Swagger UI loads the served document (its page has no inline script: /api/docs/assets/init.js)
    assert '<script src="/api/docs/assets/init.js" defer></script>' in page.text
    init = client.get("/api/docs/assets/init.js")
    assert init.status_code == 200 and 'url: "/api/openapi.json"' in init.text


def test_real_error_answers_match_the_document(client: TestClient[Any]) -> None:
    doc = client.get("/api/openapi.json").json()
    check = validator(doc, "#/components/schemas/Problem")
    answers = [
        (client.post("/api/comments", content=b"[", headers={"Content-Type": "application/json"}), 400),
        (client.post("/api/comments", json={"text": "x"}), 422),
        (client.post("/api/comments", json={"url": ARTICLE, "text": ""}), 422),
        (client.get("/api/threads", params={"url": "javascript:alert(1)"}), 422),
        (client.get("/api/threads", params={"limit": "0", "url": ARTICLE}), 400),
        (client.patch("/api/comments/nope", json={"text": "x"}), 404),
        (client.get("/api/avatars/not-a-key"), 404),
        (client.get("/api/me"), 401),
    ]
    for answer, status in answers:
        assert answer.status_code == status, (answer.request.url, answer.text)
        assert answer.headers["content-type"] == PROBLEM, answer.headers
        check.validate(answer.json())


def test_a_posted_comment_links_to_its_edit_and_delete(client: TestClient[Any]) -> None:
    doc = client.get("/api/openapi.json").json()
    ids = {op["operationId"]: (path, method) for path, method, op in operations(doc)}
    links = doc["paths"]["/api/comments"]["post"]["responses"]["201"]["links"]
    assert ids[links["EditComment"]["operationId"]] == ("/api/comments/{comment_id}", "patch")
    assert ids[links["DeleteComment"]["operationId"]] == ("/api/comments/{comment_id}", "delete")
    for link in links.values():
        assert link["operationId"] in ids
    # Follow the delete link by hand: its expressions name what the 201 really holds.
    made = post_comment(client, "Linked")
    params = links["DeleteComment"]["parameters"]
    pointer = {k: re.sub(r"^\$response\.body#/", "", v) for k, v in params.items()}
    comment_id = made[pointer["path.comment_id"]]
    token = made[pointer["header.Rejoinder-Edit-Token"]]
    deleted = client.delete(f"/api/comments/{comment_id}", headers={"Rejoinder-Edit-Token": token})
    assert deleted.status_code == 204 and deleted.content == b""
    assert "content-type" not in deleted.headers or not deleted.content
    thread = client.get("/api/threads", params={"url": ARTICLE}).json()
    assert [c["id"] for c in thread["comments"]] == []


def test_an_avatar_is_documented_as_an_image(client: TestClient[Any]) -> None:
    doc = client.get("/api/openapi.json").json()
    ok = doc["paths"]["/api/avatars/{name}"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["image/*"]
    avatar = post_comment(client, "Face", author={"name": "Ann"})["author"]["avatar"]
    answer = client.get(avatar, headers={"Origin": ORIGIN})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/")
