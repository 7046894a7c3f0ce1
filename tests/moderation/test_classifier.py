"""moderation.classifier: scores and their reasons, learning per site, fallback, persistence, Unicode tricks,
training off the event loop, and no network."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from rejoinder.moderation.classifier import (
    Classifier,
    Example,
    Label,
    ReasonKind,
    Target,
)
from rejoinder.moderation.features import featurize
from rejoinder.moderation.training import (
    BUILTIN_DATA,
    BUILTIN_MODEL,
    BUILTIN_TRAINED_AT,
    Labelled,
    ModelFileError,
    file_digest,
    load_model,
)

ROOT = Path(__file__).resolve().parents[2]

PHARMA = Example(
    "Buy cheap viagra and cialis online without prescription, 70% off: https://pills-discount.top/buy",
    author_name="Cheap Meds",
    new_author=True,
)
HAM = Example(
    "I think the housing plan is a step in the right direction, but rents are still far too high here.",
    author_name="Maria K.",
)
INSULT = Example("@Tomas you are a pathetic idiot, nobody wants you here.", author_name="Ivan")

# A spam campaign in words the built-in data never uses: what a site's moderators have to teach it.
CAMPAIGN = [
    "Zorblax gummies melt belly fat while you sleep, order the trial pack today",
    "Try Zorblax gummies: my sister dropped two dress sizes, trial pack still available",
    "Anyone else on zorblax gummies? Belly fat gone in a month, they ship a trial pack",
    "Doctors hate the zorblax gummies trick, sleep and melt belly fat",
    "Zorblax gummies changed my life, order the trial pack before they sell out",
]
SITE_HAM = [
    "The bus route changes on Mill Lane have made my commute twenty minutes longer.",
    "Good to see the library keeping its Saturday hours after all.",
    "Does anyone know when the roadworks by the harbour will finish?",
    "The council meeting on the market square is on Thursday, worth going.",
    "Thanks for covering the school board vote, it matters to a lot of parents here.",
]


def probe(text: str) -> Example:
    return Example(text, new_author=True)


def teach(classifier: Classifier, site: int | str, rounds: int = 4) -> None:
    """rounds x (5 campaign spam + 5 ordinary) decisions."""
    n = 0
    for r in range(rounds):
        for text in CAMPAIGN:
            classifier.learn(site, Example(f"{text} {'!' * r}", new_author=True), Label.SPAM, key=f"s{n}")
            n += 1
        for text in SITE_HAM:
            classifier.learn(site, Example(f"{text} {'.' * r}"), Label.HAM, key=f"h{n}")
            n += 1


# ---------------------------------------------------------------------------------------------------------
# Scoring and reasons
# ---------------------------------------------------------------------------------------------------------


def test_obvious_cases_score_as_expected(classifier: Classifier) -> None:
    pharma, ham, insult = (classifier.score(e) for e in (PHARMA, HAM, INSULT))
    assert pharma.spam > 0.9 and pharma.abuse < 0.2
    assert ham.spam < 0.1 and ham.abuse < 0.5
    assert insult.abuse > 0.9 and insult.spam < 0.1
    for s in (pharma, ham, insult):
        assert 0.0 <= s.spam <= 1.0 and 0.0 <= s.abuse <= 1.0
        assert s.model.site_id is None and s.model.name == "built-in v1"


def test_top_spam_reason_of_pharma_link_spam_is_a_spam_word_or_its_link(classifier: Classifier) -> None:
    score = classifier.score(PHARMA)
    spam_reasons = [r for r in score.reasons if r.target is Target.SPAM]
    assert spam_reasons, score
    top = spam_reasons[0]
    assert top.kind in (ReasonKind.WORD, ReasonKind.LINK, ReasonKind.PHRASE), top
    assert top.feature in {"pills-discount.top", "viagra", "cialis", "cheap", "online", "prescription", "buy"}
    assert top.contribution > 0.5
    # Largest first, all positive, at most max_reasons per target.
    contributions = [r.contribution for r in spam_reasons]
    assert contributions == sorted(contributions, reverse=True) and min(contributions) > 0
    assert len(spam_reasons) <= 5


def test_top_abuse_reason_is_a_word_of_the_insult(classifier: Classifier) -> None:
    score = classifier.score(INSULT)
    abuse_reasons = [r for r in score.reasons if r.target is Target.ABUSE]
    assert abuse_reasons[0].kind is ReasonKind.WORD
    words = {r.feature for r in abuse_reasons}
    assert words & {"idiot", "pathetic", "nobody"}, abuse_reasons


def test_contributions_add_up_to_the_score(classifier: Classifier) -> None:
    """The explanation is exact: the entries' contributions plus the baseline are the log-odds."""
    model = classifier.model_for(None)
    for example in (PHARMA, HAM, INSULT):
        score = classifier.score(example, max_reasons=0)
        assert score.reasons == ()
        f = featurize(example, model.known_domains)
        z = model.contributions(f).sum(axis=0) + model.bias
        assert math.isclose(1 / (1 + math.exp(-z[0])), score.spam, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(1 / (1 + math.exp(-z[1])), score.abuse, rel_tol=1e-9, abs_tol=1e-12)
        # Every entry has an owner, and a word's character n-grams belong to that word.
        assert len(f.owner) == len(f.index) == len(f.value)
        assert int(f.owner.max()) < len(f.owners)


def test_signals_show_as_reasons(classifier: Classifier) -> None:
    score = classifier.score(
        Example("CALL NOW!!! WhatsApp +1 555 0123 4567 for daily profit of $5,000", new_author=True)
    )
    signals = {r.feature for r in score.reasons if r.kind is ReasonKind.SIGNAL and r.target is Target.SPAM}
    assert signals & {"contact", "money", "upper_case", "exclamations", "new_author"}, score.reasons
    assert score.spam > 0.8


def test_a_link_to_a_blocked_domain_raises_the_spam_score(classifier: Classifier) -> None:
    example = Example("Interesting, more on this at https://harmless-looking.example/page")
    plain = classifier.score(example)
    blocked = classifier.score(example, blocked_domains=frozenset({"harmless-looking.example"}))
    assert blocked.spam > plain.spam
    link = next(r for r in blocked.reasons if r.kind is ReasonKind.LINK and r.target is Target.SPAM)
    assert link.feature == "harmless-looking.example"


# ---------------------------------------------------------------------------------------------------------
# Unicode tricks score like the plain text
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tricked",
    [
        "Buy cheap v\u0456\u0430gr\u0430 and c\u0456\u0430l\u0456s online without prescription",  # Cyrillic
        "Buy cheap v\u200bi\u200ba\u200bg\u200br\u200ba and c\u200cialis online without prescription",
        "Buy cheap v i a g r a and c i a l i s online without prescription",
        "Buy cheap v1@gr@ and c1al1s online without prescription",
        "Buy cheap 𝐯𝐢𝐚𝐠𝐫𝐚 and 𝐜𝐢𝐚𝐥𝐢𝐬 online without prescription",
        "Buy cheap ᴠɪᴀɢʀᴀ and ᴄɪᴀʟɪꜱ online without prescription",
        "Buy cheap vi\u0301a\u0308gra and ci\u0300alis online without prescription",
    ],
)
def test_disguised_spam_words_still_score_spammy(classifier: Classifier, tricked: str) -> None:
    plain = classifier.score(probe("Buy cheap viagra and cialis online without prescription"))
    score = classifier.score(probe(tricked))
    assert score.spam > 0.5
    assert math.isclose(score.spam, plain.spam, abs_tol=0.02)
    # The same explanation as the plain text: the disguised words read as the plain ones.
    assert [(r.target, r.kind, r.feature) for r in score.reasons] == [
        (r.target, r.kind, r.feature) for r in plain.reasons
    ]


