"""Every form of /admin carries a CSRF token tied to the session: a POST without it, with a wrong one,
with another session's, or from another origin is refused with 403 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from rejoinder.moderation.rules import Role
from tests.fixtures.admin import HTML, Admin, csrf_of


def forms(admin: Admin) -> list[tuple[str, dict[str, Any]]]:
    """(path, valid fields without csrf) for every POST form a signed-in moderator has."""
    comment = admin.post_comment("Check me")
    other = admin.post_comment("Reply to me")
    return [
        (f"/admin/comments/{comment['id']}", {"action": "approve", "back": "/admin"}),
        ("/admin/bulk", {"action": "spam", "ids": comment["id"], "back": "/admin"}),
        (f"/admin/comments/{other['id']}/reply", {"text": "Staff here", "back": "/admin"}),
        ("/admin/threads/1", {"action": "close", "back": "/admin"}),
        ("/admin/bans", {"site": "blog", "ip": "203.0.113.7", "back": "/admin"}),
        ("/admin/bans/1/lift", {"back": "/admin"}),
        ("/admin/sites", {"name": "third", "origins": "https://third.example"}),
        ("/admin/sites/blog", {"part": "origins", "add": "https://other.example"}),
        (
            "/admin/users",
            {"action": "grant", "who": "nobody@example.org", "role": "moderator", "site": "blog"},
        ),
        ("/admin/logout", {}),
    ]


@pytest.mark.parametrize(
    "attack", ["missing", "wrong", "other-session", "other-origin"], ids=lambda a: str(a)
)
def test_every_form_refuses_a_bad_csrf_token(admin: Admin, attack: str) -> None:
    admin.login()
    good = admin.csrf()
    other = good
    if attack == "other-session":  # a second sign-in of the same account has its own token
        saved = admin.client.cookies.get("rejoinder-admin")
        assert saved
        admin.client.cookies.clear()
        admin.login()
        other = admin.csrf()
        admin.client.cookies.set("rejoinder-admin", saved)
        assert other != good
    before = admin.log()
    for path, data in forms(admin):
        headers = dict(HTML)
        body = dict(data)
        if attack == "wrong":
            body["csrf"] = "A" * len(good)
        elif attack == "other-session":
            body["csrf"] = other
        elif attack == "other-origin":
            body["csrf"] = good
            headers["Origin"] = "https://evil.example"
        response = admin.client.post(path, data=body, headers=headers, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code, response.text[:300])
        assert "csrf-invalid" in response.text
    assert admin.log() == before  # nothing was decided
    assert admin.client.get("/admin", headers=HTML).status_code == 200  # and the session still works


def test_the_same_forms_work_with_the_token(admin: Admin) -> None:
    """The control for the test above: the forms it sends are accepted with a good token."""
    admin.login()
    for path, data in forms(admin):
        if path == "/admin/logout":
            continue
        response = admin.submit(path, data)
        # Past the token, each form does its work; granting a role to an address no one signed in with is
        # refused for that reason (identity-not-found), not for the token.
        status = 404 if path == "/admin/users" else 303
        assert response.status_code == status, (path, response.status_code, response.text[:500])
    assert len(admin.log()) > 0  # the decisions were made and logged


def test_a_moderators_token_does_not_work_for_another_moderator(admin: Admin) -> None:
    admin.moderator("blog", subject="first")
    first_token = admin.csrf()
    admin.client.cookies.clear()
    admin.moderator("blog", Role.MODERATOR, subject="second")
    comment = admin.post_comment("Mine")
    response = admin.client.post(
        f"/admin/comments/{comment['id']}",
        data={"csrf": first_token, "action": "approve"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert admin.status_of(comment["id"]) == "published"
    assert csrf_of(admin.page("/admin").text) != first_token


def test_forms_must_be_urlencoded(admin: Admin) -> None:
    admin.login()
    comment = admin.post_comment("Mine")
    response = admin.client.post(
        f"/admin/comments/{comment['id']}", json={"csrf": admin.csrf(), "action": "approve"}
    )
    assert response.status_code == 415
    assert admin.status_of(comment["id"]) == "published"
