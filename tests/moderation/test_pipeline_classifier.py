"""The pipeline with the real learning classifier (its built-in model, in memory): obvious spam is held with
the classifier's explanation recorded, an insult is nudged, and moderators' decisions become the site's
labelled examples (rows of the database)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.checks.classifier import ClassifierScorer
from rejoinder.moderation.classifier import Classifier, Label
from rejoinder.moderation.pipeline import Pipeline
from rejoinder.services import moderation as service
from rejoinder.store import classifier as classifier_store
from rejoinder.store import engine as store_engine
from tests.moderation.test_pipeline import SYSTEM, call, ctx_of, moderated_client, post, revisions, shown_ids

SPAM = "BUY CHEAP VIAGRA NOW!!! best prices at http://pills-shop.xyz click here"
INSULT = "You are a stupid idiot and everyone hates you, shut up moron"
FINE = "I think the council should publish the budget before the vote."


@pytest.fixture
def classifier() -> Iterator[Classifier]:
    c = Classifier(None)
    yield c
    c.close()


@pytest.fixture
def client(site_db: str, classifier: Classifier) -> Iterator[Any]:
    with moderated_client(site_db, classifier=True) as c:
        ctx = ctx_of(c)
        assert ctx.moderation is not None
        ctx.moderation.pipeline = Pipeline(ctx.settings.moderation, scorer=ClassifierScorer(classifier))
        ctx.moderation.sink = service.ClassifierSink(classifier, train_every=1000)
        yield c


def test_obvious_spam_is_held_with_the_classifiers_reasons(client: Any) -> None:
    held = post(client, SPAM).json()
    assert (held["status"], held["reason"]) == (
        "pending",
        "This comment looks like spam to our filter; a moderator will check it.",
    )
    [rev] = revisions(client, held["id"])
    assert rev.spam_score is not None and rev.spam_score > 0.85
    assert rev.classifier["model"] == "built-in v1"
    assert any(r["feature"] == "pills-shop.xyz" for r in rev.classifier["reasons"])
    fine = post(client, FINE, ip="192.0.2.1", name="Bea").json()
    assert fine["status"] == "published"
    assert shown_ids(client) == [fine["id"]]


def test_an_insult_is_nudged_and_held_when_posted_anyway(client: Any) -> None:
    nudged = post(client, INSULT)
    assert nudged.status_code == 422
    assert nudged.json()["code"] == "comment-needs-revision"
    assert post(client, INSULT, confirm=True).json()["status"] == "pending"


def test_decisions_become_labelled_examples(client: Any, classifier: Classifier) -> None:
    spam = post(client, SPAM).json()
    fine = post(client, FINE, ip="192.0.2.1", name="Bea").json()
    rude = post(client, INSULT, confirm=True, ip="192.0.2.2", name="Cy").json()
    call(client, lambda ctx: service.decide(ctx, SYSTEM, spam["id"], ModAction.SPAM))
    call(client, lambda ctx: service.decide(ctx, SYSTEM, fine["id"], ModAction.APPROVE))
    call(client, lambda ctx: service.decide(ctx, SYSTEM, rude["id"], ModAction.REJECT, reason="harassment"))
    # The classifier learns when the outbox delivers the decisions' events.
    call(client, lambda ctx: client.rejoinder.dispatcher.settle())  # type: ignore[attr-defined]
    site = call(client, lambda ctx: ctx.sites.by_name("blog"))
    assert site is not None
    learned = call(client, lambda ctx: decision_rows(ctx, site.id))
    assert {(d.text, d.label, d.author_name) for d in learned} == {
        (SPAM, Label.SPAM.value, "Ann"),
        (FINE, Label.HAM.value, "Bea"),
        (INSULT, Label.ABUSE.value, "Cy"),
    }
    assert classifier.decisions(site.id) == []  # rows in the database, shared by every host


async def decision_rows(ctx: Any, site_id: int) -> list[classifier_store.StoredDecision]:
    async with store_engine.read(ctx.engine) as conn:
        return await classifier_store.select_decisions(conn, site_id)


class Fixed:
    """A stand-in scorer (same Protocol as the real one) with set scores."""

    def __init__(self, spam: float, abuse: float) -> None:
        self.spam, self.abuse = spam, abuse

    def score(self, text: str, signals: Any) -> Any:
        from rejoinder.moderation.checks.classifier import Scored

        return Scored(spam=self.spam, abuse=self.abuse, reasons=({"feature": "x"},), model="fixed")


@pytest.mark.parametrize(
    ("spam", "abuse", "overrides", "expected"),
    [
        (0.9, 0.0, {}, [("likely-spam", "hold")]),
        (0.6, 0.0, {}, [("possible-spam", "flag")]),
        (0.0, 0.95, {}, [("possibly-abusive", "nudge")]),
        (0.0, 0.95, {"abuse_nudge": 100}, [("likely-abusive", "hold")]),
        (0.0, 0.6, {}, [("possibly-abusive", "flag")]),
        (0.1, 0.1, {}, []),
        (
            0.9,
            0.9,
            {"spam_hold": 100, "spam_flag": 100, "abuse_nudge": 100, "abuse_hold": 100, "abuse_flag": 100},
            [],
        ),
    ],
)
def test_the_scores_meet_the_thresholds(
    spam: float, abuse: float, overrides: dict[str, int], expected: list[tuple[str, str]]
) -> None:
    import asyncio

    from rejoinder import config
    from rejoinder.domain.sites import Site, SiteOptions
    from rejoinder.moderation.rules import Facts, Submission

    settings = config.load(env={}, overrides={"moderation": overrides})
    pipeline = Pipeline(settings.moderation, scorer=Fixed(spam, abuse))
    policy = pipeline.policy_for(Site(id=1, name="blog", origins=(), options=SiteOptions()))
    sub = Submission(site_id=1, text="words", html="<p>words</p>", author_name="A", author_key="k", now=1)
    outcome = asyncio.run(pipeline.run(sub, Facts(), policy))
    assert [(f.code, f.action.value) for f in outcome.findings] == expected
    assert (outcome.spam, outcome.abuse) == (spam, abuse)
    assert outcome.explanation == {"model": "fixed", "reasons": [{"feature": "x"}]}