def test_odd_input_does_not_break_scoring(classifier: Classifier) -> None:
    for text in [
        "",
        " ",
        "\u200b" * 50,
        "🙂" * 300,
        "a" * 20000,
        "\ud800 lone surrogate",
        "x\x00y",
        "日本語のコメント",
    ]:
        score = classifier.score(Example(text, author_name=text[:50], website=text[:50]))
        assert 0.0 <= score.spam <= 1.0 and 0.0 <= score.abuse <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "a" * 20000,
        "1" * 20000,
        "1." * 10000,
        "ab.c-" * 4000,
        "www." + "a." * 10000,
        "http://x.example/" + "a" * 20000,
        "a1" * 10000,
        "1" * 20000 + "k",
        "(12) " * 4000,
        "🙂" * 20000,
    ],
    ids=lambda t: repr(t[:12]),
)
def test_scoring_time_stays_bounded_on_pathological_text(classifier: Classifier, text: str) -> None:
    """Each of these took seconds before the patterns were anchored and the text bounded."""
    classifier.score(Example("warm"))
    started = time.thread_time()
    classifier.score(Example(text, author_name=text[:300], website=text[:3000]))
    assert time.thread_time() - started < 0.25


# ---------------------------------------------------------------------------------------------------------
# Learning per site
# ---------------------------------------------------------------------------------------------------------


