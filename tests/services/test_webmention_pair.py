"""Two real `rejoinder serve` processes on loopback, one sending and one receiving: a comment published on
the first links to an article of the second (a page on our loopback web server that advertises the second's
endpoint); the first discovers the endpoint and sends the Webmention, the second fetches the first's
comment page, finds the link and records a verified mention by the comment's author (read from the page's
microformats2 h-entry). The receiver also serves the first's article: a Webmention for it from the comment's
page becomes a reply, a comment there with the author's name. The sender runs on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.servers import free_port, start_server
from tests.fixtures.webmention_pages import Web

PRIVATE = {"REJOINDER_WEBMENTION__ALLOW_PRIVATE": "true"}


def wait_for(check: Any, timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy (the servers work in the background); fail after
    `timeout`. The wait is bounded and ends as soon as the state is reached."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("the servers did not get there in time")
        time.sleep(0.05)


def test_one_rejoinder_sends_and_another_receives(db_url: str, web: Web, tmp_path: Path) -> None:
    receiver_db = tmp_path / "receiver.db"
    receiver_url = f"sqlite+aiosqlite:///{receiver_db}"
    run_cli(receiver_url, "migrate")
    run_cli(receiver_url, "site", "add", "theirs", "--origin", web.origin)
    run_cli(receiver_url, "site", "add", "ours", "--origin", ORIGIN)
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN, "--send-webmentions")
    receiver_port, sender_port = free_port(), free_port()
    receiver_base, sender_base = f"http://127.0.0.1:{receiver_port}", f"http://127.0.0.1:{sender_port}"
    article = web.page(
        "/their-article",
        f'<html><head><link rel="webmention" href="{receiver_base}/webmention"></head>'
        "<body><h1>Their article</h1></body></html>",
    )
    receiver = start_server(receiver_url, tmp_path, port=receiver_port, env=PRIVATE)
    sender = start_server(
        db_url, tmp_path, port=sender_port, env={**PRIVATE, "REJOINDER_SERVER__PUBLIC_URL": sender_base}
    )
    try:
        with httpx.Client(timeout=10) as http:
            made = http.post(
                sender_base + "/api/comments",
                json={"url": ARTICLE, "text": f"As [they say]({article}), yes.", "author": {"name": "Ann"}},
                headers={"Origin": ORIGIN},
            )
            assert made.status_code == 201, made.text
            comment = made.json()
            assert comment["status"] == "published"

        def received(target: str) -> Any:
            with sqlite3.connect(receiver_db) as conn:
                return conn.execute(
                    "SELECT source, state, kind, error, author_name, comment_id FROM webmentions"
                    " WHERE state != 'pending' AND target = ?",
                    (target,),
                ).fetchall()

        [(source, state, kind, error, author, made_comment)] = wait_for(lambda: received(article))
        assert source == (
            f"{sender_base}/thread?url=https%3A%2F%2Fblog.example%2F2026%2F11%2Fa-post#comment-{comment['id']}"
        )
        # A comment linking to another article is a mention of it (our h-entry answers our own article),
        # by the comment's author: the name comes from the page's h-card, not the source's host name.
        assert (state, kind, error, author, made_comment) == ("verified", "mention", None, "Ann", None)
        # The receiver fetched the sender's comment page (on the sender's real server) to verify it.
        page = httpx.get(source, timeout=10)
        assert page.status_code == 200 and f'href="{article}"' in page.text
        assert f'<data class="u-url u-uid" value="{source}"></data>' in page.text
        assert f'<data class="u-in-reply-to" value="{ARTICLE}"></data>' in page.text

        # The article the comment answers is on the receiver too: a Webmention from the comment's page to
        # it is a reply (u-in-reply-to names it), and becomes a comment under it by Ann, with her text.
        with httpx.Client(timeout=10) as http:
            sent = http.post(receiver_base + "/webmention", data={"source": source, "target": ARTICLE})
            assert sent.status_code == 202, sent.text
        [(_, state, kind, error, author, made_comment)] = wait_for(lambda: received(ARTICLE))
        assert (state, kind, error, author) == ("verified", "reply", None, "Ann")
        with sqlite3.connect(receiver_db) as conn:
            [(name, website, text)] = conn.execute(
                "SELECT author_name, author_website, text FROM comments WHERE id = ?", (made_comment,)
            ).fetchall()
        assert name == "Ann" and website == source
        assert text.startswith("As they say, yes.") and source in text
    finally:
        sender.stop()
        receiver.stop()
