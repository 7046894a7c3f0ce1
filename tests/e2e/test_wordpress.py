"""The WordPress plugin (integrations/wordpress/rejoinder/) in Debian's WordPress, served by PHP's built-in
server on the local MariaDB (tests/fixtures/wordpress.py), with a real `rejoinder serve`, in Chromium:
an administrator activates and configures the plugin, a guest comments through the widget, the front page
shows rejoinder's count, a page without JavaScript shows the server-rendered thread, a logged-in WordPress
user comments as themselves through publisher SSO (and logging out of WordPress logs out of the comments),
and "Import existing comments" gives a WXR file that `rejoinder import wxr` takes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.conftest import READY, relaxed_env
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.servers import Server, free_port, start_server
from tests.fixtures.wordpress import WordPress, require_wordpress, start_wordpress, stop_wordpress

pytestmark = pytest.mark.e2e

SSO_SECRET = "wordpress-and-rejoinder-share-this-secret-0123456789"
WHO = ".rj-auth > p:first-child"
NORA = {"login": "nora", "password": "nora-Reads-2026", "name": "Nora Reader"}
POSTS = [
    {"slug": "compost", "title": "The compost trial", "content": "Two bays, eight weeks, one trail camera."},
    {"slug": "tides", "title": "Tide tables", "content": "High water at the allotment's ditch."},
]
# Every page view asks rejoinder afresh (the plugin keeps answers 60 s by default), so that the test sees a
# comment's effect at once instead of waiting out the cache.
NO_CACHE = "<?php\nadd_filter( 'rejoinder_cache_seconds', '__return_zero' );\n"


@dataclass
class Blog:
    wp: WordPress
    rejoinder: Server
    db_path: Path
    tmp: Path

    def post_url(self, slug: str) -> str:
        return f"{self.wp.url}/{slug}/"

    def thread(self, url: str) -> dict[str, Any]:
        r = httpx.get(self.rejoinder.url + "/api/threads", params={"url": url})
        assert r.status_code == 200, r.text
        found: dict[str, Any] = r.json()
        return found

    def option(self, name: str) -> str:
        return self.wp.php(f"echo get_option( '{name}' );")


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    require_wordpress()
    tmp = tmp_path_factory.mktemp("wordpress")
    wp = start_wordpress(tmp, users=[NORA], posts=POSTS, mu_plugins={"rejoinder-test.php": NO_CACHE})
    try:
        db_path = tmp / "rejoinder.db"
        db_url = f"sqlite:///{db_path}"
        in_thread(run_cli, db_url, "site", "add", "blog", "--origin", wp.url)
        (tmp / "rejoinder.toml").write_text(
            '[auth.providers.wordpress]\npreset = "sso"\nlabel = "Allotment notes"\n'
            '[[auth.providers.wordpress.keys]]\nkid = "wp1"\nsecret_env = "REJOINDER_TEST_WP_SSO_SECRET"\n'
        )
        port = free_port()
        env = {
            **relaxed_env(),
            "REJOINDER_CONFIG": str(tmp / "rejoinder.toml"),
            "REJOINDER_TEST_WP_SSO_SECRET": SSO_SECRET,
            "REJOINDER_SERVER__PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        server = start_server(db_url, tmp, env=env, port=port)
        try:
            yield Blog(wp=wp, rejoinder=server, db_path=db_path, tmp=tmp)
        finally:
            server.stop()
    finally:
        stop_wordpress(wp)


def log_in(page: Any, blog: Blog, login: str, password: str, then: str | None = None) -> None:
    """WordPress's login form; `then`: the page it sends the user back to (else the dashboard)."""
    page.goto(blog.wp.url + "/wp-login.php" + (f"?redirect_to={quote(then, safe='')}" if then else ""))
    page.fill("#user_login", login)
    page.fill("#user_pass", password)
    page.click("#wp-submit")
    # Signed in once WordPress redirects: wait for that answer, not for every script of the dashboard to
    # load (dozens of files from `php -S`, which once took longer than the timeout in CI). The next steps
    # wait for what they use.
    page.wait_for_url(then or "**/wp-admin/**", wait_until="commit")


