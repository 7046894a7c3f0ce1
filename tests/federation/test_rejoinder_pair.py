"""Two real `rejoinder serve` processes federating over ActivityPub on loopback, each signing what it sends and
verifying what it takes (no stand-in in between). Both serve comments for the same article; B's site actor
follows A's (`rejoinder activitypub follow`), and A delivers its published comments to its followers:

1. a comment written on A reaches B, which stores it as a moderated remote comment in its thread;
2. a reader of B replies to it there: B delivers the reply to A (A's actor takes part in B's thread), where it
   appears under the comment it answers;
3. edits and deletions follow both ways (Update, Delete of the Notes each side delivered).

A runs on SQLite and PostgreSQL, B on its own SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from rejoinder.cli import main
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.fedify import SITE, federation_env, wait_for
from tests.fixtures.servers import free_port, start_server


def comments(base: str) -> list[dict[str, Any]]:
    """Every comment of the article's thread on one server, replies included, flattened."""
    response = httpx.get(f"{base}/api/threads", params={"url": ARTICLE}, timeout=10)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found.append(item)
            walk(item.get("replies") or [])

    walk(response.json()["comments"])
    return found


def with_text(base: str, text: str) -> list[dict[str, Any]]:
    return [c for c in comments(base) if text in c["html"]]


def test_two_rejoinders_federate(db_url: str, tmp_path: Path) -> None:
    b_db = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    run_cli(b_db, "migrate")
    for db in (db_url, b_db):
        run_cli(db, "site", "add", SITE, "--origin", ORIGIN)
    a_port, b_port = free_port(), free_port()
    a_env = federation_env(a_port, REJOINDER_ACTIVITYPUB__DELIVER_TO_FOLLOWERS="true")
    b_env = federation_env(b_port)
    a = start_server(db_url, tmp_path, port=a_port, env=a_env)
    try:
        b = start_server(b_db, tmp_path, port=b_port, env=b_env)
        try:
            with httpx.Client(timeout=10, headers={"Origin": ORIGIN}) as http:
                flow(http, a.url, b.url, b_db, b_env)
        finally:
            b.stop()
    finally:
        a.stop()


def flow(http: httpx.Client, a: str, b: str, b_db: str, b_env: dict[str, str]) -> None:
    a_actor = f"{a}/ap/sites/{SITE}"
    # B's site actor follows A's: a signed Follow, verified by A with B's key (fetched from B).
    followed = CliRunner().invoke(
        main, ["activitypub", "follow", SITE, a_actor], env={"REJOINDER_DATABASE__URL": b_db, **b_env}
    )
    assert followed.exit_code == 0, followed.output
    assert f"{SITE} follows {a_actor}" in followed.output
    # A takes the Follow in its inbox (202) and records the follower when the outbox delivers it.
    wait_for(
        lambda: httpx.get(f"{a_actor}/followers", timeout=10).json()["totalItems"] == 1,
        "B among A's followers",
    )

    # 1. Ann comments on A; A delivers it to its follower B, which stores it in its own thread.
    made = http.post(
        f"{a}/api/comments", json={"url": ARTICLE, "text": "Ann on A", "author": {"name": "Ann"}}
    )
    assert made.status_code == 201, made.text
    ann = made.json()
    [on_b] = wait_for(lambda: with_text(b, "Ann on A"), "A's comment on B")
    assert on_b["status"] == "published" and on_b["author"]["name"] == SITE  # A's site actor is its author
    assert "<p>Ann:</p>" in on_b["html"]  # the Note names the writer (as plain text: no remote HTML)

    # 2. Bea, a reader of B, replies to it on B; B delivers the reply to A, where it answers Ann's comment.
    made = http.post(
        f"{b}/api/comments",
        json={"url": ARTICLE, "text": "Bea on B", "parent": on_b["id"], "author": {"name": "Bea"}},
    )
    assert made.status_code == 201, made.text
    bea = made.json()
    [on_a] = wait_for(lambda: with_text(a, "Bea on B"), "B's reply on A")
    assert on_a["parent"] == ann["id"] and on_a["status"] == "published"
    assert "<p>Bea:</p>" in on_a["html"]

    # 3. Bea edits her reply on B: A follows (an Update); then Ann edits hers on A: B follows.
    edited = http.patch(
        f"{b}/api/comments/{bea['id']}",
        json={"text": "Bea on B, edited"},
        headers={"Rejoinder-Edit-Token": bea["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    wait_for(lambda: with_text(a, "Bea on B, edited"), "the Update on A")
    edited = http.patch(
        f"{a}/api/comments/{ann['id']}",
        json={"text": "Ann on A, edited"},
        headers={"Rejoinder-Edit-Token": ann["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    wait_for(lambda: with_text(b, "Ann on A, edited"), "the Update on B")

    # Bea deletes her reply on B: A deletes its copy (a Delete).
    gone = http.delete(f"{b}/api/comments/{bea['id']}", headers={"Rejoinder-Edit-Token": bea["edit_token"]})
    assert gone.status_code == 204, gone.text
    wait_for(lambda: not with_text(a, "Bea on B"), "the Delete on A")
    assert with_text(a, "Ann on A, edited")  # her parent stays


def test_following_what_cannot_be_reached_fails_precisely(db_url: str) -> None:
    run_cli(db_url, "site", "add", SITE, "--origin", ORIGIN)
    env = {"REJOINDER_DATABASE__URL": db_url, **federation_env(free_port())}
    nobody = f"http://127.0.0.1:{free_port()}/users/nobody"  # no server there
    for site, actor, says in (
        (SITE, nobody, "The actor could not be fetched"),
        (SITE, "ftp://example.org/x", "Give the actor's id, an https URL"),
        ("nope", nobody, "nope"),
    ):
        result = CliRunner().invoke(main, ["activitypub", "follow", site, actor], env=env)
        assert result.exit_code == 1, result.output
        assert says in result.output
