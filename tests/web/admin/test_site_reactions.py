"""A site's reactions chosen in /admin → Sites: stored in the site's options, sent with every thread read at
once, at most six of the catalogue, and the Like button kept or replaced."""

from __future__ import annotations

from typing import Any

from tests.fixtures.admin import Admin
from tests.fixtures.app import ARTICLE

BASE = {"part": "settings", "commenting": "on", "allow_guests": "on", "display_depth": "3"}


def site_settings(admin: Admin) -> Any:
    response = admin.client.get("/api/threads", params={"url": ARTICLE})
    assert response.status_code == 200, response.text
    return response.json()["site"]


def test_reactions_are_chosen_per_site_in_admin(admin: Admin) -> None:
    admin.login()
    assert "Reactions (at most six)" in admin.page("/admin/sites/blog").text
    assert site_settings(admin)["reactions"] == []
    chosen = {**BASE, "reactions": ["party", "love"]}  # no like_button: the reactions replace Like
    assert admin.submit("/admin/sites/blog", chosen).status_code == 303
    site = site_settings(admin)
    assert [r["kind"] for r in site["reactions"]] == ["party", "love"]
    assert site["like_button"] is False

    async def options() -> Any:
        found = await admin.ctx.sites.by_name("blog")
        assert found is not None
        return found.options

    stored = admin.run(options)
    assert stored.reactions == ("party", "love") and stored.like_button is False
    seven = {**BASE, "reactions": ["like", "love", "laugh", "wow", "sad", "angry", "clap"]}
    assert admin.submit("/admin/sites/blog", seven).status_code == 422
    assert admin.submit("/admin/sites/blog", {**BASE, "reactions": ["shrug"]}).status_code == 422
    assert admin.run(options).reactions == ("party", "love")  # refused changes change nothing
    kept = {**BASE, "reactions": ["clap"], "like_button": "on"}
    assert admin.submit("/admin/sites/blog", kept).status_code == 303
    assert site_settings(admin)["like_button"] is True
