"""`rejoinder export` and `rejoinder import jsonl` on SQLite and PostgreSQL: a site with every kind of record
(made through the API, the moderation services and an import) is exported, restored into an empty instance
and exported again byte for byte; a second restore adds nothing; secrets never leave; broken files are
refused with the line and nothing written. WXR: parsed strictly and re-imported with our WXR importer."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lxml import etree
from PIL import Image

from rejoinder.domain.identity import Credential, CredentialKind, Profile
from rejoinder.domain.sites import SiteImages, SiteOptions
from rejoinder.domain.subscriptions import DeliveryMode
from rejoinder.importers import jsonl
from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.rules import Role
from rejoinder.runtime import open_context
from rejoinder.services import accounts, admin_desk
from rejoinder.services import moderation as moderation_service
from rejoinder.services import sites as site_service
from rejoinder.store import engine as store_engine
from rejoinder.store import exports as export_store
from rejoinder.store.classifier import insert_decision
from rejoinder.store.identities import insert_credential
from rejoinder.store.schema import (
    ap_actors,
    ap_deliveries,
    ap_followers,
    ap_keys,
    ap_objects,
    comments,
    events,
    legal_notices,
    mutes,
    notifications,
    saved_filters,
    sessions,
    sites,
    statements,
    subscriptions,
    threads,
    webhook_endpoints,
    webmention_sends,
    webmentions,
)
from rejoinder.store.subscriptions import insert_notification
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings
from tests.fixtures.db import drop_pg_url, make_pg_url
from tests.fixtures.follow import NOW, follow
from tests.importers.test_wxr import comment, wxr
from tests.moderation.test_pipeline import SYSTEM, call, moderated_client
from tests.test_cli import cli, db_env
from tests.test_cli_import import rows

OTHER_ARTICLE = ORIGIN + "/2026/12/another-post"
WEBHOOK_SECRET = "whsec_c2VjcmV0LW5ldmVyLWV4cG9ydGVk"
PASSKEY_SECRET = "private-never-exported"
ACTOR_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----never-exported"


@pytest.fixture
def other_db(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty instance on the same backend (migrated by the first command run on it)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    url = make_pg_url()
    try:
        yield url
    finally:
        drop_pg_url(url)


def as_ip(ip: str, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip, **headers}


def populate(db_url: str, tmp_path: Path) -> dict[str, Any]:
    """Every kind of record on site `blog`: guests' and a signed-in reader's comments, a reply, an edit
    (two revisions), likes of an article and a comment, reports, decisions and their log, a role, a passkey
    credential, a classifier decision, imported comments; plus secrets that must stay behind."""
    made: dict[str, Any] = {}
    with moderated_client(db_url, images={"directory": str(tmp_path / "images")}) as client:

        async def take_images(ctx: Any) -> None:
            options = SiteOptions(images=SiteImages(enabled=True), reactions=("love", "clap"))
            await site_service.update_site(
                ctx.engine, "blog", add_origins=[], remove_origins=[], options=options
            )
            await ctx.sites.load()

        call(client, take_images)
        picture = io.BytesIO()
        Image.new("RGB", (8, 6), (1, 2, 3)).save(picture, "PNG")
        uploaded = client.post(
            "/api/images",
            params={"url": ARTICLE},
            content=picture.getvalue(),
            headers={"Content-Type": "image/png", **as_ip("203.0.113.9")},
        )
        assert uploaded.status_code == 201, uploaded.text
        with_image = client.post(
            "/api/comments",
            json={
                "url": ARTICLE,
                "text": "With a picture",
                "author": {"name": "Ivy"},
                "images": [{"id": uploaded.json()["id"], "alt": "dots"}],
            },
            headers=as_ip("203.0.113.9"),
        )
        assert with_image.status_code == 201, with_image.text
        first = client.post(
            "/api/comments",
            json={
                "url": ARTICLE,
                "title": "A post",
                "text": "First *comment* <script>alert(1)</script>",
                "author": {"name": "Ann", "email": "ann@example.org", "website": "https://ann.example"},
            },
            headers=as_ip("203.0.113.9"),
        ).json()
        made["first"] = first["id"]
        token = {"Rejoinder-Edit-Token": first["edit_token"], **as_ip("203.0.113.9")}
        edited = client.patch(f"/api/comments/{first['id']}", json={"text": "First, edited"}, headers=token)
        assert edited.status_code == 200, edited.text
        reply = client.post(
            "/api/comments",
            json={"url": ARTICLE, "text": "A reply", "parent": first["id"], "author": {"name": "Bob"}},
            headers=as_ip("198.51.100.4"),
        ).json()
        made["reply"] = reply["id"]
        other = client.post(
            "/api/comments",
            json={"url": OTHER_ARTICLE, "text": "Buy pills", "author": {"name": "Spammer"}},
            headers=as_ip("192.0.2.1"),
        ).json()
        profile = Profile(provider="test", subject="rita", name="Rita", email=None, email_verified=False)
        signed = call(client, lambda ctx: accounts.sign_in_with_profile(ctx, profile, label="Test"))
        made["session_token"] = signed.token
        rita = {"Authorization": f"Bearer {signed.token}", **as_ip("203.0.113.50")}
        by_rita = client.post(
            "/api/comments",
            json={"url": ARTICLE, "text": "Signed in", "author": {"name": "Rita"}},
            headers=rita,
        )
        assert by_rita.status_code == 201, by_rita.text
        identity = signed.identity.id
        made["identity"] = identity
        made["rita"] = by_rita.json()["id"]
        assert client.put(f"/api/comments/{first['id']}/like", headers=rita).status_code == 200
        liked = client.put(
            "/api/threads/like", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": "v" * 32}
        )
        assert liked.status_code == 200, liked.text
        reacted = client.put(f"/api/comments/{first['id']}/reactions/love", headers=rita)
        assert reacted.status_code == 200, reacted.text
        clapped = client.put(
            "/api/threads/reactions/clap", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": "w" * 32}
        )
        assert clapped.status_code == 200, clapped.text
        reported = client.post(f"/api/comments/{other['id']}/report", json={"reason": "spam"}, headers=rita)
        assert reported.status_code == 201, reported.text
        call(client, lambda ctx: moderation_service.decide(ctx, SYSTEM, first["id"], ModAction.APPROVE))
        call(client, lambda ctx: moderation_service.decide(ctx, SYSTEM, other["id"], ModAction.SPAM))
        call(client, lambda ctx: _set_role(ctx, identity))
        call(
            client,
            lambda ctx: admin_desk.edit_comment(ctx, SYSTEM, reply["id"], "A reply, trimmed", note="Trim"),
        )
        call(client, lambda ctx: admin_desk.warn(ctx, SYSTEM, first["id"], "Mind the links"))
        call(client, lambda ctx: admin_desk.warn(ctx, SYSTEM, by_rita.json()["id"], "Be kind"))
        call(client, lambda ctx: admin_desk.set_premoderation(ctx, SYSTEM, first["id"], on=True))
        call(client, lambda ctx: admin_desk.add_note(ctx, SYSTEM, by_rita.json()["id"], "Rita: fine"))
        call(client, lambda ctx: admin_desk.add_note(ctx, SYSTEM, reply["id"], "Bob, no email"))

    async def extra() -> None:
        async with open_context(make_settings(db_url)) as runtime:
            ctx = runtime.ctx
            site = await ctx.sites.by_name("blog")
            assert site is not None
            async with store_engine.write(ctx.engine) as conn:
                await insert_credential(
                    conn,
                    Credential(
                        identity, CredentialKind.PASSKEY, "blog.example", "cred-1", "Passkey", None, False, 1
                    ),
                    {"public_key": "pk-public", "sign_count": 3, "secret_note": PASSKEY_SECRET},
                )
                await insert_decision(
                    conn,
                    site_id=site.id,
                    event_uid="e" * 32,
                    comment_id=other["id"],
                    label="spam",
                    text="Buy pills",
                    author_name="Spammer",
                    website="",
                    now=1_700_000_000_000_000,
                )
                # Addresses made out of email order (ids differ from the file's order after a restore);
                # an unconfirmed one and the mail waiting stay behind.
                await follow(conn, site.id, "zed@example.org", mode=DeliveryMode.DIGEST, language="de")
                ann = await follow(
                    conn, site.id, "ann@example.org", thread_uri=ARTICLE, comment_id=first["id"]
                )
                await follow(conn, site.id, "ann@example.org", thread_uri=OTHER_ARTICLE)
                await insert_notification(conn, ann, reply["id"], due=NOW, now=NOW)
                await follow(conn, site.id, "pending@example.org", thread_uri=ARTICLE, confirmed=False)
                await _fediverse_and_legal(conn, site.id, made, identity, other["id"])
                await conn.execute(
                    sa.insert(webhook_endpoints).values(
                        site_id=site.id,
                        url="https://hooks.example/in",
                        events=["comment.created"],
                        secret=WEBHOOK_SECRET,
                        state="active",
                        created=1,
                    )
                )

    asyncio.run(extra())
    export = tmp_path / "wp.xml"
    export.write_bytes(
        wxr(comment("1", content="From WordPress"), comment("2", parent="1", content="Its reply"))
    )
    imported = cli("import", "wxr", str(export), "--site", "blog", env=db_env(db_url))
    assert imported.exit_code == 0, imported.output
    return made


async def _fediverse_and_legal(
    conn: Any, site_id: int, made: dict[str, Any], identity: str, spam_id: str
) -> None:
    """The kinds that came after the export was first written: a mute, a saved filter, a legal notice
    and its statement of reasons, webmentions received and sent, the site's fediverse followers, a comment
    that came from the fediverse and a delivery; plus the site actor's key pair (the private half stays)."""
    t = NOW
    (author_key,) = (
        await conn.execute(sa.select(comments.c.author_key).where(comments.c.id == made["reply"]))
    ).one()
    (thread_id,) = (
        await conn.execute(sa.select(comments.c.thread_id).where(comments.c.id == made["first"]))
    ).one()
    await conn.execute(
        sa.insert(mutes).values(identity_id=identity, author_key=author_key, name="Bob", created=t)
    )
    await conn.execute(
        sa.insert(saved_filters).values(owner=identity, name="Links", query={"q": ["http"]}, created=t)
    )
    notice = {
        "site_id": site_id,
        "comment_id": spam_id,
        "location": OTHER_ARTICLE + "#c-" + spam_id,
        "category": "scam",
        "explanation": "Sells fake pills",
        "notifier_name": "Nora",
        "notifier_email": "nora@example.org",
        "good_faith": True,
        "language": "en",
    }
    await conn.execute(sa.insert(legal_notices).values(**notice, created=t - 2))
    notice_id = (
        await conn.execute(
            sa.insert(legal_notices)
            .values(
                **notice, created=t, decided=t + 1, decision="remove", ground="Terms §3", decided_by=identity
            )
            .returning(legal_notices.c.id)
        )
    ).scalar_one()
    await conn.execute(
        sa.insert(statements).values(
            site_id=site_id,
            comment_id=spam_id,
            identity_id=None,
            restriction="removed",
            action="reject",
            automated=False,
            ground_kind="terms",
            ground="Terms §3",
            notice_id=notice_id,
            created=t + 1,
        )
    )
    await conn.execute(
        sa.insert(statements).values(
            site_id=site_id,
            comment_id=made["reply"],
            identity_id=None,
            restriction="restricted",
            action="hold",
            automated=True,
            ground_kind="terms",
            notice_id=None,
            created=t + 2,
        )
    )
    await conn.execute(
        sa.insert(webmentions).values(
            site_id=site_id,
            pair="a" * 64,
            source="https://elsewhere.example/post",
            target=ARTICLE,
            state="verified",
            kind="reply",
            comment_id=made["first"],
            author_name="Else",
            author_url="https://elsewhere.example/",
            received=t,
            verified=t + 1,
        )
    )
    await conn.execute(
        sa.insert(webmention_sends).values(
            comment_id=made["first"],
            pair="b" * 64,
            source=ARTICLE + "#c-" + made["first"],
            target="https://ann.example/",
            state="sent",
            endpoint="https://ann.example/webmention",
            status_code=202,
            updated=t,
        )
    )
    await conn.execute(
        sa.insert(ap_keys).values(
            site_id=site_id, public_pem="PUBLIC-PEM", private_pem=ACTOR_PRIVATE_KEY, created=t
        )
    )
    actor_ids = []
    for name in ("zoe", "max"):
        actor_ids.append(
            (
                await conn.execute(
                    sa.insert(ap_actors)
                    .values(
                        uri=f"https://social.example/users/{name}",
                        key_id=f"https://social.example/users/{name}#main-key",
                        public_pem=f"{name}-public",
                        inbox=f"https://social.example/users/{name}/inbox",
                        shared_inbox="https://social.example/inbox",
                        domain="social.example",
                        handle=f"@{name}@social.example",
                        name=name.title(),
                        identity_id=identity if name == "zoe" else None,
                        fetched=t,
                    )
                    .returning(ap_actors.c.id)
                )
            ).scalar_one()
        )
    for actor_id in reversed(actor_ids):  # ids out of the file's order
        await conn.execute(
            sa.insert(ap_followers).values(
                site_id=site_id,
                actor_id=actor_id,
                follow_uri=f"https://social.example/follows/{actor_id}",
                created=t,
            )
        )
    await conn.execute(
        sa.insert(ap_objects).values(
            uri="https://social.example/notes/1",
            comment_id=made["rita"],
            actor_id=actor_ids[0],
            thread_id=thread_id,
            url="https://social.example/@zoe/1",
            created=t,
        )
    )
    await conn.execute(
        sa.insert(ap_deliveries).values(comment_id=made["first"], actor_id=actor_ids[1], created=t)
    )


