"""`rejoinder import` on SQLite and PostgreSQL: through the command, then read back through the public API
(threads, replies, counts), run again (nothing added, changes taken), dry runs, and hostile or broken files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import Result
from sqlalchemy.ext.asyncio import create_async_engine

from rejoinder.store.engine import driver_url
from rejoinder.store.schema import comments, event_deliveries, events, imported_comments
from tests.fixtures.app import ORIGIN, new_client
from tests.importers.files import FILES
from tests.importers.test_disqus import disqus, post
from tests.importers.test_wxr import comment, wxr
from tests.test_cli import cli, db_env

THEME = FILES / "wxr" / "theme-unit-test-data.xml"
WP = "https://wpthemetestdata.wordpress.com"
MAP = f"{WP}={ORIGIN}"
TEMPLATE_COMMENTS = f"{ORIGIN}/2012/01/03/template-comments/"


def run_import(db_url: str, *args: str) -> Result:
    return cli("import", *args, env=db_env(db_url))


def thread(db_url: str, url: str) -> Any:
    with new_client(db_url) as client:
        answer = client.get("/api/threads", params={"url": url})
        assert answer.status_code == 200, answer.text
        return answer.json()


def rows(db_url: str, query: Any) -> list[tuple[Any, ...]]:
    """Stored rows, read straight from the database (what the API cannot show: events, email, IP)."""
    import asyncio

    async def go() -> list[tuple[Any, ...]]:
        url, args = driver_url(db_url)
        engine = create_async_engine(url, connect_args=args)
        try:
            async with engine.connect() as conn:
                return [tuple(r) for r in await conn.execute(query)]
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_wordpress_export_is_imported_threaded_and_counted(site_db: str) -> None:
    result = run_import(site_db, "wxr", str(THEME), "--site", "blog", "--map-url", MAP)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        "WordPress WXR export theme-unit-test-data.xml → site blog",
        "Threads: 7 (7 new)",
        "Comments: 29 new (approved 26, pending 3), 0 updated, 0 unchanged",
        "Skipped: 4 (pingback 2, trackback 2)",
    ]
    assert "  line 9777: pingback (pingbacks and trackbacks are not imported)" in lines
    assert lines[-2:] == ["URL mappings applied:", f"  {MAP}: 29 comment(s)"]
    view = thread(site_db, TEMPLATE_COMMENTS)
    assert view["thread"]["title"] == "Template: Comments"
    assert view["thread"]["count"] == len(view["comments"]) == 19
    by_id = {c["id"]: c for c in view["comments"]}
    deepest = max(view["comments"], key=lambda c: c["depth"])
    chain = [deepest]
    while chain[-1]["parent"] is not None:
        chain.append(by_id[chain[-1]["parent"]])
    assert [c["depth"] for c in chain] == list(range(9, -1, -1))
    assert deepest["text"] == "Comment Depth 10\n\nAlso an author comment."
    assert deepest["html"] == "<p>Comment Depth 10</p>\n<p>Also an author comment.</p>"
    assert deepest["status"] == "approved" and deepest["author"]["name"] == "themedemos"
    assert deepest["created"] == "2013-03-14T15:14:47.000000Z"  # comment_date_gmt 2013-03-14 15:14:47
    # The three held comments are stored, for moderators, and counted nowhere.
    held = rows(site_db, sa.select(comments.c.thread_id).where(comments.c.status == "pending"))
    assert len(held) == 3
    # Imported comments announce nothing: one comments.imported event per thread, for the cache only.
    kinds = rows(site_db, sa.select(events.c.kind))
    assert Counter(k for (k,) in kinds) == {"comments.imported": 7}
    handlers = rows(site_db, sa.select(event_deliveries.c.handler).distinct())
    assert handlers == [("invalidate",)]


def test_importing_again_adds_nothing_and_takes_what_changed(site_db: str, tmp_path: Path) -> None:
    assert run_import(site_db, "wxr", str(THEME), "--site", "blog", "--map-url", MAP).exit_code == 0
    before = thread(site_db, TEMPLATE_COMMENTS)
    again = run_import(site_db, "wxr", str(THEME), "--site", "blog", "--map-url", MAP)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[1:3] == [
        "Threads: 7 (0 new)",
        "Comments: 0 new, 0 updated, 29 unchanged",
    ]
    assert thread(site_db, TEMPLATE_COMMENTS) == before
    assert len(rows(site_db, sa.select(imported_comments.c.source_id))) == 29
    changed = tmp_path / "changed.xml"
    changed.write_bytes(THEME.read_bytes().replace(b"Comment Depth 10", b"Comment Depth Ten"))
    third = run_import(site_db, "wxr", str(changed), "--site", "blog", "--map-url", MAP)
    assert third.output.splitlines()[2] == "Comments: 0 new, 1 updated, 28 unchanged"
    after = thread(site_db, TEMPLATE_COMMENTS)
    assert [c["id"] for c in after["comments"]] == [c["id"] for c in before["comments"]]
    assert max(after["comments"], key=lambda c: c["depth"])["text"].startswith("Comment Depth Ten")
    assert after["thread"]["count"] == 19


def test_a_dry_run_writes_nothing_and_says_what_an_import_would_do(site_db: str) -> None:
    dry = run_import(site_db, "wxr", str(THEME), "--site", "blog", "--map-url", MAP, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[:4] == [
        "Dry run: nothing was written. This is what an import would do:",
        "WordPress WXR export theme-unit-test-data.xml → site blog",
        "Threads: 7 (7 new)",
        "Comments: 29 new (approved 26, pending 3), 0 updated, 0 unchanged",
    ]
    assert rows(site_db, sa.select(comments.c.id)) == []
    assert rows(site_db, sa.select(events.c.kind)) == []
    assert thread(site_db, TEMPLATE_COMMENTS)["comments"] == []


HOSTILE = (
    '<script>alert("x")</script><p onclick="alert(1)">Hi <a href="javascript:alert(2)">there</a></p>'
    '<img src=x onerror="alert(3)">'
)


def test_edge_cases_of_a_small_file(site_db: str, tmp_path: Path) -> None:
    export = tmp_path / "edge.xml"
    export.write_bytes(
        wxr(
            comment("10", parent="11", content="reply first"),  # its parent comes later in the file
            comment("11", content="parent later"),
            comment("20", parent="21", content="cycle a"),  # 20 and 21 are each other's parent
            comment("21", parent="20", content="cycle b"),
            comment("30", parent="99", content="orphan"),  # 99 is not in the file
            comment("11", content="same id again"),
            comment("40", date="1970-01-02 00:00:00", content="too old"),
            comment("41", date="2999-01-01 00:00:00", content="too new"),
            comment("50", content=HOSTILE, url="javascript:alert(4)", author="  Mal\n lory "),
            comment("60", approved="trash", content="binned"),
            comment("70", approved="spam", content="buy"),
        )
    )
    result = run_import(site_db, "wxr", str(export), "--site", "blog")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:4] == [
        "Threads: 1 (1 new)",
        "Comments: 8 new (approved 6, deleted 1, spam 1), 0 updated, 0 unchanged",
        "Skipped: 3 (date-in-future 1, date-too-old 1, duplicate-id 1)",
    ]
    assert (
        "  line 3: website-dropped ('javascript:alert(4)': website must be an http:// or https:// address)"
        in lines
    )
    assert any(line.startswith("  line 3: parent-missing (its parent '99'") for line in lines)
    assert any(line.startswith("  line 3: parent-missing (its parent '21'") for line in lines)
    view = thread(site_db, "https://blog.example/a-post/")
    assert view["thread"]["count"] == 6
    shown = {c["text"]: c for c in view["comments"]}
    assert shown["reply first"]["parent"] == shown["parent later"]["id"]
    assert shown["cycle a"]["parent"] is None  # the cycle is broken at its first member…
    assert shown["cycle b"]["parent"] == shown["cycle a"]["id"]  # …and the rest hangs from it
    assert shown["orphan"]["parent"] is None
    hostile = shown["Hi there"]  # the script and the image are gone, the javascript: link is text
    assert hostile["html"] == "<p>Hi there</p>"
    assert hostile["author"]["name"] == "Mal lory" and hostile["author"].get("website") is None
    assert all(c["status"] == "approved" for c in view["comments"])  # a lone deleted one is not shown
    deleted = rows(
        site_db,
        sa.select(comments.c.text, comments.c.html, comments.c.author_name, comments.c.author_email).where(
            comments.c.status == "deleted"
        ),
    )
    assert deleted == [("", "", "", None)]  # a placeholder: nothing of the binned comment is kept
    ips = rows(site_db, sa.select(comments.c.ip).distinct())
    assert ips == [("203.0.113.0/24",)]  # anonymised as ours are


def test_disqus_and_commento_exports(site_db: str) -> None:
    laisky = run_import(
        site_db,
        "disqus",
        str(FILES / "disqus" / "laisky-blog-export.xml"),
        "--site",
        "blog",
        "--map-url",
        f"https://blog.laisky.com={ORIGIN}",
    )
    assert laisky.exit_code == 0, laisky.output
    lines = laisky.output.splitlines()
    assert lines[2] == "Comments: 209 new (deleted 4, published 204, spam 1), 0 updated, 0 unchanged"
    assert lines[3] == "Skipped: 0"  # the three empty messages are three of the four deleted posts
    mapped = [c for (c,) in rows(site_db, sa.select(comments.c.thread_id).distinct())]
    assert len(mapped) == 61
    commento = run_import(
        site_db,
        "commento",
        str(FILES / "commento" / "remark42-migrator-commento.json"),
        "--site",
        "blog",
        "--map-url",
        f"https://example.com={ORIGIN}",
    )
    assert commento.exit_code == 0, commento.output
    assert commento.output.splitlines()[1:3] == [
        "Threads: 2 (2 new)",
        "Comments: 3 new (approved 3), 0 updated, 0 unchanged",
    ]
    view = thread(site_db, f"{ORIGIN}/blog/post/1")
    assert [(c["text"], c["parent"] is not None) for c in view["comments"]] == [
        ("Example 2 comment created by user.", False),
        ("Great reply!", True),
    ]
    assert view["thread"]["count"] == 2


def test_a_malformed_file_stops_with_its_position(site_db: str, tmp_path: Path) -> None:
    broken = run_import(site_db, "disqus", str(FILES / "disqus" / "remark42-disqus.xml"), "--site", "blog")
    assert broken.exit_code == 1
    assert (
        "Stopped at line 1, column 1: not well-formed XML: Start tag expected, '<' not found" in broken.output
    )
    assert rows(site_db, sa.select(comments.c.id)) == []
    # Without its first byte, the posts before the broken attribute are imported, and the error named.
    fixed = tmp_path / "disqus.xml"
    fixed.write_bytes((FILES / "disqus" / "remark42-disqus.xml").read_bytes()[1:])
    partial = run_import(site_db, "disqus", str(fixed), "--site", "blog")
    assert partial.exit_code == 1
    assert partial.output.splitlines()[2] == "Comments: 4 new (published 3, spam 1), 0 updated, 0 unchanged"
    assert "Stopped at line 147, column 24" in partial.output


def test_hostile_xml_is_refused(site_db: str, tmp_path: Path) -> None:
    from tests.importers.test_wxr import BILLION_LAUGHS

    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(wxr(comment("1", author="&lol9;"), prolog=BILLION_LAUGHS))
    result = run_import(site_db, "wxr", str(bomb), "--site", "blog")
    assert result.exit_code == 1
    assert "Stopped at line 1: the file declares a DTD" in result.output
    assert rows(site_db, sa.select(comments.c.id)) == []


def test_mistakes_on_the_command_line(site_db: str, tmp_path: Path) -> None:
    nosite = run_import(site_db, "wxr", str(THEME), "--site", "nope")
    assert nosite.exit_code == 1 and "there is no site named 'nope'" in nosite.output
    badmap = run_import(site_db, "wxr", str(THEME), "--site", "blog", "--map-url", "no-equals")
    assert badmap.exit_code == 2 and "OLD_PREFIX=NEW_PREFIX" in badmap.output
    wrong = run_import(site_db, "disqus", str(THEME), "--site", "blog")
    assert wrong.exit_code == 1 and "is not in the Disqus XML format" in wrong.output
    unknown = run_import(site_db, "mt", str(THEME), "--site", "blog")
    assert unknown.exit_code == 2 and "'mt' is not one of" in unknown.output
    not_sqlite = run_import(site_db, "isso", str(THEME), "--site", "blog")
    assert not_sqlite.exit_code == 1 and "is not in the Isso database format" in not_sqlite.output
    assert rows(site_db, sa.select(comments.c.id)) == []


def test_a_disqus_reply_before_its_parent_across_batches(site_db: str, tmp_path: Path) -> None:
    export = tmp_path / "d.xml"
    export.write_bytes(disqus(post("2", parent="1"), *[post(str(n)) for n in range(3, 600)], post("1")))
    result = run_import(site_db, "disqus", str(export), "--site", "blog")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2] == "Comments: 599 new (published 599), 0 updated, 0 unchanged"
    view = thread(site_db, "https://blog.example/p")
    assert view["thread"]["count"] == 599


EVERY_FILE = [
    (
        "wxr",
        "wxr/theme-unit-test-data.xml",
        0,
        "Comments: 29 new (approved 26, pending 3), 0 updated, 0 unchanged",
    ),
    ("wxr", "wxr/valid-wxr-1.1.xml", 0, "Comments: 1 new (approved 1), 0 updated, 0 unchanged"),
    (
        "wxr",
        "wxr/test-serialized-comment-meta.xml",
        0,
        "Comments: 1 new (approved 1), 0 updated, 0 unchanged",
    ),
    # Comment 1 of the same blog (http://localhost/) as valid-wxr-1.1.xml, with another text: taken as a change.
    ("wxr", "wxr/slashes.xml", 0, "Comments: 0 new, 1 updated, 0 unchanged"),
    (
        "disqus",
        "disqus/laisky-blog-export.xml",
        0,
        "Comments: 209 new (deleted 4, published 204, spam 1), 0 updated, 0 unchanged",
    ),
    ("disqus", "disqus/schnack-disqus.xml", 0, "Comments: 5 new (published 5), 0 updated, 0 unchanged"),
    ("disqus", "disqus/remark42-disqus.xml", 1, "Comments: 0 new, 0 updated, 0 unchanged"),
    ("disqus", "disqus/remark42-disqus-deleted-thread.xml", 1, "Comments: 0 new, 0 updated, 0 unchanged"),
    (
        "commento",
        "commento/remark42-migrator-commento.json",
        0,
        "Comments: 3 new (approved 3), 0 updated, 0 unchanged",
    ),
    # Its seven comments have neither Markdown nor HTML: kept as placeholders, so that replies stay threaded.
    (
        "commento",
        "commento/remark42-rest-api-commento.json",
        0,
        "Comments: 7 new (deleted 7), 0 updated, 0 unchanged",
    ),
]


def test_every_real_export_file(site_db: str) -> None:
    for fmt, name, status, line in EVERY_FILE:
        result = run_import(site_db, fmt, str(FILES / name), "--site", "blog")
        assert (result.exit_code, result.output.splitlines()[2]) == (status, line), result.output
    stored = rows(site_db, sa.select(sa.func.count()).select_from(imported_comments))
    assert stored == [(29 + 1 + 1 + 209 + 5 + 3 + 7,)]


def test_a_huge_comment_stops_the_import_at_its_line(site_db: str, tmp_path: Path) -> None:
    """libxml2 refuses a text node over 10 MB (lxml huge_tree off), so a file holding one cannot make the
    reader allocate its size; the import stops there, after the comments before it."""
    huge = tmp_path / "huge.xml"
    huge.write_bytes(wxr(comment("1"), comment("2", content="x" * (11 * 1024 * 1024))))
    result = run_import(site_db, "wxr", str(huge), "--site", "blog")
    assert result.exit_code == 1
    assert "Stopped at line 3, column " in result.output and "huge" in result.output.lower()


def test_a_remark42_backup(site_db: str) -> None:
    backup = FILES / "remark42" / "radio-t-backup.jsonl"
    mapping = f"https://radio-t.example={ORIGIN}"
    result = run_import(site_db, "remark42", str(backup), "--site", "blog", "--map-url", mapping)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:4] == [
        "Threads: 1 (1 new)",
        "Comments: 5 new (deleted 1, published 3, spam 1), 0 updated, 0 unchanged",
        "Skipped: 0",
    ]
    view = thread(site_db, f"{ORIGIN}/p/2017/12/20/podcast-576/")
    assert view["thread"]["title"] == "Podcast 576" and view["thread"]["count"] == 3
    by_text = {c["text"]: c for c in view["comments"]}
    first = by_text["First! With a [link](https://radio-t.example)"]
    assert (
        first["html"]
        == '<p>First! With a <a href="https://radio-t.example" rel="nofollow noopener ugc">link</a></p>'
    )
    assert by_text["A reply, *edited*"]["parent"] == first["id"]
    assert by_text["Imported from Disqus once"]["parent"] == by_text["A reply, *edited*"]["id"]
    assert "buy cheap pills" not in by_text  # its author is blocked there: spam here, shown to nobody
    again = run_import(site_db, "remark42", str(backup), "--site", "blog", "--map-url", mapping)
    assert again.output.splitlines()[2] == "Comments: 0 new, 0 updated, 5 unchanged"


def execute(db_url: str, *statements: str) -> None:
    import asyncio

    async def go() -> None:
        url, args = driver_url(db_url)
        engine = create_async_engine(url, connect_args=args)
        try:
            async with engine.begin() as conn:
                for statement in statements:
                    await conn.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    asyncio.run(go())


# A database that refuses one row (as a constraint or a concurrent import of the same file would): the
# refusal is the database's own, raised by a trigger, on both backends.
REFUSE = {
    "sqlite": (
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON comments WHEN NEW.text LIKE '%poison%' "
        "BEGIN SELECT RAISE(ABORT, 'poison refused'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN IF NEW.text LIKE '%poison%' THEN "
        "RAISE EXCEPTION 'poison refused' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
    ),
}
ALLOW = {"sqlite": ("DROP TRIGGER refuse_poison",), "postgresql": ("DROP TRIGGER refuse_poison ON comments",)}


def test_a_refused_comment_is_reported_and_the_rest_of_its_batch_imported(
    site_db: str, tmp_path: Path
) -> None:
    backend = "sqlite" if site_db.startswith("sqlite") else "postgresql"
    execute(site_db, *REFUSE[backend])
    export = tmp_path / "poison.xml"
    export.write_bytes(
        wxr(
            comment("1", content="first") + "\n",
            comment("2", parent="1", content="reply to first") + "\n",
            comment("3", content="poison pill") + "\n",  # line 5
            comment("4", parent="3", content="reply to the refused one") + "\n",
            comment("5", parent="6", content="reply before its parent") + "\n",
            comment("6", content="late parent") + "\n",
        )
    )
    result = run_import(site_db, "wxr", str(export), "--site", "blog")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:5] == [
        "Threads: 1 (1 new)",
        "Comments: 5 new (approved 5), 0 updated, 0 unchanged",
        "Skipped: 1 (write-failed 1)",
        "  line 5: write-failed (the database refused it: "
        "The change conflicts with existing data; reload and try again)",
    ]
    assert any(line.startswith("  line 6: parent-missing (its parent '3'") for line in lines)
    view = thread(site_db, "https://blog.example/a-post/")
    assert view["thread"]["count"] == 5  # recounted once, for the rows that are there
    shown = {c["text"]: c for c in view["comments"]}
    assert sorted(shown) == [
        "first",
        "late parent",
        "reply before its parent",
        "reply to first",
        "reply to the refused one",
    ]
    assert shown["reply to first"]["parent"] == shown["first"]["id"]
    assert shown["reply before its parent"]["parent"] == shown["late parent"]["id"]
    assert shown["reply to the refused one"]["parent"] is None
    assert rows(site_db, sa.select(sa.func.count()).select_from(imported_comments)) == [(5,)]

    execute(site_db, *ALLOW[backend])  # the cause removed, the same command completes the import
    again = run_import(site_db, "wxr", str(export), "--site", "blog")
    assert again.output.splitlines()[2:4] == [
        "Comments: 1 new (approved 1), 1 updated, 4 unchanged",
        "Skipped: 0",
    ]
    shown = {c["text"]: c for c in thread(site_db, "https://blog.example/a-post/")["comments"]}
    assert shown["reply to the refused one"]["parent"] == shown["poison pill"]["id"]
