"""services/moderation/learning.py with two apps on one database (two hosts): a moderator's decision made
through one is a row both share, stored once per event; the model it trains is recorded by version, and
the other host picks it up, by fitting the same version from the same rows (its own model directory) or
by loading the file (a shared directory) when it next judges a comment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.events.kinds import EventKind
from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.checks.classifier import ClassifierScorer
from rejoinder.moderation.classifier import Classifier, Example
from rejoinder.moderation.pipeline import Pipeline
from rejoinder.services import moderation as service
from rejoinder.services.context import Context
from rejoinder.services.moderation.runtime import Decision
from rejoinder.store import classifier as store
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import events
from tests.moderation.test_pipeline import SYSTEM, call, ctx_of, moderated_client, post

SPAM = [
    "Zorblax gummies melt belly fat overnight, trial pack at http://zorblax-deals.example",
    "My aunt lost 20 kg with zorblax gummies, free trial pack: http://zorblax-deals.example/aunt",
]
HAM = [
    "The council should publish the budget before the vote, not after it.",
    "Thanks for the photos of the harbour festival, the boats looked great this year.",
]
PROBE = Example("Zorblax gummies trial pack, order today")


class Host:
    """One app with its own classifier (model directory) and decision sink, and a settable clock for the
    sink's checks of models trained elsewhere."""

    def __init__(self, client: TestClient[Any], classifier: Classifier, sink: service.ClassifierSink) -> None:
        self.client, self.classifier, self.sink = client, classifier, sink
        self.now = 0.0

    def call(self, fn: Any) -> Any:
        return call(self.client, fn)

    def site_id(self) -> int:
        site = self.call(lambda ctx: ctx.sites.by_name("blog"))
        assert site is not None
        return int(site.id)


@contextmanager
def host(site_db: str, directory: Path) -> Iterator[Host]:
    with moderated_client(site_db, classifier=True, model_dir=str(directory)) as client:
        assert client.rejoinder.ctx.moderation.sink.classifier.directory == directory  # type: ignore[attr-defined]
        # The app's own classifier with fewer decisions needed, so that four decisions train a model.
        classifier = Classifier(directory, min_decisions=4)
        made = Host(client, classifier, service.ClassifierSink(classifier, train_every=4))
        made.sink.monotonic = lambda: made.now
        ctx = ctx_of(client)
        assert ctx.moderation is not None
        ctx.moderation.pipeline = Pipeline(ctx.settings.moderation, scorer=ClassifierScorer(classifier))
        ctx.moderation.sink = made.sink
        try:
            yield made
        finally:
            classifier.close()


def decide_four(a: Host) -> int:
    """Two comments marked as spam and two approved through host `a`, delivered by its outbox; returns
    the site id once the training they start has finished."""
    ids = [
        post(a.client, text, ip=f"192.0.2.{n}", name=f"W{n}").json()["id"]
        for n, text in enumerate(SPAM + HAM)
    ]
    for comment_id, action in zip(ids, [ModAction.SPAM] * 2 + [ModAction.APPROVE] * 2, strict=True):
        a.call(lambda ctx, c=comment_id, act=action: service.decide(ctx, SYSTEM, c, act))
    a.call(lambda ctx: a.client.rejoinder.dispatcher.settle())  # type: ignore[attr-defined]
    a.call(lambda ctx: a.sink.drain())
    return a.site_id()


async def model_and_rows(ctx: Context, site_id: int) -> tuple[store.ModelRecord | None, list[Any]]:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_model(conn, site_id), await store.select_decisions(conn, site_id)


def test_a_decision_on_one_host_trains_a_model_the_other_fits_from_the_same_rows(
    site_db: str, tmp_path: Path
) -> None:
    with host(site_db, tmp_path / "a") as a, host(site_db, tmp_path / "b") as b:
        site_id = decide_four(a)
        record, rows = b.call(lambda ctx: model_and_rows(ctx, site_id))
        assert [(r.text, r.label) for r in rows] == [
            (SPAM[0], "spam"),
            (SPAM[1], "spam"),
            (HAM[0], "ham"),
            (HAM[1], "ham"),
        ]
        assert record is not None
        assert (record.version, record.decisions_seen) == (1, rows[-1].id)
        assert a.classifier.site_version(site_id) == 1
        assert b.classifier.site_version(site_id) == 0
        assert not (tmp_path / "b" / "sites").exists()

        assert b.call(lambda ctx: b.sink.refresh(ctx)) == [site_id]
        assert b.classifier.site_version(site_id) == 1
        assert b.classifier.score(PROBE, site_id) == a.classifier.score(PROBE, site_id)
        assert (tmp_path / "b" / "sites" / str(site_id) / "model.npz").is_file()
        assert b.call(lambda ctx: b.sink.refresh(ctx)) == []  # up to date: nothing to do