async def _set_role(ctx: Any, identity: str) -> bool:
    site = await ctx.sites.by_name("blog")
    return await moderation_service.set_role(
        ctx, SYSTEM, identity, Role.MODERATOR, site_id=site.id, granted=True
    )


def export(db_url: str, path: Path, *extra: str) -> bytes:
    result = cli("export", "--site", "blog", "--output", str(path), *extra, env=db_env(db_url))
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def records(data: bytes) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    lines = data.decode().splitlines()
    return json.loads(lines[0]), [tuple(json.loads(line)) for line in lines[1:]]  # type: ignore[misc]


def test_an_export_restored_into_an_empty_instance_exports_byte_for_byte(
    site_db: str, other_db: str, tmp_path: Path
) -> None:
    made = populate(site_db, tmp_path)
    original = export(site_db, tmp_path / "one.jsonl")
    manifest, body = records(original)
    kinds = {k.name for k in export_store.KINDS}
    assert manifest["format"] == "rejoinder-export" and manifest["version"] == 1
    assert manifest["schema"] == rows(site_db, sa.text("SELECT version_num FROM alembic_version"))[0][0]
    assert set(manifest["counts"]) == kinds
    assert all(manifest["counts"][k] > 0 for k in kinds), manifest["counts"]  # every kind is present
    assert manifest["counts"]["comment"] == 7 and manifest["counts"]["thread"] == 3
    for kind in kinds:
        lines = b"".join(
            line + b"\n" for line in original.split(b"\n")[1:] if line.startswith(f'["{kind}",'.encode())
        )
        assert hashlib.sha256(lines).hexdigest() == manifest["sha256"][kind]
    assert hashlib.sha256(original.split(b"\n", 1)[1]).hexdigest() == manifest["body_sha256"]
    by_id = {data["id"]: data for kind, data in body if kind == "comment"}
    first = by_id[made["first"]]
    assert (first["text"], first["status"], first["revision"], first["author_email"], first["ip"]) == (
        "First, edited",
        "approved",
        1,
        "ann@example.org",
        "203.0.113.0/24",
    )
    assert by_id[made["reply"]]["parent_id"] == made["first"]
    revisions = [d for k, d in body if k == "revision" and d["comment_id"] == made["first"]]
    assert [r["revision"] for r in revisions] == [0, 1]
    assert [r["text"] for r in revisions] == ["First *comment* <script>alert(1)</script>", "First, edited"]
    assert [d for k, d in body if k == "address"] == [
        {"confirmed": NOW, "created": NOW, "email": "ann@example.org", "language": "en"},
        {"confirmed": NOW, "created": NOW, "email": "zed@example.org", "language": "de"},
    ]
    common = {"created": NOW, "state": "active"}
    assert [d for k, d in body if k == "subscription"] == [
        {
            **common,
            "email": "ann@example.org",
            "kind": "replies",
            "thread_id": 1,
            "comment_id": made["first"],
            "mode": "immediate",
        },
        {
            **common,
            "email": "ann@example.org",
            "kind": "thread",
            "thread_id": 2,
            "comment_id": None,
            "mode": "immediate",
        },
        {
            **common,
            "email": "zed@example.org",
            "kind": "site",
            "thread_id": None,
            "comment_id": None,
            "mode": "digest",
        },
    ]
    assert b"pending@example.org" not in original
    assert all("target" not in d for k, d in body if k == "subscription")
    credential = next(d for k, d in body if k == "credential" and d["kind"] == "passkey")
    assert credential["data"] == {"public_key": "pk-public", "sign_count": 3}
    # Never exported: edit tokens, session tokens, webhook secrets, a credential's private data.
    for secret in (WEBHOOK_SECRET, PASSKEY_SECRET, ACTOR_PRIVATE_KEY, made["session_token"]):
        assert secret.encode() not in original
    assert b"edit_token" not in original
    for (token_hash,) in rows(site_db, sa.select(sessions.c.token_hash)):
        assert token_hash.encode() not in original
    for (edit_hash,) in rows(
        site_db, sa.select(comments.c.edit_token_hash).where(comments.c.edit_token_hash.is_not(None))
    ):
        assert edit_hash.encode() not in original

    # The kinds added since: links to other rows are by natural values (an actor's URI, a notice's date).
    assert [d["notice_created"] for k, d in body if k == "statement"] == [NOW, None, None]
    assert [d["actor"] for k, d in body if k == "ap_follower"] == [
        "https://social.example/users/max",
        "https://social.example/users/zoe",
    ]
    assert [(d["handle"], d["identity_id"]) for k, d in body if k == "ap_actor"] == [
        ("@max@social.example", None),
        ("@zoe@social.example", made["identity"]),
    ]
    assert b"PUBLIC-PEM" not in original  # the site actor's key pair stays: a new one is made (docs/data.md)

    restored = cli("import", "jsonl", str(tmp_path / "one.jsonl"), "--site", "blog", env=db_env(other_db))
    assert restored.exit_code == 0, restored.output
    assert restored.output.splitlines() == [
        "rejoinder export one.jsonl → site blog (created)",
        "Added: "
        + ", ".join(f"{k.name} {manifest['counts'][k.name]}" for k in export_store.KINDS if k.name != "site"),
        "Updated: nothing",
        "Unchanged: nothing",
    ]
    again = export(other_db, tmp_path / "two.jsonl")
    assert again == original
    # Restored comments announce nothing: one comments.imported event per thread, for the caches only.
    announced = rows(other_db, sa.select(events.c.kind, events.c.data).order_by(events.c.id))
    assert [kind for kind, _ in announced] == ["comments.imported"] * 3
    assert sorted(data["added"] for _, data in announced) == [1, 2, 4]
    # The restored site answers readers like the first one.
    assert rows(other_db, sa.select(sites.c.origins)) == [([ORIGIN],)]
    assert rows(other_db, sa.select(threads.c.uri, threads.c.comment_count).order_by(threads.c.id)) == rows(
        site_db, sa.select(threads.c.uri, threads.c.comment_count).order_by(threads.c.id)
    )
    # Restored subscriptions follow the new instance's threads and site (targets name database ids).
    (new_site,) = rows(other_db, sa.select(sites.c.id))[0]
    followed = rows(
        other_db,
        sa.select(subscriptions.c.target, threads.c.uri)
        .outerjoin(threads, threads.c.id == subscriptions.c.thread_id)
        .order_by(subscriptions.c.target),
    )
    (article_id,) = rows(other_db, sa.select(threads.c.id).where(threads.c.uri == OTHER_ARTICLE))[0]
    assert followed == [
        (f"c:{made['first']}", ARTICLE),
        (f"s:{new_site}", None),
        (f"t:{article_id}", OTHER_ARTICLE),
    ]
    assert rows(other_db, sa.select(notifications.c.id)) == []  # the mail queue stays behind
    # Restored links name the new instance's rows.
    assert rows(
        other_db,
        sa.select(ap_actors.c.handle)
        .join(ap_followers, ap_followers.c.actor_id == ap_actors.c.id)
        .where(ap_followers.c.site_id == new_site)
        .order_by(ap_actors.c.handle),
    ) == [("@max@social.example",), ("@zoe@social.example",)]
    assert rows(
        other_db,
        sa.select(legal_notices.c.created, legal_notices.c.decision)
        .join(statements, statements.c.notice_id == legal_notices.c.id)
        .where(statements.c.site_id == new_site),
    ) == [(NOW, "remove")]
    # A second import adds nothing and changes nothing.
    twice = cli("import", "jsonl", str(tmp_path / "one.jsonl"), "--site", "blog", env=db_env(other_db))
    assert twice.exit_code == 0, twice.output
    assert twice.output.splitlines()[1:3] == ["Added: nothing", "Updated: nothing"]
    assert export(other_db, tmp_path / "three.jsonl") == original

    # The old instance goes on moderating during the move: a later export brings the changes.
    with moderated_client(site_db) as client:
        call(client, lambda ctx: moderation_service.decide(ctx, SYSTEM, made["reply"], ModAction.REJECT))
    later = export(site_db, tmp_path / "later.jsonl")
    update = cli("import", "jsonl", str(tmp_path / "later.jsonl"), "--site", "blog", env=db_env(other_db))
    assert update.exit_code == 0, update.output
    # (the rejection gives the author a statement of reasons, which comes along)
    assert update.output.splitlines()[1:3] == ["Added: log 1, statement 1", "Updated: thread 1, comment 1"]
    assert len(rows(other_db, sa.select(events.c.id))) == 4  # one more, for the reply's thread
    assert export(other_db, tmp_path / "four.jsonl") == later
    stored = rows(other_db, sa.select(comments.c.status).where(comments.c.id == made["reply"]))
    assert stored == [("rejected",)]


