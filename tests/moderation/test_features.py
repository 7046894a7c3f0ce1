"""moderation.features: links and their domains, the numeric signals, who owns each entry, and a
fingerprint that fails when the features change without FEATURE_VERSION changing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rejoinder.moderation.features import (
    FEATURE_VERSION,
    N_FEATURES,
    SIGNAL_COLUMN,
    SIGNALS,
    Example,
    ReasonKind,
    domain_of,
    domains_of,
    featurize,
    links_of,
    signals,
)
from rejoinder.moderation.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Example(
    "Buy CHEAP v1agra!!! https://pills-online.xyz/buy and call +1 555 0123 4567",
    author_name="Cheap Meds",
    website="bit.ly/x",
    new_author=True,
)

# Japanese, Arabic and a phone number: the script-aware parts of the features.
GOLDEN_SCRIPTS = Example("黙れ、この哀れなバカが。連絡は090-5550-1234 هؤلاء طفيليات")
# Amounts in several notations, and a Japanese sentence that is short in characters but not in words.
GOLDEN_NUMBERS = Example("母は毎月1,200円払っています。1.200 € o 1 200 kr, 2,5 %")


def fingerprint(example: Example) -> str:
    f = featurize(example, frozenset({"pills-online.xyz"}))
    order = np.lexsort((f.value, f.index))
    return hashlib.sha256(f.index[order].tobytes() + np.round(f.value[order], 6).tobytes()).hexdigest()[:16]


def test_features_match_their_version() -> None:
    """Saved models are only valid for the features they were fitted with. If this fails, the features
    changed: bump FEATURE_VERSION, run scripts/make_spam_data.py, and update the fingerprint."""
    assert (
        FEATURE_VERSION,
        fingerprint(GOLDEN),
        fingerprint(GOLDEN_SCRIPTS),
        fingerprint(GOLDEN_NUMBERS),
    ) == (3, "7571de8ed6e50913", "a371f990105f606f", "51155f894add7552")


def test_japanese_splits_where_the_script_changes_and_keeps_its_voicing_marks() -> None:
    """Japanese has no spaces: a clause is cut into kanji, hiragana and katakana runs, and バ stays バ
    (not ハ, as stripping accents would make it)."""
    f = featurize(Example("黙れ、この哀れなバカが。"))
    assert [o[1] for o in f.owners if o[0] is ReasonKind.WORD] == [
        "黙",
        "れ",
        "この",
        "哀",
        "れな",
        "バカ",
        "が",
    ]
    assert normalize("パンとバカ") == "パンとバカ"
    assert normalize("Z\u0337\u0322a\u0336 café") == "za cafe"


def test_hashing_does_not_depend_on_the_process() -> None:
    """CRC-32, not hash(): another process with another hash seed computes the same columns."""
    code = "from tests.moderation.test_features import GOLDEN, fingerprint; print(fingerprint(GOLDEN))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=True,
    )
    assert out.stdout.strip() == fingerprint(GOLDEN)


@pytest.mark.parametrize(
    ("text", "domains"),
    [
        ("see https://a.example/x and www.b.example", ["a.example", "b.example"]),
        ("go to c.example/page now", ["c.example"]),
        ("HTTPS://WWW.Shout.EXAMPLE/A", ["shout.example"]),
        ("mail bob@d.example or see e.g. the report", []),
        ("end of a sentence.Next one, and file.pdf and photo.jpg", []),
        ("http://127.0.0.1:8000/x", ["127.0.0.1"]),  # a bare address is a link too
        ("https://sub.domain.co.uk/path?q=1", ["sub.domain.co.uk"]),
        ("https://" + "a." * 200 + "com", []),  # past 253 characters: not a host name
    ],
)
def test_links_and_their_domains(text: str, domains: list[str]) -> None:
    assert links_of(normalize(text)) == domains


def test_domain_of_and_the_website_field() -> None:
    assert domain_of("www.Example.com/x") == "example.com"
    assert domain_of("not a link") is None
    assert domains_of(Example("see x.example", website="https://www.me.example/blog")) == {
        "x.example",
        "me.example",
    }


def test_signals() -> None:
    loud = Example("BUY NOW BUY NOW CHEAP CHEAP!!!!!! $$$ 🔥🔥🔥🔥🔥🔥🔥 call 555 0123 4567", new_author=True)
    s = signals(loud, normalize(loud.text), 0)
    assert s["upper_case"] > 0.7 and s["exclamations"] == 1.0 and s["emoji"] == 1.0
    assert s["repeats"] > 0 and s["contact"] == 1.0 and s["new_author"] == 1.0 and "short" not in s
    calm = Example("In 2019 and 2020 the council met twice; see the minutes.")
    assert signals(calm, normalize(calm.text), 0) == {}
    assert signals(Example("ok"), "ok", 0) == {"short": 1.0}
    money = Example("Earn $5,000 a week")
    assert "money" in signals(money, normalize(money.text), 0)
    assert set(SIGNALS) == set(SIGNAL_COLUMN) and max(SIGNAL_COLUMN.values()) == N_FEATURES - 1


def test_entries_are_owned_by_what_a_moderator_can_read() -> None:
    f = featurize(GOLDEN, frozenset({"pills-online.xyz"}))
    kinds = {(k, name) for k, name, _ in f.owners}
    assert (ReasonKind.WORD, "viagra") in kinds  # the l33t word, normalised
    assert (ReasonKind.LINK, "pills-online.xyz") in kinds and (ReasonKind.LINK, "bit.ly") in kinds
    assert (ReasonKind.NAME, "meds") in kinds and (ReasonKind.SIGNAL, "new_author") in kinds
    # The domain signals (risky TLD, known spam domain, shortener) belong to their link, not to a signal.
    assert not {"risky_tld", "known_spam_domain", "shortener"} & {n for k, n, _ in f.owners if k == "signal"}
    owners_of = {
        f.owners[int(o)][1] for o, col in zip(f.owner, f.index, strict=True) if col >= SIGNAL_COLUMN["links"]
    }
    assert {"pills-online.xyz", "bit.ly"} <= owners_of
    assert f.index.min() >= 0 and f.index.max() < N_FEATURES and np.all(f.value > 0)


def test_text_blocks_are_normalised() -> None:
    f = featurize(Example("word " * 500))
    text_entries = f.index < SIGNAL_COLUMN["links"]
    assert float(np.sqrt((f.value[text_entries] ** 2).sum())) < 2.0


def test_amounts_are_one_number_in_every_notation() -> None:
    """A thousands separator (comma, point or space) does not split an amount into "1" and "000", which
    read as spam evidence; a decimal comma still does."""
    for text in ("1,200 euros", "1.200 euros", "1 200 euros", "1\u00a0200 euros"):
        words = [o[1] for o in featurize(Example(text)).owners if o[0] is ReasonKind.WORD]
        assert words == ["0000", "euros"], text
    assert [o[1] for o in featurize(Example("2,5")).owners if o[0] is ReasonKind.WORD] == ["0"]


def test_a_japanese_sentence_is_not_a_very_short_text() -> None:
    """The `short` signal counts a Japanese or Chinese character as three Latin letters: a sentence of
    eleven characters is a sentence, a greeting of five is short."""
    norm = normalize("街は移民だらけだ。一掃しろ。")
    assert "short" not in signals(Example("街は移民だらけだ。一掃しろ。"), norm, 0)
    assert signals(Example("ありがとう"), normalize("ありがとう"), 0)["short"] == 1.0
    assert signals(Example("Thanks a lot"), normalize("Thanks a lot"), 0)["short"] == 1.0
