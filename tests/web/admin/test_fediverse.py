"""/admin/fediverse: an admin of every site lists, blocks and unblocks fediverse instances, with the CLI's
validation (a bare domain name; its subdomains are covered), each change in the moderation log; a
moderator, or an admin of one site, may not. A bad domain is a precise 422, never a 500."""

from __future__ import annotations

from rejoinder.moderation.rules import Role
from rejoinder.services.activitypub import blocks
from tests.fixtures.admin import HTML, Admin
from tests.fixtures.app import run_cli


def blocked(admin: Admin) -> list[tuple[str, str | None]]:
    async def go() -> list[tuple[str, str | None]]:
        return await blocks.blocked(admin.ctx)

    found: list[tuple[str, str | None]] = admin.run(go)
    return found


def test_an_admin_blocks_and_unblocks_an_instance(admin: Admin) -> None:
    admin.login()
    assert "No instance is blocked." in admin.page("/admin/fediverse").text
    r = admin.submit("/admin/fediverse/block", {"domain": " Spam.Example. ", "reason": "spam wave"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/fediverse?done=instance-block"
    assert blocked(admin) == [("spam.example", "spam wave")]
    page = admin.page("/admin/fediverse", done="instance-block").text
    assert "The instance is blocked." in page and "spam.example" in page and "spam wave" in page
    assert "admin:root" in page  # who blocked it
    again = admin.submit("/admin/fediverse/block", {"domain": "spam.example"})
    assert again.headers["location"] == "/admin/fediverse?done=instance-block-again"
    # international names are stored as the CLI stores them (IDNA)
    assert admin.submit("/admin/fediverse/block", {"domain": "bücher.example"}).status_code == 303
    assert [d for d, _ in blocked(admin)] == ["spam.example", "xn--bcher-kva.example"]

    r = admin.submit("/admin/fediverse/unblock", {"domain": "spam.example"})
    assert r.headers["location"] == "/admin/fediverse?done=instance-unblock"
    assert [d for d, _ in blocked(admin)] == ["xn--bcher-kva.example"]
    none = admin.submit("/admin/fediverse/unblock", {"domain": "spam.example"})
    assert none.headers["location"] == "/admin/fediverse?done=instance-unblock-none"

    logged = [(e["action"], e["target_id"], e["actor"], e["note"]) for e in admin.log()]
    assert logged[:3] == [
        ("instance-unblock", "spam.example", "admin:root", None),
        ("instance-block", "xn--bcher-kva.example", "admin:root", None),
        ("instance-block", "spam.example", "admin:root", "spam wave"),
    ]
    assert "instance-block" in admin.page("/admin/log").text


def test_the_cli_and_the_page_share_one_list(admin: Admin, db_url: str) -> None:
    run_cli(db_url, "activitypub", "block", "cli.example", "--reason", "from the shell")
    admin.login()
    page = admin.page("/admin/fediverse").text
    assert "cli.example" in page and "from the shell" in page
    assert [(e["action"], e["actor"]) for e in admin.log()][:1] == [("instance-block", "cli")]


def test_bad_domains_are_refused_precisely(admin: Admin) -> None:
    admin.login()
    for bad in ("", "https://spam.example/", "spam.example:443", "two words.example", "x" * 260, "a..b"):
        r = admin.client.post(
            "/admin/fediverse/block",
            data={"csrf": admin.csrf(), "domain": bad},
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        assert r.status_code == 422, (bad, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] in ("domain-invalid", "field-invalid"), r.text
    assert blocked(admin) == []


def test_only_an_admin_of_every_site_may(admin: Admin) -> None:
    admin.moderator("blog")
    assert admin.client.get("/admin/fediverse", headers=HTML).status_code == 403
    assert admin.submit("/admin/fediverse/block", {"domain": "spam.example"}).status_code == 403
    admin.client.cookies.clear()
    admin.moderator("blog", role=Role.ADMIN, subject="blog-admin")
    assert admin.submit("/admin/fediverse/block", {"domain": "spam.example"}).status_code == 403
    assert "/admin/fediverse" not in admin.page("/admin").text
    assert blocked(admin) == []