def test_learning_changes_that_sites_model_and_no_other(classifier: Classifier) -> None:
    probe_text = probe("My sister swears by zorblax gummies for belly fat")
    before = classifier.score(probe_text, site_id=1)
    other_before = classifier.score(probe_text, site_id=2)
    assert before.spam < 0.5, "the built-in model should not know this campaign"

    teach(classifier, 1)
    info = classifier.train_blocking(1)

    assert info.site_id == "1" and info.version == 1
    assert info.decisions == {"ham": 20, "spam": 20} and info.decisions_seen == 40
    after = classifier.score(probe_text, site_id=1)
    assert after.spam > 0.8 > before.spam
    assert after.model == info
    assert {r.feature for r in after.reasons if r.target is Target.SPAM} & {
        "zorblax",
        "gummies",
        "trial pack",
    }
    # Site 2 and the built-in model are untouched, bit for bit.
    assert classifier.score(probe_text, site_id=2) == other_before
    assert classifier.score(probe_text) == before
    # The site's ordinary comments stay ordinary.
    assert classifier.score(Example(SITE_HAM[0]), site_id=1).spam < 0.2


def test_too_few_decisions_fall_back_to_the_built_in_model(classifier: Classifier) -> None:
    for i, text in enumerate(CAMPAIGN):
        assert classifier.learn(7, probe(text), Label.SPAM, key=str(i)) == i + 1
    info = classifier.train_blocking(7)
    assert info.site_id is None  # 5 < min_decisions (20): the built-in model still scores the site
    assert not (classifier.directory / "sites" / "7" / "model.npz").exists()  # type: ignore[operator]
    example = probe(CAMPAIGN[0])
    assert classifier.score(example, site_id=7) == classifier.score(example)


def test_versions_and_pending_decisions(classifier: Classifier) -> None:
    teach(classifier, "blog")
    first = classifier.train_blocking("blog")
    assert first.version == 1
    assert classifier.learn("blog", Example("Great piece on the harbour."), Label.HAM) == 1
    assert classifier.learn("blog", probe(CAMPAIGN[1] + " now"), Label.SPAM) == 2
    second = classifier.train_blocking("blog")
    assert second.version == 2 and second.decisions_seen == 42
    assert second.trained_at >= first.trained_at
    assert classifier.learn("blog", Example("Another ordinary remark."), Label.HAM) == 1