def test_a_host_sharing_the_model_directory_loads_the_file_when_it_next_judges(
    site_db: str, tmp_path: Path
) -> None:
    shared = tmp_path / "models"
    with host(site_db, shared) as a, host(site_db, shared) as b:
        b.classifier.reload_after = 3600.0  # only the refresh may make it look at the file again
        assert b.classifier.site_version(1) == 0
        site_id = decide_four(a)
        assert b.classifier.site_version(site_id) == 0
        b.now = 10.0  # past check_every: the next judged comment looks at the recorded versions
        post(b.client, "An ordinary remark about the harbour.", ip="192.0.2.50", name="Dee")
        b.call(lambda ctx: b.sink.drain())
        assert b.classifier.site_version(site_id) == 1
        assert b.classifier.model_for(site_id).info == a.classifier.model_for(site_id).info


def test_a_redelivered_decision_is_stored_once(site_db: str, tmp_path: Path) -> None:
    with host(site_db, tmp_path / "a") as a:
        made = post(a.client, HAM[0]).json()
        a.call(lambda ctx: service.decide(ctx, SYSTEM, made["id"], ModAction.APPROVE))
        a.call(lambda ctx: a.client.rejoinder.dispatcher.settle())  # type: ignore[attr-defined]

        async def again(ctx: Context) -> bool:
            async with store_engine.read(ctx.engine) as conn:
                query = sa.select(events.c.uid).where(events.c.kind == EventKind.COMMENT_STATUS_CHANGED.value)
                uid = (await conn.execute(query)).scalar_one()
                comment = await service.moderated(conn, made["id"])
            return await a.sink.decided(ctx, Decision(uid, comment, ModAction.APPROVE, None))

        assert a.call(again) is False
        site_id = a.site_id()
        _, rows = a.call(lambda ctx: model_and_rows(ctx, site_id))
        assert [(r.comment_id, r.label) for r in rows] == [(made["id"], "ham")]


@pytest.mark.parametrize(
    ("action", "reason", "label"),
    [
        (ModAction.APPROVE, None, "ham"),
        (ModAction.APPROVE, "political-speech", "politics"),
        (ModAction.SPAM, None, "spam"),
        (ModAction.REJECT, "harassment", "abuse"),
        (ModAction.REJECT, "off-topic", None),
        (ModAction.HOLD, None, None),
    ],
)
def test_which_decisions_teach_what(action: ModAction, reason: str | None, label: str | None) -> None:
    from rejoinder.services.moderation.learning import label_of

    assert label_of(action, reason) == label


@pytest.mark.parametrize(
    ("url", "model_dir", "expected"),
    [
        ("sqlite:////srv/rejoinder/comments.db", "", Path("/srv/rejoinder/comments.db.models")),
        (
            "sqlite:////srv/rejoinder/comments.db",
            "/var/lib/rejoinder/models",
            Path("/var/lib/rejoinder/models"),
        ),
        ("postgresql://rejoinder@db/comments", "", Path.cwd() / "rejoinder-models"),
        ("sqlite:///:memory:", "", Path.cwd() / "rejoinder-models"),
    ],
)
def test_where_model_files_live(url: str, model_dir: str, expected: Path) -> None:
    from rejoinder import config
    from rejoinder.services.moderation.learning import model_directory

    settings = config.load(
        env={}, overrides={"database": {"url": url}, "moderation": {"model_dir": model_dir}}
    )
    assert model_directory(settings) == expected


def test_decision_logs_of_an_earlier_version_become_rows_once(site_db: str, tmp_path: Path) -> None:
    import json

    shared = tmp_path / "models"
    with host(site_db, shared) as a, host(site_db, shared) as b:
        site_id = a.site_id()
        log_file = shared / "sites" / str(site_id) / "decisions.jsonl"
        log_file.parent.mkdir(parents=True)
        lines = [
            {
                "text": SPAM[0],
                "name": "W0",
                "website": "",
                "new_author": True,
                "label": "spam",
                "key": "c1",
                "at": "2026-11-01T10:00:00+00:00",
            },
            {
                "text": HAM[0],
                "name": "W1",
                "website": "https://w1.example",
                "new_author": False,
                "label": "ham",
                "key": "c2",
                "at": "2026-11-02T10:00:00+00:00",
            },
        ]
        log_file.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in lines) + b'{"text": "torn')
        orphan = shared / "sites" / "999" / "decisions.jsonl"  # a site that no longer exists
        orphan.parent.mkdir(parents=True)
        orphan.write_bytes(log_file.read_bytes())

        assert a.call(lambda ctx: a.sink.import_decision_logs(ctx)) == 2
        log_file.with_name("decisions.jsonl.imported").rename(log_file)  # as if another host still saw it
        assert b.call(lambda ctx: b.sink.import_decision_logs(ctx)) == 0  # the same lines: no new rows

        _, rows = a.call(lambda ctx: model_and_rows(ctx, site_id))
        assert [(r.comment_id, r.label, r.text, r.author_name, r.website, r.created) for r in rows] == [
            ("c1", "spam", SPAM[0], "W0", "", 1_793_527_200_000_000),
            ("c2", "ham", HAM[0], "W1", "https://w1.example", 1_793_613_600_000_000),
        ]
        assert not log_file.exists() and log_file.with_name("decisions.jsonl.imported").is_file()
        assert orphan.is_file()  # left alone