def test_standard_output_is_the_default(site_db: str, tmp_path: Path) -> None:
    result = cli("export", "--site", "blog", env=db_env(site_db))
    assert result.exit_code == 0, result.output
    manifest, body = records(result.stdout_bytes)
    assert manifest["counts"]["site"] == 1 and body == [
        ("site", {"created": body[0][1]["created"], "origins": [ORIGIN], "settings": body[0][1]["settings"]})
    ]
    assert result.stderr.strip() == "exported site blog as jsonl: site 1"
    missing = cli("export", "--site", "nope", env=db_env(site_db))
    assert missing.exit_code == 1 and "there is no site named 'nope'" in missing.output


def _broken(original: bytes) -> dict[str, tuple[bytes, str]]:
    head, rest = original.split(b"\n", 1)
    manifest = json.loads(head)
    newer = json.dumps({**manifest, "version": 2}, sort_keys=True, separators=(",", ":")).encode()
    lines = rest.split(b"\n")[:-1]
    n = len(lines) + 1  # the last line's number
    comment_line = next(
        i for i, line in enumerate(lines) if line.startswith(b'["comment",') and b"First, edited" in line
    )
    tampered = list(lines)
    tampered[comment_line] = tampered[comment_line].replace(b"First, edited", b"First, forged")
    unknown = [*lines[:2], b'["planet",{"name":"Mars"}]', *lines[2:]]
    return {
        "checksum": (
            head + b"\n" + b"\n".join(tampered) + b"\n",
            f"end of file (after line {n}): the checksum of the comment records does not match the manifest",
        ),
        "cut-mid-line": (original[:-7], f"line {n}: the line has no end: the file is truncated"),
        "cut-at-line": (
            head + b"\n" + b"\n".join(lines[:-1]) + b"\n",
            f"end of file (after line {n - 1}): ",
        ),
        "newer": (
            newer + b"\n" + rest,
            "line 1: format version 2 is newer than this rejoinder reads (1): upgrade rejoinder to import it",
        ),
        "unknown-kind": (head + b"\n" + b"\n".join(unknown) + b"\n", "line 4: unknown record kind 'planet'"),
    }


