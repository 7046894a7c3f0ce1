"""The pipeline's facts query on SQLite: every shape reads comments only through the author's, identity's,
network's and text's own indexes. Without ANALYZE statistics SQLite would otherwise pick the status index
(every approved comment of the site) or walk the site's window thread by thread (tens of ms on a site with
50,000 comments, measured in bench/scenarios/moderation.py)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from rejoinder.store import migrate
from rejoinder.store.checks import _facts_query

GOOD = {
    "ix_comments_author_created",
    "ix_comments_identity",
    "ix_comments_ip_created",
    "ix_comments_text_hash",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "plans.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


SHAPES = list(
    itertools.product(
        (None, "id", "key", "uri"),  # how the thread is named
        (False, True),  # same-text count
        (None, "author", "identity"),  # approved count
        (None, (False, False, False), (True, True, False), (True, True, True)),  # recent: identity, ip, edit
    )
)


@pytest.mark.parametrize(("thread_by", "same_text", "approved", "recent"), SHAPES)
def test_comments_are_read_through_their_selective_indexes(
    database: Path,
    thread_by: str | None,
    same_text: bool,
    approved: str | None,
    recent: tuple[bool, bool, bool] | None,
) -> None:
    query = _facts_query(
        thread_by=thread_by,
        same_text=same_text,
        approved=approved,
        with_roles=approved == "identity",
        recent=recent,
    )
    compiled = query.compile(dialect=sqlite.dialect())
    values = {"site_id": 1, "thread_id": 1, "uri": "u", "key": "k", "text_hash": "h", "since": 0}
    values |= {"author_key": "a", "identity_id": "i", "ip": "n", "exclude": "c"}
    args = [values.get(name, compiled.binds[name].value) for name in compiled.positiontup or ()]
    with sqlite3.connect(database) as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {compiled}", args)]
    on_comments = [step for step in plan if " comments" in step]
    for step in on_comments:
        assert step.startswith("SEARCH comments USING INDEX "), plan
        assert step.split()[4] in GOOD, plan
    expected = (
        int(same_text) + int(approved is not None) + (1 + int(recent[0]) + int(recent[1]) if recent else 0)
    )
    assert len(on_comments) == expected, plan