def test_a_later_decision_on_the_same_comment_replaces_the_earlier(classifier: Classifier) -> None:
    classifier.learn(3, Example("Nice photos of the festival"), Label.HAM, key="c-42")
    classifier.learn(3, Example("Nice photos of the festival"), Label.SPAM, key="c-42")
    classifier.learn(3, Example("You absolute clown"), Label.ABUSE, key="c-43")
    decided = classifier.decisions(3)
    assert [(d.key, d.label) for d in decided] == [("c-42", Label.SPAM), ("c-43", Label.ABUSE)]


def test_abuse_decisions_teach_the_abuse_score(classifier: Classifier) -> None:
    insult = "you absolute turnip-head, go bother the parish council instead"
    before = classifier.score(Example(insult), site_id=4).abuse
    n = 0
    for r in range(4):
        for text in SITE_HAM:
            classifier.learn(4, Example(text + "." * r), Label.HAM, key=str(n))
            n += 1
        for name in ("Tomas", "Vera", "Omar", "Lena", "Ruth"):
            text = f"@{name} you absolute turnip-head{'!' * r}, nobody asked"
            classifier.learn(4, Example(text), Label.ABUSE, key=str(n))
            n += 1
    info = classifier.train_blocking(4)
    assert info.decisions == {"abuse": 20, "ham": 20}
    assert classifier.score(Example(insult), site_id=4).abuse > max(before, 0.5)


# ---------------------------------------------------------------------------------------------------------
# Persistence
# ---------------------------------------------------------------------------------------------------------


def test_a_fresh_classifier_loads_the_saved_models_and_scores_identically(
    classifier: Classifier, model_dir: Path
) -> None:
    teach(classifier, 1)
    info = classifier.train_blocking(1)
    examples = [PHARMA, HAM, INSULT, probe(CAMPAIGN[2])]
    site_scores = [classifier.score(e, site_id=1) for e in examples]
    builtin_scores = [classifier.score(e) for e in examples]

    fresh = Classifier(model_dir, min_decisions=20)
    try:
        assert [fresh.score(e, site_id=1) for e in examples] == site_scores
        assert [fresh.score(e) for e in examples] == builtin_scores
        assert fresh.model_for(1).info == info
        assert fresh.site_version(1) == 1
        assert fresh.decisions(1) == []  # decisions are the database's (services/moderation/learning.py)
    finally:
        fresh.close()