def test_broken_exports_are_refused_with_the_line_and_nothing_written(
    site_db: str, other_db: str, tmp_path: Path
) -> None:
    populate(site_db, tmp_path)
    original = export(site_db, tmp_path / "one.jsonl")
    for name, (data, message) in _broken(original).items():
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        result = cli("import", "jsonl", str(path), "--site", "blog", env=db_env(other_db))
        assert result.exit_code == 1, (name, result.output)
        assert f"error: {message}" in result.stderr, (name, result.stderr)
        assert "Nothing was imported." in result.stderr
        assert rows(other_db, sa.select(sites.c.name)) == [], name
        assert rows(other_db, sa.select(comments.c.id)) == [], name
    # The sane file still goes in afterwards.
    ok = cli("import", "jsonl", str(tmp_path / "one.jsonl"), "--site", "blog", env=db_env(other_db))
    assert ok.exit_code == 0, ok.output


def test_a_dry_run_restores_nothing(site_db: str, other_db: str, tmp_path: Path) -> None:
    populate(site_db, tmp_path)
    export(site_db, tmp_path / "one.jsonl")
    dry = cli(
        "import", "jsonl", str(tmp_path / "one.jsonl"), "--site", "blog", "--dry-run", env=db_env(other_db)
    )
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[:2] == [
        "Dry run: nothing was written. This is what an import would do:",
        "rejoinder export one.jsonl → site blog (created)",
    ]
    assert rows(other_db, sa.select(sites.c.name)) == []


