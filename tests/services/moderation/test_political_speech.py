"""A moderator's "not abuse: political speech" (approve with reason political-speech) is a decision the
site's model learns from, stored with its own label; the site's admin page lists the words the site's
model now weighs differently from the built-in one, in the comments' own language."""

from __future__ import annotations

from pathlib import Path

import pytest

from rejoinder.errors import Invalid
from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.classifier import Example
from rejoinder.services import moderation as service
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from tests.moderation.test_pipeline import SYSTEM, post
from tests.services.moderation.test_learning import host, model_and_rows

# Strong political language the built-in model scores as likely abuse (German; the held-out kinds'
# vocabulary), and two real insults.
POLITICAL = [
    "Dieses korrupte Kabinett ist eine Schande, ein Verrat an den Wählern. Rücktritt sofort!",
    "Korrupt, zynisch, verlogen: diese Regierung verkauft uns alle. Eine Schande für das Land.",
]
ABUSE = [
    "Halt die Klappe, du erbärmlicher Vollidiot. Niemand will deinen Müll lesen.",
    "Du bist ein kompletter Trottel, verschwinde endlich von hier.",
]
PROBE = Example("Eine korrupte, verlogene Regierung, eine Schande für alle Wähler.")


def test_approved_as_political_speech_is_learned_with_its_own_label(site_db: str, tmp_path: Path) -> None:
    with host(site_db, tmp_path / "a") as a:
        ids = [
            # confirm: posted as written after the classifier's nudge to rephrase (held for review)
            post(a.client, text, ip=f"192.0.2.{n}", name=f"W{n}", confirm=True).json()["id"]
            for n, text in enumerate(POLITICAL + ABUSE)
        ]
        before = a.classifier.score(PROBE, 1)
        for comment_id in ids[:2]:
            a.call(
                lambda ctx, c=comment_id: service.decide(
                    ctx, SYSTEM, c, ModAction.APPROVE, reason="political-speech"
                )
            )
        for comment_id in ids[2:]:
            a.call(lambda ctx, c=comment_id: service.decide(ctx, SYSTEM, c, ModAction.REJECT, reason="abuse"))
        a.call(lambda ctx: a.client.rejoinder.dispatcher.settle())  # type: ignore[attr-defined]
        a.call(lambda ctx: a.sink.drain())
        site_id = a.site_id()

        record, rows = a.call(lambda ctx: model_and_rows(ctx, site_id))
        assert [(r.text, r.label) for r in rows] == [
            (POLITICAL[0], "politics"),
            (POLITICAL[1], "politics"),
            (ABUSE[0], "abuse"),
            (ABUSE[1], "abuse"),
        ]
        assert record is not None and record.version == 1
        info = a.classifier.model_for(site_id).info
        assert info.decisions == {"abuse": 2, "politics": 2}
        after = a.classifier.score(PROBE, site_id)
        assert after.abuse < before.abuse, (before.abuse, after.abuse)

        learned = a.call(lambda ctx: service.learned_words(ctx, SYSTEM, site_id))
        assert learned.model == f"site {site_id} v1"
        assert learned.decisions == {"abuse": 2, "politics": 2}
        assert learned.min_decisions == 4
        by_word = {(w.target, w.word): w for w in learned.words}
        # The approved comments' own words now push abuse down (more of them than move up: two decisions
        # of each kind leave some noise); the insults' words push it up.
        approved_only = {"dieses", "korrupte", "kabinett", "schande", "verrat", "wahlern", "rucktritt",
                         "sofort", "korrupt", "zynisch", "verlogen", "diese", "regierung", "verkauft",
                         "uns", "alle", "eine", "fur", "das", "land", "an", "den"}  # fmt: skip
        down = [
            w.word for w in learned.words if w.target == "abuse" and w.change < 0 and w.word in approved_only
        ]
        up = [
            w.word for w in learned.words if w.target == "abuse" and w.change > 0 and w.word in approved_only
        ]
        assert len(down) >= 5 and len(down) > 2 * len(up), (down, up)
        assert by_word[("abuse", "eine")].seen == 2  # in both approved comments, in neither insult
        # Words only the insults have move up ("vollidiot" and "trottel" already weigh 3+ in the built-in
        # model, so two decisions add nothing to them; "verschwinde", "endlich" were news to it).
        insults_only = {"verschwinde", "endlich", "kompletter", "hier", "erbarmlicher", "niemand", "will",
                        "deinen", "mull", "lesen", "du", "bist", "ein", "von"}  # fmt: skip
        assert any(w.target == "abuse" and w.change > 0 and w.word in insults_only for w in learned.words)
        for w in learned.words:
            assert w.change == pytest.approx(w.site - w.builtin)
            assert abs(w.change) >= 0.05


def test_an_approval_takes_only_a_known_reason(site_db: str, tmp_path: Path) -> None:
    with host(site_db, tmp_path / "a") as a:
        made = post(a.client, POLITICAL[0]).json()
        with pytest.raises(Invalid) as caught:
            a.call(lambda ctx: service.decide(ctx, SYSTEM, made["id"], ModAction.APPROVE, reason="because"))
        assert caught.value.code == "reason-invalid"
        a.call(lambda ctx: a.client.rejoinder.dispatcher.settle())  # type: ignore[attr-defined]
        site_id = a.site_id()
        _, rows = a.call(lambda ctx: model_and_rows(ctx, site_id))
        assert rows == []

        async def status(ctx: Context) -> str:
            async with store_engine.read(ctx.engine) as conn:
                return (await service.moderated(conn, made["id"])).status.value

        assert a.call(status) == made["status"]


def test_a_site_without_a_model_of_its_own_lists_no_words(site_db: str, tmp_path: Path) -> None:
    with host(site_db, tmp_path / "a") as a:
        site_id = a.site_id()
        learned = a.call(lambda ctx: service.learned_words(ctx, SYSTEM, site_id))
        assert (learned.model, learned.decisions, learned.words) == ("built-in v1", {}, [])


def test_political_speech_weighs_more_than_a_plain_approval() -> None:
    """The same four decisions, once with the political comments approved plainly (ham) and once as
    political speech: the second site's model scores similar political language lower for abuse."""
    from rejoinder.moderation.classifier import Classifier, Label

    scores = {}
    for label in (Label.HAM, Label.POLITICS):
        classifier = Classifier(None, min_decisions=4)
        try:
            for n, text in enumerate(POLITICAL):
                classifier.learn(1, Example(text), label, key=f"p{n}")
            for n, text in enumerate(ABUSE):
                classifier.learn(1, Example(text), Label.ABUSE, key=f"a{n}")
            info = classifier.train_blocking(1)
            assert info.decisions == {"abuse": 2, label.value: 2}
            scores[label] = classifier.score(PROBE, 1).abuse
        finally:
            classifier.close()
    assert scores[Label.POLITICS] < scores[Label.HAM], scores
