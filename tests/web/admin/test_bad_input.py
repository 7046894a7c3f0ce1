"""Bad input to /admin is a precise 4xx, never a 500: malformed forms, ids, numbers and paths."""

from __future__ import annotations

import pytest

from tests.fixtures.admin import HTML, Admin


@pytest.fixture
def signed(admin: Admin) -> Admin:
    admin.login()
    return admin


def test_malformed_forms(signed: Admin) -> None:
    comment = signed.post_comment("Target")
    path = f"/admin/comments/{comment['id']}"
    token = signed.csrf()
    cases = [
        (b"csrf=" + token.encode() + b"&action=\xff\xfe", "application/x-www-form-urlencoded", 400),
        (b"&".join([b"a=1"] * 500), "application/x-www-form-urlencoded", 400),
        (b'{"action": "approve"}', "application/json", 415),
        (b"csrf=" + token.encode() + b"&action=approve%00", "application/x-www-form-urlencoded", 422),
        (b"csrf=" + token.encode() + b"&action=" + b"a" * 50, "application/x-www-form-urlencoded", 422),
        (
            b"csrf=" + token.encode() + b"&action=reject&reason=%ED%A0%80",
            "application/x-www-form-urlencoded",
            400,
        ),
    ]
    for body, media, status in cases:
        response = signed.client.post(path, content=body, headers={**HTML, "Content-Type": media})
        assert response.status_code == status, (body[:40], response.status_code, response.text[:300])
    assert signed.status_of(comment["id"]) == "published"


def test_bad_numbers_ids_and_paths(signed: Admin) -> None:
    for data in (
        {"site": "blog", "ip": "10.0.0.1", "days": "-3"},
        {"site": "blog", "ip": "10.0.0.1", "days": "1e3"},
    ):
        assert signed.submit("/admin/bans", data).status_code == 422
    assert signed.submit("/admin/bans", {"site": "nope", "ip": "10.0.0.1"}).status_code == 404
    for path in ("/admin/threads/999999", "/admin/bans/999999/lift"):
        assert signed.submit(path, {"action": "close"}).status_code == 404, path
    for path, status in (("/admin/threads/abc", 404), ("/admin/bans/x/lift", 404)):
        assert signed.submit(path, {"action": "close"}).status_code == status, path
    for query, status in (
        ({"author": "a" * 65}, 422),
        ({"identity": "../etc"}, 422),
        ({"before": "x.1"}, 422),
        ({"thread": "-1"}, 400),
    ):
        response = signed.client.get("/admin/queue/approved", params=query, headers=HTML)
        assert response.status_code == status, (query, response.status_code)
    for query, status in (({"before": "x"}, 400), ({"site": "x" * 300}, 404)):
        response = signed.client.get("/admin/log", params=query, headers=HTML)
        assert response.status_code == status, (query, response.status_code)
    assert signed.client.get("/admin/static/secrets.txt").status_code == 404
    assert signed.client.get("/admin/static/admin.css").headers["content-type"].startswith("text/css")


def test_back_addresses_stay_on_admin_pages(signed: Admin) -> None:
    comment = signed.post_comment("Target")
    for back, expected in [
        ("https://evil.example/admin", "/admin?done=approve"),
        ("/admin/queue/approved?site=blog", "/admin/queue/approved?site=blog&done=approve"),
        ("/admin/queue/ü", "/admin?done=approve"),
        ("/admin\r\nSet-Cookie: x=1", "/admin?done=approve"),
    ]:
        response = signed.submit(f"/admin/comments/{comment['id']}", {"action": "pin", "back": back})
        assert response.headers["location"].replace("done=pin", "done=approve") == expected, back