def test_the_jsonl_reader_gives_the_comments_as_any_importer(site_db: str, tmp_path: Path) -> None:
    made = populate(site_db, tmp_path)
    data = export(site_db, tmp_path / "one.jsonl")
    importer = jsonl.JsonlImporter()
    assert importer.detect(data[:4096])
    import io

    found = {c.source_id: c for c in importer.read(io.BytesIO(data))}
    assert found[made["reply"]].parent_source_id == made["first"]
    assert found[made["first"]].thread_url == ARTICLE and found[made["first"]].thread_title == "A post"
    assert found[made["first"]].markdown == "First, edited"


def test_wxr_export_is_strict_xml_and_comes_back_through_our_wxr_importer(
    site_db: str, other_db: str, tmp_path: Path
) -> None:
    made = populate(site_db, tmp_path)
    data = export(site_db, tmp_path / "blog.xml", "--format", "wxr", "--timezone", "Europe/Paris")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    root = etree.fromstring(data, parser)
    wp = {"wp": "http://wordpress.org/export/1.2/"}
    assert root.tag == "rss" and root.findtext("channel/wp:wxr_version", namespaces=wp) == "1.2"
    items = root.findall("channel/item")
    assert [i.findtext("link") for i in items] == [ARTICLE, OTHER_ARTICLE, "https://blog.example/a-post/"]
    first = next(
        c
        for c in items[0].findall("wp:comment", wp)
        if "First, edited" in c.findtext("wp:comment_content", namespaces=wp)
    )
    gmt = first.findtext("wp:comment_date_gmt", namespaces=wp)
    local = first.findtext("wp:comment_date", namespaces=wp)
    assert gmt != local and len(gmt) == len(local) == 19  # Paris is an hour or two ahead of GMT
    assert first.findtext("wp:comment_author_email", namespaces=wp) == "ann@example.org"
    assert first.findtext("wp:comment_approved", namespaces=wp) == "1"

    cli("site", "add", "blog", "--origin", ORIGIN, env=db_env(other_db))
    result = cli("import", "wxr", str(tmp_path / "blog.xml"), "--site", "blog", env=db_env(other_db))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:4] == [
        "Threads: 3 (3 new)",
        "Comments: 7 new (approved 6, spam 1), 0 updated, 0 unchanged",
        "Skipped: 0",
    ]
    query = (
        sa.select(threads.c.uri, comments.c.text, comments.c.status, comments.c.depth, comments.c.author_name)
        .join(threads, threads.c.id == comments.c.thread_id)
        .order_by(threads.c.uri, comments.c.created, comments.c.text)
    )
    before = {(u, t, d, a) for u, t, s, d, a in rows(site_db, query)}
    after = {(u, t, d, a) for u, t, s, d, a in rows(other_db, query)}
    assert after == before  # content, threading and authors
    statuses = {t: s for u, t, s, d, a in rows(other_db, query)}
    assert statuses["Buy pills"] == "spam" and statuses["First, edited"] == "approved"
    assert made["first"]