def test_the_plugin_in_wordpress(blog: Blog, browser_page: Any) -> None:
    admin = browser_page().page
    log_in(admin, blog, "admin", blog.wp.admin_password)

    # Activate: Plugins → "Activate" on the plugin's row.
    admin.goto(blog.wp.url + "/wp-admin/plugins.php")
    admin.get_by_role("link", name="Activate rejoinder comments").click()
    admin.wait_for_selector("tr.active[data-plugin='rejoinder/rejoinder.php']")
    assert json.loads(blog.wp.php("echo json_encode( get_option( 'active_plugins' ) );")) == [
        "rejoinder/rejoinder.php"
    ]

    # Configure: Settings → rejoinder.
    admin.goto(blog.wp.url + "/wp-admin/options-general.php?page=rejoinder")
    admin.fill("#rejoinder_url", "ftp://comments.example.org")  # hostile input is refused, with a reason
    admin.fill("#rejoinder_site", "blog<script>")
    admin.get_by_role("button", name="Save Changes").click()
    admin.get_by_text("The rejoinder URL must be an http or https address.").wait_for()
    admin.get_by_text("A site name has only letters, digits, dots, dashes and underscores.").wait_for()
    assert (blog.option("rejoinder_url"), blog.option("rejoinder_site")) == ("", "")
    admin.fill("#rejoinder_url", blog.rejoinder.url + "/")
    admin.fill("#rejoinder_site", "blog")
    admin.fill("#rejoinder_sso_secret", SSO_SECRET)
    admin.fill("#rejoinder_sso_kid", "wp1")
    admin.get_by_role("button", name="Save Changes").click()
    admin.get_by_text("Settings saved.").wait_for()
    assert "answers" in str(admin.text_content("#rejoinder-status"))
    assert admin.input_value("#rejoinder_sso_secret") == ""  # the secret is never shown again
    assert blog.option("rejoinder_url") == blog.rejoinder.url  # without the trailing slash
    assert blog.option("rejoinder_site") == "blog"
    assert blog.option("rejoinder_sso_secret") == SSO_SECRET

    # A guest sees the widget under the post and comments through it.
    compost = blog.post_url("compost")
    guest = browser_page()
    page = guest.page
    page.goto(compost)
    page.wait_for_selector(READY, state="attached")
    assert page.get_attribute("#rejoinder", "data-url") == compost
    form = page.locator(".rj-leave")
    form.get_by_label("Comment", exact=True).fill("The camera saw one rat, and it ignored the cooked food.")
    form.get_by_label("Name", exact=True).fill("Ann Allotment")
    form.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment .rj-name", has_text="Ann Allotment").wait_for()
    stored = blog.thread(compost)
    assert [(c["author"]["name"], c["text"]) for c in stored["comments"]] == [
        ("Ann Allotment", "The camera saw one rat, and it ignored the cooked food.")
    ]
    assert stored["thread"]["title"] == "The compost trial"
    guest.assert_clean()

    # The front page shows rejoinder's counts in the theme's own words.
    page.goto(blog.wp.url + "/")
    links = page.locator(".comments-link a")
    compost_link = links.filter(has=page.locator(".screen-reader-text", has_text="The compost trial"))
    assert compost_link.inner_text().startswith("1 Comment")
    tides_link = links.filter(has=page.locator(".screen-reader-text", has_text="Tide tables"))
    assert tides_link.inner_text().startswith("No Comments")

    # Without JavaScript the post carries the thread as rejoinder rendered it, with a way to reply.
    no_js = browser_page(java_script_enabled=False).page
    no_js.goto(compost)
    static = no_js.locator("#rejoinder .rj-static")
    assert "The camera saw one rat" in static.inner_text()
    reply = str(no_js.get_by_role("link", name="Leave a Reply").get_attribute("href"))
    assert reply.startswith(blog.rejoinder.url + "/thread?")
    assert no_js.locator("link[href$='/static/noscript.css']").count() == 1
    # WordPress's own comment endpoint takes nothing while rejoinder has the comments.
    refused = httpx.post(
        blog.wp.url + "/wp-comments-post.php",
        data={
            "comment_post_ID": str(blog.wp.posts["compost"]),
            "comment": "spam",
            "author": "x",
            "email": "x@x.org",
        },
    )
    assert refused.status_code == 403
    compost_id = blog.wp.posts["compost"]
    assert blog.wp.php(f"echo get_comments( array( 'count' => true, 'post_id' => {compost_id} ) );") == "0"

    # A WordPress user who is logged in comments as themselves (publisher SSO), with no second sign-in.
    nora = browser_page()
    page = nora.page
    log_in(page, blog, NORA["login"], NORA["password"], then=compost)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Nora Reader')")
    page.locator(WHO).locator(".rj-inbox").wait_for()  # the inbox link follows the line
    assert (
        str(page.text_content(WHO))
        == "You are commenting as Nora Reader (via Allotment notes) · Log out · Change · Muted commenters"
        " · Your inbox"
    )
    page.locator(".rj-leave").get_by_label("Comment", exact=True).fill("We should try it again with a lid.")
    page.locator(".rj-leave").get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment .rj-name", has_text="Nora Reader").wait_for()
    stored = blog.thread(compost)
    assert [c["author"]["name"] for c in stored["comments"]] == ["Ann Allotment", "Nora Reader"]
    user_id = blog.wp.php("echo get_user_by( 'login', 'nora' )->ID;")
    with sqlite3.connect(blog.db_path) as db:
        rows = db.execute(
            "SELECT cr.kind, cr.provider, cr.subject, i.display_name FROM comments c "
            "JOIN identities i ON i.id = c.identity_id JOIN credentials cr ON cr.identity_id = i.id "
            "WHERE c.text = ?",
            ("We should try it again with a lid.",),
        ).fetchall()
    assert rows == [("sso", "wordpress", f"wp-1-{user_id}", "Nora Reader")]
    session = json.loads(page.evaluate("() => localStorage.getItem('rejoinder.session')"))
    assert session.startswith("rjs_")

    # Logging out of WordPress logs out of the comments too.
    page.goto(str(page.get_attribute("#wp-admin-bar-logout a", "href")))  # the admin bar's "Log Out"
    page.wait_for_url("**loggedout=true**")
    page.goto(compost)
    page.wait_for_selector(READY, state="attached")
    page.wait_for_function("() => localStorage.getItem('rejoinder.session') === null")
    me = httpx.get(blog.rejoinder.url + "/api/me", headers={"Authorization": f"Bearer {session}"})
    assert me.status_code == 401
    assert page.locator(".rj-leave").get_by_label("Name", exact=True).is_visible()
    # The logout waited for the inbox count asked with the session: no 401, nothing logged.
    nora.assert_clean()

    # "Import existing comments": WordPress's own comment (the one wp_install() puts under "Hello world!")
    # leaves as WXR and arrives in rejoinder under the same post.
    admin.goto(blog.wp.url + "/wp-admin/options-general.php?page=rejoinder")
    assert "WordPress holds 1 comment." in admin.inner_text("#wpbody-content")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Download comments (WXR)").click()
    wxr = blog.tmp / "export.xml"
    download.value.save_as(wxr)
    assert download.value.suggested_filename.endswith(".xml")
    hello = blog.wp.php("echo get_permalink( 1 );")
    assert f"<link>{hello}</link>" in wxr.read_text()
    output = in_thread(run_cli, blog.rejoinder.db_url, "import", "wxr", str(wxr), "--site", "blog")
    assert "1" in output
    imported = blog.thread(hello)["comments"]
    assert [(c["author"]["name"], c["status"]) for c in imported] == [("A WordPress Commenter", "approved")]

    assert not [line for line in _read(blog.wp.debug_log) if "rejoinder" in line], _read(blog.wp.debug_log)


def _read(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines() if path.exists() else []