def test_the_shipped_built_in_model_is_loaded_not_refitted(model_dir: Path) -> None:
    c = Classifier(model_dir, clock=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    try:
        info = c.builtin().info
    finally:
        c.close()
    assert info == load_model(BUILTIN_MODEL).info
    assert info.trained_at == BUILTIN_TRAINED_AT and info.corpus == file_digest(BUILTIN_DATA)
    assert not (model_dir / "builtin.npz").exists()


def test_other_data_is_fitted_at_first_use_then_loaded(tmp_path: Path, model_dir: Path) -> None:
    """Data the shipped model was not fitted from (here a tenth of it): fitted once, saved, loaded after."""
    lines = gzip.decompress(BUILTIN_DATA.read_bytes()).splitlines(keepends=True)[::10]
    data = tmp_path / "small.jsonl"
    data.write_bytes(b"".join(lines))
    first = Classifier(model_dir, data=data, clock=lambda: datetime(2030, 5, 6, tzinfo=UTC))
    try:
        info = first.builtin().info
        score = first.score(PHARMA)
    finally:
        first.close()
    assert info.corpus == file_digest(data) and info.examples == len(lines)
    assert info.trained_at == datetime(2030, 5, 6, tzinfo=UTC)
    assert (model_dir / "builtin.npz").is_file()
    again = Classifier(model_dir, data=data, clock=lambda: datetime(2031, 1, 1, tzinfo=UTC))
    try:
        assert again.builtin().info == info
        assert again.score(PHARMA) == score
    finally:
        again.close()


def test_another_process_model_is_picked_up(model_dir: Path) -> None:
    """Two classifiers on one directory stand for two worker processes."""
    writer = Classifier(model_dir, min_decisions=20)
    reader = Classifier(model_dir, min_decisions=20, reload_after=0.0)
    try:
        example = probe("Zorblax gummies trial pack")
        assert reader.score(example, site_id=1).model.site_id is None
        teach(writer, 1)
        writer.train_blocking(1)
        assert reader.score(example, site_id=1) == writer.score(example, site_id=1)
        assert reader.score(example, site_id=1).model.version == 1
    finally:
        writer.close()
        reader.close()


def test_a_model_file_another_process_wrote_is_picked_up_at_once_on_reload(model_dir: Path) -> None:
    writer = Classifier(model_dir, min_decisions=20)
    reader = Classifier(model_dir, min_decisions=20, reload_after=3600.0)
    try:
        assert reader.site_version(1) == 0
        teach(writer, 1)
        writer.train_blocking(1)
        assert reader.site_version(1) == 0  # within reload_after: the cached answer
        assert reader.site_version(1, reload=True) == 1
        example = probe("Zorblax gummies trial pack")
        assert reader.score(example, site_id=1) == writer.score(example, site_id=1)
    finally:
        writer.close()
        reader.close()


def test_the_same_decisions_and_version_fit_the_same_model_anywhere(tmp_path: Path) -> None:
    """What lets a host with its own model directory catch up by fitting instead of copying files."""
    one, other = Classifier(tmp_path / "a", min_decisions=20), Classifier(tmp_path / "b", min_decisions=20)
    try:
        teach(one, 1)
        items = one.decisions(1)
        at = datetime(2026, 12, 7, tzinfo=UTC)
        first = one.fit_site(1, items, decisions_seen=99, version=4, trained_at=at)
        second = other.fit_site(1, items, decisions_seen=99, version=4, trained_at=at)
        assert first == second
        assert (first.version, first.decisions_seen, first.trained_at) == (4, 99, at)
        examples = [PHARMA, HAM, INSULT, probe(CAMPAIGN[2])]
        assert [one.score(e, site_id=1) for e in examples] == [other.score(e, site_id=1) for e in examples]
        assert (tmp_path / "a" / "sites" / "1" / "model.npz").read_bytes() == (
            tmp_path / "b" / "sites" / "1" / "model.npz"
        ).read_bytes()
    finally:
        one.close()
        other.close()


def test_model_files_hold_numbers_only(classifier: Classifier, model_dir: Path) -> None:
    teach(classifier, 1)
    classifier.train_blocking(1)
    path = model_dir / "sites" / "1" / "model.npz"
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["bias", "header", "rows", "weights"]
        assert all(npz[name].dtype != object for name in npz.files)
        header = json.loads(bytes(npz["header"]))
    assert header["info"]["site_id"] == "1"
    assert path.stat().st_size < 2_000_000


def test_a_pickled_or_broken_model_file_is_refused_and_the_site_falls_back(
    classifier: Classifier, model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site_dir = model_dir / "sites" / "5"
    site_dir.mkdir(parents=True)
    path = site_dir / "model.npz"
    # An object array is stored with pickle; loading it must not unpickle anything.
    np.savez(path, rows=np.array([object()], dtype=object), weights=np.zeros((1, 2)), bias=np.zeros(2))
    with pytest.raises(ModelFileError):
        load_model(path)
    with caplog.at_level("WARNING", logger="rejoinder.moderation.classifier"):
        score = classifier.score(HAM, site_id=5)
    assert score.model.site_id is None and "unusable" in caplog.text
    path.write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError):
        load_model(path)


def test_site_ids_cannot_escape_the_model_directory(model_dir: Path) -> None:
    c = Classifier(model_dir, min_decisions=2)
    try:
        items = [Labelled(HAM, Label.HAM), Labelled(PHARMA, Label.SPAM)]
        for site in ("../../evil", "/etc", "a/b", "..", "Blog"):
            assert c.fit_site(site, items, decisions_seen=2, version=1).site_id == site
    finally:
        c.close()
    inside = {p.resolve() for p in model_dir.rglob("model.npz")}
    assert len(inside) == 5
    assert all(model_dir.resolve() in p.parents for p in inside)
    assert not (model_dir.parent.parent / "evil").exists()


# ---------------------------------------------------------------------------------------------------------
# Background training
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_train_runs_in_the_worker_thread_and_the_loop_keeps_running(model_dir: Path) -> None:
    threads: list[str] = []

    def clock() -> datetime:
        threads.append(threading.current_thread().name)
        return datetime.now(UTC)

    c = Classifier(model_dir, min_decisions=20, clock=clock)
    try:
        teach(c, 1)
        threads.clear()
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.005)

        tick_task = asyncio.create_task(ticker())
        started = time.perf_counter()
        info = await c.train(1)
        elapsed = time.perf_counter() - started
        done.set()
        await tick_task
    finally:
        c.close()
    assert info.site_id == "1"
    assert threads and all(name.startswith("rejoinder-spam") for name in threads), threads
    # The loop ran throughout: ticks kept coming while the model was fitted.
    assert len(ticks) >= 5, (len(ticks), elapsed)
    gaps = np.diff(ticks)
    assert gaps.max() < max(0.5, elapsed / 3), (gaps.max(), elapsed)