def test_a_site_moves_from_sqlite_to_postgresql_and_back_unchanged(
    sqlite_template: Path, tmp_path: Path
) -> None:
    import shutil

    lite = tmp_path / "old.db"
    shutil.copyfile(sqlite_template, lite)
    old = f"sqlite:///{lite}"
    cli("site", "add", "blog", "--origin", ORIGIN, env=db_env(old))
    populate(old, tmp_path)
    original = export(old, tmp_path / "from-sqlite.jsonl")
    pg = make_pg_url()
    try:
        moved = cli("import", "jsonl", str(tmp_path / "from-sqlite.jsonl"), "--site", "blog", env=db_env(pg))
        assert moved.exit_code == 0, moved.output
        assert export(pg, tmp_path / "from-postgresql.jsonl") == original
    finally:
        drop_pg_url(pg)
    back = f"sqlite:///{tmp_path / 'back.db'}"
    result = cli(
        "import", "jsonl", str(tmp_path / "from-postgresql.jsonl"), "--site", "blog", env=db_env(back)
    )
    assert result.exit_code == 0, result.output
    assert export(back, tmp_path / "back.jsonl") == original


def resign(lines: list[bytes]) -> bytes:
    """Record lines with a manifest made for them, as someone crafting a file would."""
    digests = jsonl.Digests([k.name for k in export_store.KINDS])
    for line in lines:
        digests.add(json.loads(line)[0], line + b"\n")
    return jsonl.encode_manifest(digests.manifest("0008")) + b"".join(line + b"\n" for line in lines)


