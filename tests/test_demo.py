"""`rejoinder demo` as a newcomer runs it: a real process on a free port with a fresh data directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rejoinder import demo
from tests.fixtures.servers import free_port, wait_until_responsive


class DemoProcess:
    def __init__(self, data: Path, port: int, log: Path) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
        with log.open("wb") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "rejoinder", "demo", "--port", str(port), "--data", str(data)],
                stdout=fh,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=data.parent,
                start_new_session=True,
            )
        try:
            wait_until_responsive(self.base + "/healthz", timeout=60, proc=self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"demo did not start:\n{self.output()}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture
def run_demo(tmp_path: Path) -> Iterator[object]:
    started: list[DemoProcess] = []

    def start(port: int, name: str = "run") -> DemoProcess:
        process = DemoProcess(tmp_path / "data", port, tmp_path / f"{name}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def thread(base: str, port: int) -> dict[str, object]:
    response = httpx.get(base + "/api/threads", params={"url": demo.article_url(port)}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_demo_serves_the_seeded_article_once(run_demo: object, tmp_path: Path) -> None:
    port = free_port()
    first = run_demo(port, "first")  # type: ignore[operator]
    # localhost, not 127.0.0.1: passkeys want a host name (the demo's server.public_url)
    assert f"open http://localhost:{port}/demo/" in first.output()
    assert (tmp_path / "data" / demo.DB_FILE).is_file()

    page = httpx.get(first.base + "/demo/", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert f'<div id="rejoinder" data-url="http://127.0.0.1:{port}/demo/" data-title="' in html
    assert '<script src="/embed.js" async></script>' in html
    assert "<noscript>" in html and "/thread?url=http%3A%2F%2F127.0.0.1%3A" in html
    assert f"{len(demo.DISCUSSION)} Responses" in html
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert httpx.get(first.base + "/", timeout=10, follow_redirects=False).headers["location"] == "/demo/"
    for href in ("/static/demo.css", "/static/noscript.css"):
        assert httpx.get(first.base + href, timeout=10).status_code == 200

    body = thread(first.base, port)
    meta = body["thread"]
    assert isinstance(meta, dict)
    assert meta["count"] == len(demo.DISCUSSION) and meta["title"] == demo.TITLE
    likes = meta["likes"]
    assert likes["count"] == demo.ANONYMOUS_LIKES + len(demo.NAMED_LIKERS)
    assert {lk["name"] for lk in likes["recent"]} == set(demo.NAMED_LIKERS)
    comments = body["comments"]
    assert isinstance(comments, list)
    assert max(c["depth"] for c in comments) >= 3
    assert sum(1 for c in comments if c["parent"]) >= 4
    assert sum(c["likes"] for c in comments) == sum(c.likes for c in demo.DISCUSSION)
    assert any("<strong>" in c["html"] for c in comments) and any("<ol>" in c["html"] for c in comments)

    plain = httpx.get(
        first.base + "/thread", params={"url": demo.article_url(port)}, headers={"Accept": "text/html"}
    )
    assert plain.status_code == 200 and "Hedda Lindqvist" in plain.text

    # the site accepts posts from the page's origin, as the widget sends them
    posted = httpx.post(
        first.base + "/api/comments",
        json={"url": demo.article_url(port), "text": "From the test", "author": {"name": "Tess"}},
        headers={"Origin": f"http://localhost:{port}"},
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    first.stop()

    second = run_demo(port, "second")  # type: ignore[operator]
    assert "using the demo discussion" in second.output()
    again = thread(second.base, port)["thread"]
    assert isinstance(again, dict)
    assert again["count"] == len(demo.DISCUSSION) + 1  # seeded once; the posted comment kept
    assert again["likes"]["count"] == likes["count"]


def test_demo_refuses_a_busy_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
        result = subprocess.run(
            [sys.executable, "-m", "rejoinder", "demo", "--port", str(port), "--data", str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
