"""The Hugo partial and the Jekyll include (integrations/) in real sites built with Debian's `hugo` and
`jekyll`: the build fetches each article's thread from a real `rejoinder serve` on loopback, the built site is
served from its own loopback origin, and Chromium reads it without JavaScript (the build-time thread), with
JavaScript (the live widget, posting a comment) and on the list page (count.js fills the counts)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import READY, relaxed_env
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.servers import Server, free_port, start_server

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
INTEGRATIONS = ROOT / "integrations"
FIRST = "Cooked food did attract rats, but only in the first week."


class StaticSite:
    """A built site's folder served on its own loopback port (the generator needs the port first, for
    its base URL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Built:
    site: StaticSite
    server: Server
    article: str  # the article's URL on the built site (with a comment posted before the build)
    quiet: str  # an article without comments
    index: str
    build_output: str


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} is missing: run scripts/bootstrap --with-test-deps (apt-get install {program})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def hugo_site(src: Path, origin: str, api: str, cache: Path) -> None:
    shutil.copytree(INTEGRATIONS / "hugo" / "layouts", src / "layouts")
    write(
        src / "hugo.toml",
        f"""baseURL = "{origin}/"
title = "Allotment notes"
languageCode = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[params.rejoinder]
server = "{api}"
[caches.getresource]
dir = "{cache}"
maxAge = 0
""",
    )
    write(
        src / "layouts/_default/baseof.html",
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{{ .Title }}</title></head>'
        '<body><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    )
    write(
        src / "layouts/_default/single.html",
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>\n'
        '{{ partial "rejoinder/comments.html" . }}{{ end }}\n',
    )
    write(
        src / "layouts/_default/list.html",
        '{{ define "main" }}<ul>{{ range where site.RegularPages "Section" "posts" }}\n'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ partial "rejoinder/count.html" . }}</li>'
        '{{ end }}</ul>\n{{ partial "rejoinder/count-script.html" . }}{{ end }}\n',
    )
    write(
        src / "content/posts/compost.md", '---\ntitle: "What the compost heap taught us"\n---\nWe measured.\n'
    )
    write(src / "content/posts/tides.md", '---\ntitle: "Tides"\n---\nHigh and low.\n')


def jekyll_site(src: Path, origin: str, api: str) -> None:
    shutil.copytree(INTEGRATIONS / "jekyll", src, dirs_exist_ok=True)
    write(
        src / "_config.yml",
        f"""title: Allotment notes
url: "{origin}"
permalink: /:year/:month/:title/
lang: en
rejoinder:
  server: "{api}"
""",
    )
    write(
        src / "_layouts/default.html",
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{{ page.title }}</title></head>'
        "<body><main>{{ content }}</main></body></html>\n",
    )
    write(
        src / "_layouts/post.html",
        "---\nlayout: default\n---\n<article><h1>{{ page.title }}</h1>{{ content }}</article>\n"
        "{% include rejoinder/comments.html %}\n",
    )
    write(
        src / "index.html",
        "---\nlayout: default\ntitle: Allotment notes\n---\n<ul>{% for post in site.posts %}\n"
        '<li><a href="{{ post.url | relative_url }}">{{ post.title }}</a> · '
        "{% include rejoinder/count.html post=post %}</li>{% endfor %}</ul>\n"
        "{% include rejoinder/count-script.html %}\n",
    )
    write(
        src / "_posts/2026-03-01-compost.md",
        '---\nlayout: post\ntitle: "What the compost heap taught us"\n---\nWe measured.\n',
    )
    write(src / "_posts/2026-04-01-tides.md", '---\nlayout: post\ntitle: "Tides"\n---\nHigh and low.\n')


PATHS = {
    "hugo": ("/posts/compost/", "/posts/tides/"),
    "jekyll": ("/2026/03/compost/", "/2026/04/tides/"),
}