def test_a_crafted_file_is_hostile_text_like_any_other(other_db: str, tmp_path: Path) -> None:
    site = jsonl.encode_record("site", {"created": 1, "origins": [ORIGIN], "settings": {}}).strip()
    thread = jsonl.encode_record(
        "thread",
        {
            "ref": 1,
            "uri": ARTICLE,
            "key": None,
            "title": "T",
            "comment_count": 1,
            "like_count": 0,
            "created": 1,
            "closed": False,
            "closed_at": None,
            "auto_close": True,
        },
    ).strip()
    hostile = {
        "id": "evil00000001",
        "thread_id": 1,
        "parent_id": None,
        "depth": 0,
        "status": "published",
        "text": "hi",
        "html": '<p onclick="steal()">hi<script>alert(1)</script><a href="javascript:alert(2)">x</a></p>',
        "author_name": "Mallory",
        "author_website": "javascript:alert(3)",
        "author_key": "k",
        "created": 1_700_000_000_000_000,
    }
    path = tmp_path / "crafted.jsonl"
    path.write_bytes(resign([site, thread, jsonl.encode_record("comment", hostile).strip()]))
    result = cli("import", "jsonl", str(path), "--site", "blog", env=db_env(other_db))
    assert result.exit_code == 0, result.output
    stored = rows(other_db, sa.select(comments.c.html, comments.c.author_website))
    assert stored == [('<p>hi<a rel="nofollow noopener ugc">x</a></p>', None)]

    wrong = {**hostile, "id": "evil00000002", "created": "yesterday"}
    path.write_bytes(resign([site, thread, jsonl.encode_record("comment", wrong).strip()]))
    refused = cli("import", "jsonl", str(path), "--site", "other", env=db_env(other_db))
    assert refused.exit_code == 1
    assert "error: line 4: a comment record is not valid: created is not of type int" in refused.stderr
    assert rows(other_db, sa.select(sites.c.name)) == [("blog",)]

    dangling = {**hostile, "id": "evil00000004", "parent_id": "nowhere00000"}  # a reply to nothing
    path.write_bytes(resign([site, thread, jsonl.encode_record("comment", dangling).strip()]))
    refused = cli("import", "jsonl", str(path), "--site", "other", env=db_env(other_db))
    assert refused.exit_code == 1
    assert "error: lines 4-4: a comment record does not fit the database: " in refused.stderr

    bad_status = {**hostile, "id": "evil00000003", "status": "shown"}
    path.write_bytes(resign([site, thread, jsonl.encode_record("comment", bad_status).strip()]))
    refused = cli("import", "jsonl", str(path), "--site", "other", env=db_env(other_db))
    assert "error: line 4: a comment record is not valid: unknown comment status 'shown'" in refused.stderr
    assert rows(other_db, sa.select(comments.c.id)) == [("evil00000001",)]


def test_crafted_addresses_and_subscriptions_are_checked(other_db: str, tmp_path: Path) -> None:
    site = jsonl.encode_record("site", {"created": 1, "origins": [ORIGIN], "settings": {}}).strip()
    address = {"email": "ann@example.org", "language": "en", "confirmed": NOW, "created": NOW}
    follows = {
        "email": "ann@example.org",
        "kind": "site",
        "thread_id": None,
        "comment_id": None,
        "mode": "digest",
        "state": "active",
        "created": NOW,
    }
    cases = {
        "a subscription record is not valid: 'everything' is not a valid SubscriptionKind": [
            ("address", address),
            ("subscription", {**follows, "kind": "everything"}),
        ],
        "a subscription record is not valid: a thread subscription without thread_id": [
            ("address", address),
            ("subscription", {**follows, "kind": "thread"}),
        ],
        "a subscription record is not valid: only active subscriptions are exported": [
            ("address", address),
            ("subscription", {**follows, "state": "pending"}),
        ],
        "a subscription of 'bo@example.org', which no address record before it has": [
            ("address", address),
            ("subscription", {**follows, "email": "bo@example.org"}),
        ],
        "an address record is not valid: 'Ann@Example.org' is not a normalised email address": [
            ("address", {**address, "email": "Ann@Example.org"}),
        ],
        "an address record is not valid: an address nobody confirmed is not exported": [
            ("address", {**address, "confirmed": None}),
        ],
    }
    path = tmp_path / "crafted.jsonl"
    for message, records in cases.items():
        lines = [site, *(jsonl.encode_record(kind, data).strip() for kind, data in records)]
        path.write_bytes(resign(lines))
        refused = cli("import", "jsonl", str(path), "--site", "blog", env=db_env(other_db))
        assert refused.exit_code == 1, refused.output
        assert message in refused.stderr, (message, refused.stderr)
        assert rows(other_db, sa.select(sites.c.name)) == []
    good = [
        site,
        *(jsonl.encode_record(k, d).strip() for k, d in [("address", address), ("subscription", follows)]),
    ]
    path.write_bytes(resign(good))
    assert cli("import", "jsonl", str(path), "--site", "blog", env=db_env(other_db)).exit_code == 0
    (site_id,) = rows(other_db, sa.select(sites.c.id))[0]
    assert rows(other_db, sa.select(subscriptions.c.target, subscriptions.c.mode)) == [
        (f"s:{site_id}", "digest")
    ]


