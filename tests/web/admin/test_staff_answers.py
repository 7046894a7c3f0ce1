"""A moderator's own comment is `staff: true` in the answer to its POST and to its edit, as every read
says; a reader's is `staff: false` everywhere."""

from __future__ import annotations

from typing import Any

from rejoinder.domain.identity import Profile
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts
from tests.fixtures.admin import Admin
from tests.fixtures.app import ARTICLE, ORIGIN


def signed_in(admin: Admin, subject: str, role: Role | None) -> tuple[str, dict[str, str]]:
    profile = Profile(provider="test", subject=subject, name=subject.title())

    async def go() -> accounts.Outcome:
        return await accounts.sign_in_with_profile(admin.ctx, profile, label="Test")

    outcome: accounts.Outcome = admin.run(go)
    assert outcome.identity is not None and outcome.token
    if role is not None:
        admin.grant(outcome.identity.id, role, "blog")
    return outcome.identity.id, {"Authorization": f"Bearer {outcome.token}", "Origin": ORIGIN}


def read(admin: Admin, comment_id: str) -> dict[str, Any]:
    thread = admin.client.get("/api/threads", params={"url": ARTICLE}).json()
    [found] = [c for c in thread["comments"] if c["id"] == comment_id]
    return dict(found)


def test_the_answers_to_post_and_edit_say_staff_as_the_read_does(admin: Admin) -> None:
    for role, staff in ((Role.MODERATOR, True), (Role.ADMIN, True), (None, False)):
        _, headers = signed_in(admin, f"writer-{role.value if role else 'reader'}", role)
        posted = admin.client.post(
            "/api/comments", json={"url": ARTICLE, "text": "My own words"}, headers=headers
        )
        assert posted.status_code == 201, posted.text
        body = posted.json()
        assert body["staff"] is staff, (role, body)
        assert read(admin, body["id"])["staff"] is staff
        edited = admin.client.patch(
            f"/api/comments/{body['id']}",
            json={"text": "My own words, edited"},
            headers={**headers, "Rejoinder-Edit-Token": body["edit_token"]},
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["staff"] is staff, (role, edited.json())
        after = read(admin, body["id"])
        assert after["staff"] is staff and after["text"] == "My own words, edited"
        # The answer and the read agree on every field they share, not only on staff (the read of a top-level
        # comment also says how many replies its page left out: none).
        assert after.pop("more_replies") == 0
        assert {k: v for k, v in edited.json().items()} == after
