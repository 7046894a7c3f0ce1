"""Rotating the secret key (`rejoinder secret rotate`, security.previous_secret_keys): what the old key signed
stays valid while it is listed and is refused once it is removed, and nothing stored breaks (a guest's likes
stay theirs, a commenter's avatar key stays the same), because stored identifiers use the identifier key
kept in the database, not the signing key."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.cli import main
from rejoinder.domain.subscriptions import LinkPurpose, open_link, sign_link
from rejoinder.errors import SubscriptionLinkInvalid
from tests.fixtures.app import ARTICLE, make_settings

OLD, NEW = "old-key-" + "a" * 32, "new-key-" + "b" * 32
VISITOR = {"Rejoinder-Visitor": "visitor-0123456789abcdef"}
HTML = {"Accept": "text/html"}


@contextmanager
def app_with(db: str, secret: str, previous: list[str]) -> Iterator[TestClient[Any]]:
    settings = make_settings(
        db,
        database={"auto_migrate": False},
        security={"secret_key": secret, "previous_secret_keys": previous},
        moderation={"min_seconds": 0, "require_form_token": True},
    )
    with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        yield client


def page_form(client: TestClient[Any]) -> dict[str, str]:
    html = client.get("/thread", params={"url": ARTICLE}, headers=HTML).text
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', html))


def post_form(client: TestClient[Any], fields: dict[str, str], text: str) -> Any:
    return client.post(
        "/thread",
        data={**fields, "text": text, "name": "Ann"},
        headers=HTML,
        follow_redirects=False,
    )


def post_api(client: TestClient[Any], token: str, text: str) -> Any:
    body = {"url": ARTICLE, "text": text, "author": {"name": "Ann", "email": "ann@example.org"}}
    return client.post("/api/comments", json={**body, "form_token": token})


def viewer(client: TestClient[Any]) -> Any:
    response = client.get("/api/viewer", params={"url": ARTICLE}, headers=VISITOR)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_rotation_keeps_what_is_stored_and_accepts_the_old_signatures_until_removed(site_db: str) -> None:
    with app_with(site_db, OLD, []) as before:
        liked = before.put("/api/threads/like", params={"url": ARTICLE}, headers=VISITOR, json={})
        assert liked.status_code == 200, liked.text
        assert viewer(before)["liked_thread"] is True
        old_page = page_form(before)
        old_api_token = before.get("/api/form-token").json()["token"]
        first = post_api(before, before.get("/api/form-token").json()["token"], "Before the rotation")
        assert first.status_code == 201, first.text

    with app_with(site_db, NEW, [OLD]) as during:
        assert viewer(during)["liked_thread"] is True  # the guest's like is still theirs
        # what the old key signed is still accepted: the no-JS page's form and the API's form token
        accepted = post_form(during, old_page, "Through a page opened before the rotation")
        assert accepted.status_code == 303, accepted.text
        kept = post_api(during, old_api_token, "With a token from before the rotation")
        assert kept.status_code == 201, kept.text
        # the same commenter keeps the same avatar key
        assert kept.json()["author"]["avatar"] == first.json()["author"]["avatar"]
        new_page = page_form(during)
        assert new_page["token"] != old_page["token"]  # new tokens are signed with the new key

    with app_with(site_db, NEW, []) as after:
        refused = post_form(after, old_page, "Old page, old key removed")
        assert refused.status_code == 403, refused.text
        assert "did not come from this discussion" in refused.text
        refused_api = post_api(after, old_api_token, "Old token, old key removed")
        assert refused_api.status_code == 403, refused_api.text
        assert refused_api.json()["code"] == "comment-refused"
        assert post_form(after, new_page, "New page, new key").status_code == 303
        state = viewer(after)
        assert state["liked_thread"] is True  # identifiers never depended on the signing key
        unliked = after.delete("/api/threads/like", params={"url": ARTICLE}, headers=VISITOR)
        assert unliked.status_code == 200, unliked.text
        assert unliked.json()["likes"] == 0
        thread = after.get("/api/threads", params={"url": ARTICLE}).json()
    assert sorted(c["text"] for c in thread["comments"]) == [
        "Before the rotation",
        "New page, new key",
        "Through a page opened before the rotation",
        "With a token from before the rotation",
    ]


def test_signed_links_open_with_any_listed_key() -> None:
    token = sign_link(OLD.encode(), LinkPurpose.UNSUBSCRIBE, 7, expires=10**15)
    assert open_link((NEW.encode(), OLD.encode()), token, LinkPurpose.UNSUBSCRIBE, now=0) == 7
    with pytest.raises(SubscriptionLinkInvalid):
        open_link((NEW.encode(),), token, LinkPurpose.UNSUBSCRIBE, now=0)


def cli(db: str, config: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(
        main,
        ["-c", str(config), *args],
        env={"REJOINDER_DATABASE__URL": db, **(env or {})},
        catch_exceptions=False,
    )
    return result


def test_secret_rotate_edits_the_config_file(site_db: str, tmp_path: Path) -> None:
    config = tmp_path / "rejoinder.toml"
    config.write_text(f'# mine\n[security]\nsecret_key = "{OLD}"\n\n[cache]\nmax_age = 5\n')
    os.chmod(config, 0o600)
    first = cli(site_db, config, "secret", "rotate")
    assert first.exit_code == 0, first.output
    assert "restart rejoinder" in first.output and OLD not in first.output
    once = tomllib.loads(config.read_text())
    assert once["security"]["previous_secret_keys"] == [OLD]
    new = once["security"]["secret_key"]
    assert len(new) >= 40 and new != OLD
    assert once["cache"] == {"max_age": 5} and config.read_text().startswith("# mine\n")
    assert config.stat().st_mode & 0o777 == 0o600

    second = cli(site_db, config, "secret", "rotate")
    assert second.exit_code == 0, second.output
    twice = tomllib.loads(config.read_text())["security"]
    assert twice["previous_secret_keys"] == [new, OLD] and twice["secret_key"] not in (new, OLD)

    shown = cli(site_db, config, "config", "show")
    assert json.loads(shown.output)["security"] == {
        "secret_key": "***",
        "previous_secret_keys": ["***", "***"],
    }


def test_secret_rotate_prints_when_the_key_comes_from_the_environment(site_db: str, tmp_path: Path) -> None:
    config = tmp_path / "rejoinder.toml"
    config.write_text("[cache]\nmax_age = 5\n")
    before = config.read_text()
    printed = cli(site_db, config, "secret", "rotate", env={"REJOINDER_SECURITY__SECRET_KEY": OLD})
    assert printed.exit_code == 0, printed.output
    assert "REJOINDER_SECURITY__SECRET_KEY" in printed.output
    lines = tomllib.loads(
        printed.output.split("\n", 1)[1] if printed.output.startswith("#") else printed.output
    )
    assert lines["security"]["previous_secret_keys"] == [OLD]
    assert config.read_text() == before  # nothing written where it would not be read


IDENTIFIERS = (
    r"(visitor_hash|identity_liker|author_key|identity_avatar_key|email_hash|user_handle|credential_id)"
)


def test_stored_identifiers_are_never_made_with_the_signing_key() -> None:
    """A rotation must not change what is stored: every identifier is made with ctx.id_key. (A source scan,
    because a new use case that passed ctx.secret would work until the first rotation.)"""
    src = Path(__file__).resolve().parents[1] / "src" / "rejoinder"
    wrong = [
        f"{path.relative_to(src)}:{n}"
        for path in sorted(src.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(IDENTIFIERS + r"\(\s*(ctx|context|ctx_of\(request\))\.secret\b", line)
        or re.search(r"^\s*ctx\.secret, ref\.site\.id", line)
    ]
    assert not wrong, f"identifiers made with the signing key: {wrong}"


def test_inbox_links_open_with_any_listed_key() -> None:
    from rejoinder.domain.inbox import open_inbox_link, sign_inbox_link
    from rejoinder.errors import InboxLinkInvalid

    token = sign_inbox_link(OLD.encode(), "abcdefghijkl", now=0)
    assert open_inbox_link((NEW.encode(), OLD.encode()), token, now=0) == "abcdefghijkl"
    with pytest.raises(InboxLinkInvalid):
        open_inbox_link((NEW.encode(),), token, now=0)