def test_import_jsonl_refuses_url_mappings_and_files_that_are_not_exports(
    site_db: str, tmp_path: Path
) -> None:
    data = export(site_db, tmp_path / "one.jsonl")
    mapped = cli(
        "import",
        "jsonl",
        str(tmp_path / "one.jsonl"),
        "--site",
        "blog",
        "--map-url",
        "a=b",
        env=db_env(site_db),
    )
    assert mapped.exit_code == 2
    assert "Invalid value for --map-url: an export of ours keeps its URLs" in mapped.output
    other = tmp_path / "other.jsonl"
    other.write_bytes(b'{"format":"something-else","version":1}\n' + data.split(b"\n", 1)[1])
    refused = cli("import", "jsonl", str(other), "--site", "blog", env=db_env(site_db))
    assert refused.exit_code == 1
    assert f"Error: {other} is not in the rejoinder format" in refused.output
    bad_name = cli(
        "import", "jsonl", str(tmp_path / "one.jsonl"), "--site", "Not A Name", env=db_env(site_db)
    )
    assert bad_name.exit_code == 1
    assert bad_name.output.strip().endswith(
        "Error: A site name uses lower-case letters, digits, '.', '_' and '-' (max 100)"
    )
    nowhere = cli(
        "export", "--site", "blog", "--output", str(tmp_path / "no" / "x.jsonl"), env=db_env(site_db)
    )
    assert nowhere.exit_code == 1
    assert (
        nowhere.output
        == f"Error: cannot write {tmp_path / 'no' / 'x.jsonl'}: there is no directory {tmp_path / 'no'}\n"
    )
    zone = cli(
        "export", "--site", "blog", "--format", "wxr", "--timezone", "Mars/Olympus", env=db_env(site_db)
    )
    assert zone.exit_code == 2 and "'Mars/Olympus' is not an IANA time zone" in zone.output


NEWER_KINDS = (
    "mute",
    "saved_filter",
    "legal_notice",
    "statement",
    "webmention",
    "webmention_sent",
    "ap_actor",
    "ap_follower",
    "ap_object",
    "ap_delivery",
)


def _rewritten(original: bytes, edit: Any) -> bytes:
    """The export with each record line passed through `edit` (None drops it), the manifest made again for
    what is left (as an exporter would have written it)."""
    head, rest = original.split(b"\n", 1)
    manifest = json.loads(head)
    kept = [e for e in (edit(line + b"\n") for line in rest.split(b"\n")[:-1]) if e is not None]
    names = [k for k in manifest["counts"] if any(line.startswith(f'["{k}",'.encode()) for line in kept)]
    digests = jsonl.Digests(names)
    for line in kept:
        digests.add(json.loads(line)[0], line)
    made = digests.manifest(manifest["schema"])
    return jsonl.encode_manifest(made) + b"".join(kept)


def test_a_file_from_before_the_newer_kinds_still_imports_and_links_are_checked(
    site_db: str, other_db: str, tmp_path: Path
) -> None:
    populate(site_db, tmp_path)
    original = export(site_db, tmp_path / "one.jsonl")
    assert all(f'["{kind}",'.encode() in original for kind in NEWER_KINDS)
    dangling = tmp_path / "dangling.jsonl"
    dangling.write_bytes(
        _rewritten(
            original,
            lambda line: (
                line.replace(b"/users/zoe", b"/users/nobody") if line.startswith(b'["ap_follower"') else line
            ),
        )
    )
    refused = cli("import", "jsonl", str(dangling), "--site", "blog", env=db_env(other_db))
    assert refused.exit_code == 1, refused.output
    assert "actor 'https://social.example/users/nobody' names a ap_actors row no record before it has" in (
        refused.stderr
    )
    assert rows(other_db, sa.select(sites.c.name)) == []
    older = tmp_path / "older.jsonl"
    older.write_bytes(
        _rewritten(
            original,
            lambda line: None if any(line.startswith(f'["{k}",'.encode()) for k in NEWER_KINDS) else line,
        )
    )
    assert b'"ap_actor"' not in older.read_bytes()
    restored = cli("import", "jsonl", str(older), "--site", "blog", env=db_env(other_db))
    assert restored.exit_code == 0, restored.output
    again, _ = records(export(other_db, tmp_path / "two.jsonl"))
    assert all(again["counts"][k] == 0 for k in NEWER_KINDS), again["counts"]
    assert {k: n for k, n in again["counts"].items() if k not in NEWER_KINDS} == {
        k: n for k, n in json.loads(original.split(b"\n", 1)[0])["counts"].items() if k not in NEWER_KINDS
    }