@pytest.fixture(params=["hugo", "jekyll"])
def built(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Built]:
    generator = request.param
    program = need(generator)
    src, out = tmp_path / "src", tmp_path / "public"
    src.mkdir()
    out.mkdir()
    site = StaticSite(out)
    api_port = free_port()
    api = f"http://127.0.0.1:{api_port}"
    db_url = f"sqlite:///{tmp_path / 'rejoinder.db'}"
    in_thread(run_cli, db_url, "site", "add", generator, "--origin", site.origin)
    # The fragment's links are absolute to server.public_url, so that they work inside another site's page.
    env = {**relaxed_env(), "REJOINDER_SERVER__PUBLIC_URL": api}
    server = start_server(db_url, tmp_path, env=env, port=api_port)
    try:
        article_path, quiet_path = PATHS[generator]
        article = site.origin + article_path
        r = httpx.post(
            api + "/api/comments",
            json={"url": article, "text": FIRST, "author": {"name": "Ann"}},
            headers={"Origin": site.origin},
        )
        assert r.status_code == 201, r.text
        if generator == "hugo":
            hugo_site(src, site.origin, api, tmp_path / "hugo-cache")
            command = [program, "--source", str(src), "--destination", str(out)]
        else:
            jekyll_site(src, site.origin, api)
            command = [program, "build", "--source", str(src), "--destination", str(out)]
        done = subprocess.run(
            command,
            cwd=src,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "JEKYLL_ENV": "production"},
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        site.start()
        try:
            yield Built(site, server, article, site.origin + quiet_path, site.origin + "/", output)
        finally:
            site.stop()
    finally:
        server.stop()


def test_a_built_site_shows_the_thread_posts_and_counts(built: Built, browser_page: Any) -> None:
    api = built.server.url
    assert "rejoinder" not in built.build_output.lower(), built.build_output  # no fetch warning
    html = httpx.get(built.article).text
    assert f'<script src="{api}/embed.js" async></script>' in html
    assert f'data-url="{built.article}"' in html
    assert 'class="rj-static"' in html and FIRST in html  # the thread, fetched at build time
    index_html = httpx.get(built.index).text
    assert f'<script src="{api}/count.js" async></script>' in index_html

    # Without JavaScript: the thread included by the build, its links pointing at rejoinder.
    plain = browser_page(java_script_enabled=False)
    plain.page.goto(built.article)
    static = plain.page.locator("#rejoinder .rj-static")
    assert FIRST in static.inner_text()
    assert static.locator(f'a[href^="{api}/thread?"]').count() >= 1
    assert plain.page.locator("#rejoinder .rj-comment").count() == 1

    # With JavaScript: the widget replaces it with the live discussion, and a reader posts.
    w = browser_page()
    w.page.goto(built.article)
    w.page.wait_for_selector(READY, state="attached")
    assert w.page.locator("#rejoinder .rj-static").count() == 0
    assert w.page.locator(".rj-comment", has_text="attract rats").count() == 1
    form = w.page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill("Posted from the statically built page.")
    form.get_by_label("Name", exact=True).fill("Bo")
    form.get_by_role("button", name="Post comment").click()
    w.page.locator(".rj-comment", has_text="statically built").wait_for()
    assert w.page.locator(".rj-title").inner_text() == "2 Responses"
    stored = httpx.get(api + "/api/threads", params={"url": built.article}).json()
    texts = [c["text"] for c in stored["comments"]]
    assert texts == [FIRST, "Posted from the statically built page."], stored
    assert stored["comments"][1]["author"]["name"] == "Bo"
    w.assert_clean()

    # The list page: count.js fills both articles' counts in one request.
    listing = browser_page()
    listing.page.goto(built.index)
    listing.page.wait_for_function(
        "() => document.querySelectorAll('[data-rejoinder-comments]').length === 2"
    )
    counts = {
        el["url"]: el["text"]
        for el in listing.page.eval_on_selector_all(
            "[data-rejoinder-count]", "els => els.map(e => ({url: e.dataset.url, text: e.textContent}))"
        )
    }
    assert counts == {built.article: "2 Responses", built.quiet: "0 Responses"}
    listing.assert_clean()
    plain.assert_clean()


@pytest.mark.parametrize("generator", ["hugo", "jekyll"])
def test_an_unreachable_server_leaves_the_container_empty(generator: str, tmp_path: Path) -> None:
    """A failed fetch warns and builds the page with the widget alone: the build does not fail."""
    program = need(generator)
    src, out = tmp_path / "src", tmp_path / "public"
    src.mkdir()
    origin, api = "http://127.0.0.1:9", f"http://127.0.0.1:{free_port()}"  # nothing listens on api
    if generator == "hugo":
        hugo_site(src, origin, api, tmp_path / "hugo-cache")
        command = [program, "--source", str(src), "--destination", str(out)]
    else:
        jekyll_site(src, origin, api)
        command = [program, "build", "--source", str(src), "--destination", str(out)]
    done = subprocess.run(command, cwd=src, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rejoinder" in (done.stdout + done.stderr) and "no thread fragment" in done.stdout + done.stderr
    page = (out / PATHS[generator][0].strip("/") / "index.html").read_text(encoding="utf-8")
    container = page.split('<div id="rejoinder"', 1)[1].split("</div>", 1)[0]
    assert "rj-static" not in container
    assert f'<script src="{api}/embed.js" async></script>' in page