@pytest.mark.asyncio
async def test_warm_up_and_concurrent_trainings(model_dir: Path) -> None:
    fitting = threading.Event()

    def clock() -> datetime:
        if threading.current_thread().name.startswith("rejoinder-spam"):
            fitting.set()  # train_blocking asks for the time when it fits
        return datetime.now(UTC)

    c = Classifier(model_dir, min_decisions=20, clock=clock)
    try:
        assert (await c.warm_up()).site_id is None
        teach(c, 1)
        teach(c, 2)
        # The second call for site 1 is made before the first one started: it joins it.
        a, b, again = await asyncio.gather(c.train(1), c.train(2), c.train(1))
        assert (a.site_id, b.site_id) == ("1", "2") and again == a and a.version == 1
        # Calls made while a training runs get a training of their own, after it.
        fitting.clear()
        first = asyncio.ensure_future(c.train(1))
        assert await asyncio.to_thread(fitting.wait, 60)
        second = await c.train(1)
        assert (await first).version == 2 and second.version == 3
    finally:
        c.close()


def test_in_memory_classifier_needs_no_directory() -> None:
    c = Classifier(None, min_decisions=20)
    try:
        teach(c, 1)
        assert c.train_blocking(1).site_id == "1"
        assert c.score(probe("Zorblax gummies trial pack"), site_id=1).spam > 0.8
    finally:
        c.close()


# ---------------------------------------------------------------------------------------------------------
# No network, reproducible data
# ---------------------------------------------------------------------------------------------------------

NO_NETWORK = """
import sys, tempfile
from pathlib import Path
def hook(event, args):
    if event.startswith(("socket.", "urllib.")) or event in ("http.client.connect",):
        raise SystemExit(f"network use: {event} {args!r}")
sys.addaudithook(hook)
from rejoinder.moderation.classifier import Classifier, Example, Label
with tempfile.TemporaryDirectory() as tmp:
    c = Classifier(Path(tmp), min_decisions=2)
    s = c.score(Example("Buy cheap viagra at https://pills.example"))
    c.learn(1, Example("spam text https://x.example"), Label.SPAM)
    c.learn(1, Example("fine text"), Label.HAM)
    assert c.train_blocking(1).site_id == "1"
    c.close()
print("ok", round(s.spam, 3))
"""


def test_scoring_and_training_use_no_network() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, timeout=240, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok ")


def test_shipped_data_is_what_the_generator_writes() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/make_spam_data.py", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
