"""Comment → sparse feature vector for the spam/abuse models, keeping who owns each feature so a score
can be explained. Pure: no I/O, no model, no randomness.

Layout of the N_FEATURES columns: hashed words, word pairs, character n-grams of words, link domains and
author-name words (CRC-32 of a prefixed token, modulo N_HASH: the hashing trick, stable across processes
unlike hash()), then one column per numeric signal in SIGNALS. Each text block is L2-normalised on its
own so long comments don't drown the signals.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final
from urllib.parse import urlsplit

import msgspec
import numpy as np
import numpy.typing as npt

from rejoinder.moderation.normalize import EMAIL_PATTERN, normalize

FEATURE_VERSION: Final = 3
N_HASH: Final = 1 << 18
MAX_TEXT: Final = 10_000
MAX_FIELD: Final = 2_048
MAX_WORD: Final = 40


class ReasonKind(StrEnum):
    """What a reason names: a word, a two-word phrase, a linked domain, a word of the author's name, or a
    numeric signal from SIGNALS."""

    WORD = "word"
    PHRASE = "phrase"
    LINK = "link"
    NAME = "name"
    SIGNAL = "signal"


# Signal name → what it means, in words a moderator reads. Each value is in [0, 1].
SIGNALS: Final[dict[str, str]] = {
    "links": "links in the text or the author's website (more links, higher)",
    "shortener": "a link through a URL shortener",
    "risky_tld": "a link to a top-level domain that is mostly used by spam",
    "known_spam_domain": "a link to a domain seen in spam before, or on the site's block list",
    "website": "the author gave a website",
    "upper_case": "a large share of upper-case letters",
    "repeats": "repeated characters or punctuation (!!!, $$$, sooo)",
    "exclamations": "many exclamation marks",
    "money": "amounts of money",
    "contact": "a phone number, e-mail address or messenger handle",
    "emoji": "many emoji or symbols",
    "short": "a very short text",
    "long": "a very long text",
    "new_author": "the author has little or no history on this site (given by the caller)",
}
SIGNAL_NAMES: Final = tuple(SIGNALS)
SIGNAL_COLUMN: Final = {name: N_HASH + i for i, name in enumerate(SIGNAL_NAMES)}
N_FEATURES: Final = N_HASH + len(SIGNAL_NAMES)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


SHORTENERS: Final = _names(
    "bit.ly tinyurl.com t.co goo.gl cutt.ly is.gd ow.ly rebrand.ly shorturl.at tiny.cc buff.ly t.ly rb.gy"
)
# TLDs that spam reports rank high relative to their legitimate use. A learned weight, not a rule: the
# model decides how much it matters.
RISKY_TLDS: Final = _names(
    "xyz top click shop online site biz pw icu live loan win bid work vip buzz fun cam rest bar men party "
    "review stream download racing date faith accountant cricket science gq tk ml cf ga"
)


class Example(msgspec.Struct, frozen=True):
    """One comment as the classifier sees it.

    Attributes:
        text: the comment's source text (Markdown) as written.
        author_name: the display name the author gave.
        website: the author's website field, if any.
        new_author: the caller's judgement that the author is new or unknown on this site (for example
            fewer than 3 approved comments); the model learns how much that matters.
    """

    text: str
    author_name: str = ""
    website: str = ""
    new_author: bool = False


@dataclass(frozen=True, slots=True)
class Features:
    """A sparse row: entry i adds `value[i]` at column `index[i]` (columns may repeat; they sum), and
    belongs to `owners[owner[i]]`, the word, phrase, link, name word or signal it came from."""

    index: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    owner: npt.NDArray[np.int64]
    owners: tuple[tuple[ReasonKind, str, float], ...]
    domains: frozenset[str]


# Top-level domains a link written without a scheme may end in: every two-letter country code, the
# common generic ones, the ones spam favours, and the reserved example/test names.
_BARE_TLDS: Final = (
    "[a-z]{2}|com|net|org|info|biz|edu|gov|mil|int|app|dev|io|blog|news|shop|store|online|site|xyz|top|"
    "click|live|pw|icu|loan|win|bid|work|vip|buzz|fun|cam|rest|bar|men|party|review|stream|download|racing|"
    "date|faith|pro|club|space|website|tech|deals|agency|guru|link|today|world|example|test"
)
_URL: Final = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"']+"
    rf"|(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_BARE_TLDS})\b(?:/[^\s<>()\"']*)?",
)
# As in normalize.py, a lookbehind makes each pattern that opens with a repeated class start only where a
# run starts: linear time on pathological input (tests/moderation/test_classifier.py times a few).
_EMAIL: Final = re.compile(EMAIL_PATTERN)
_WORD: Final = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_PHONE: Final = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{2,4}\)?[\s.-]?){2,4}\d{2,4}")
_MESSENGER: Final = re.compile(r"\b(?:whats\s?app|telegram|wechat|viber)\b|(?<!\w)@\w{4,}_\w+")
_MONEY: Final = re.compile(
    r"[$£€¥]\s?\d|\d\s?(?:usd|eur|gbp|dollars|euros|pounds)\b|(?<![\d,.])\d[\d,.]*\s?k\b"
)
_REPEATS: Final = re.compile(r"([^\w\s])\1{2,}|([^\W\d_])\2{3,}")
_NUMBER: Final = re.compile(r"\d+")
# A thousands separator inside a number ("1,200", "1.200", "1 200"): joined before the text is split into
# words, so an amount is one number in every language's notation rather than "1" and a telling "000".
_THOUSANDS: Final = re.compile(r"(?<=\d)[,.\u00a0\u202f ](?=\d{3}(?!\d))")
# Japanese (and Chinese) write without spaces: a "word" of _WORD is a whole clause. Split it where the
# script changes (kanji, hiragana, katakana), which gives word-sized pieces (この / 哀 / れな / バカ / が)
# without a dictionary; the pieces' n-grams and pairs do the rest.
_CJK_CLASSES: Final = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006",  # kanji (and 々 〆)
    "\u3040-\u309f",  # hiragana
    "\u30a0-\u30ff\uff66-\uff9f",  # katakana (with ー)
)
_CJK: Final = re.compile(f"[{''.join(_CJK_CLASSES)}]")
_SCRIPT_RUNS: Final = re.compile("|".join(f"[{c}]+" for c in _CJK_CLASSES) + f"|[^{''.join(_CJK_CLASSES)}]+")
# Only look at file-like extensions when deciding that "word.word" is a domain.
_NOT_TLDS: Final = _names("jpg jpeg png gif pdf html htm php asp js css txt doc docx mp3 mp4 exe")


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass")) % N_HASH


@lru_cache(maxsize=32768)
def _word_grams(word: str) -> npt.NDArray[np.int64]:
    """Columns of the 3-, 4- and 5-character n-grams of " word " (cached: vocabularies repeat)."""
    padded = f" {word} "
    cols = [_hash("c:" + padded[i : i + n]) for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
    out = np.asarray(cols, dtype=np.int64)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=16384)
def _domain_columns(domain: str) -> tuple[int, ...]:
    labels = domain.split(".")
    parts = [p for p in re.split(r"[^a-z]+", ".".join(labels[:-1])) if p]
    return tuple(_hash(t) for t in [f"d:{domain}", f"t:{labels[-1]}", *(f"p:{p}" for p in parts)])


@lru_cache(maxsize=4096)
def _name_columns(name: str) -> tuple[tuple[str, int], ...]:
    words = sorted(set(_WORD.findall(normalize(name))))
    return tuple((w, _hash("n:" + w)) for w in words)


@lru_cache(maxsize=65536)
def _word_column(word: str) -> int:
    return _hash("w:" + word)


def words_of(text: str) -> list[str]:
    """The words of normalised text: runs of letters and digits, split where Japanese or Chinese script
    changes (see _SCRIPT_RUNS)."""
    out: list[str] = []
    for w in _WORD.findall(text):
        if w.isascii() or not _CJK.search(w):
            out.append(w)
        else:
            out += _SCRIPT_RUNS.findall(w)
    return out


@lru_cache(maxsize=65536)
def _word_token(word: str) -> str:
    # Numbers carry their length, not their value: "555 0142" and "555 0199" look alike.
    return _NUMBER.sub(lambda m: "0" * min(len(m.group()), 6), word)


def word_columns(word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The columns and values of a comment made of `word` alone (as normalised), without its signals:
    what the word itself weighs in a model (moderation/explain.py)."""
    token = _word_token(word[:MAX_WORD])
    grams = _word_grams(token)
    index = np.concatenate([np.asarray([_word_column(token)], dtype=np.int64), grams])
    value = np.concatenate(
        [np.ones(1), np.full(len(grams), 1.0 / math.sqrt(len(grams)) if len(grams) else 0.0)]
    )
    return index, value


def domain_of(link: str) -> str | None:
    """The host of a link written with or without a scheme, lower case, without "www."."""
    raw = link if "://" in link else "http://" + link
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        return None
    # DNS names are at most 253 characters; anything longer is not a link (and would cost time below).
    if not host or "." not in host or len(host) > 253:
        return None
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if host.rsplit(".", 1)[-1] in _NOT_TLDS:
        return None
    return host


def links_of(normalized: str) -> list[str]:
    """Domains of the links in normalised text (e-mail addresses are not links)."""
    text = _EMAIL.sub(" ", normalized)
    out = []
    for m in _URL.finditer(text):
        dom = domain_of(m.group())
        if dom is not None:
            out.append(dom)
    return out


def bounded(example: Example) -> Example:
    """The example cut to MAX_TEXT / MAX_FIELD characters: what a comment says past that changes nothing
    the model needs, and the bound keeps scoring time bounded whatever the caller passes."""
    if (
        len(example.text) <= MAX_TEXT
        and len(example.author_name) <= MAX_FIELD
        and len(example.website) <= MAX_FIELD
    ):
        return example
    return msgspec.structs.replace(
        example,
        text=example.text[:MAX_TEXT],
        author_name=example.author_name[:MAX_FIELD],
        website=example.website[:MAX_FIELD],
    )


def _website_domain(example: Example) -> frozenset[str]:
    dom = domain_of(normalize(example.website)) if example.website.strip() else None
    return frozenset() if dom is None else frozenset([dom])


def domains_of(example: Example) -> frozenset[str]:
    """The domains an example links to, its author's website included."""
    example = bounded(example)
    return frozenset(links_of(normalize(example.text))) | _website_domain(example)


def _known(domain: str, known: frozenset[str]) -> bool:
    # A listed domain matches its subdomains too: "spam.example" lists "go.spam.example".
    parts = domain.split(".")
    return any(".".join(parts[i:]) in known for i in range(len(parts) - 1))


def _upper_share(text: str) -> float:
    letters = sum(map(str.isalpha, text))
    if letters < 12:
        return 0.0
    share = sum(map(str.isupper, text)) / letters
    return max(0.0, (share - 0.3) / 0.7)


def _emoji_count(text: str) -> int:
    if text.isascii():
        return 0
    return sum(1 for c in text if ord(c) > 0x2000 and unicodedata.category(c) == "So")


def _has_phone(text: str) -> bool:
    # Nine digits or more, so that years and dates ("2019 2020", "2024-06-07") are not phone numbers.
    return any(sum(c.isdigit() for c in m.group()) >= 9 for m in _PHONE.finditer(text))


DOMAIN_SIGNALS: Final = ("shortener", "risky_tld", "known_spam_domain")


def domain_signals(domains: frozenset[str], known: frozenset[str]) -> dict[str, str]:
    """The signals that are properties of one linked domain, each with the (first) domain that sets it;
    a score's reasons show them as part of that link."""
    out: dict[str, str] = {}
    for dom in sorted(domains):
        if "shortener" not in out and _known(dom, SHORTENERS):
            out["shortener"] = dom
        if "risky_tld" not in out and dom.rsplit(".", 1)[-1] in RISKY_TLDS:
            out["risky_tld"] = dom
        if "known_spam_domain" not in out and _known(dom, known):
            out["known_spam_domain"] = dom
    return out


def text_length(text: str) -> int:
    """The length of a text in Latin-letter terms: a Japanese or Chinese character says about as much as
    a word of three letters, so it counts three times (a complete Japanese sentence of 20 characters is
    not a "very short text")."""
    if text.isascii():
        return len(text)
    return len(text) + 2 * len(_CJK.findall(text))


def signals(example: Example, normalized: str, n_links: int) -> dict[str, float]:
    """The signals of SIGNALS that are not about one domain (see domain_signals), each in [0, 1]; zero
    ones are left out."""
    raw = example.text
    n_links += 1 if example.website.strip() else 0
    length = text_length(normalized)
    out = {
        "links": min(n_links, 4) / 4,
        "website": float(bool(example.website.strip())),
        "upper_case": _upper_share(raw),
        "repeats": min(len(_REPEATS.findall(raw)), 3) / 3,
        "exclamations": min(raw.count("!"), 6) / 6,
        "money": float(bool(_MONEY.search(normalized))),
        "contact": float(
            bool(_EMAIL.search(normalized) or _MESSENGER.search(normalized) or _has_phone(normalized))
        ),
        "emoji": min(_emoji_count(raw), 6) / 6,
        "short": float(length < 25),
        "long": min(max(length - 600, 0) / 1400, 1.0),
        "new_author": float(example.new_author),
    }
    return {k: v for k, v in out.items() if v > 0}


def featurize(example: Example, known: frozenset[str] = frozenset()) -> Features:
    """The sparse row for an example.

    Args:
        example: the comment.
        known: domains known as spam (the model's list plus the site's block list).
    """
    example = bounded(example)
    norm = normalize(example.text)
    links = links_of(norm)
    domains = frozenset(links) | _website_domain(example)
    without_links = _URL.sub(" ", _EMAIL.sub(" email ", norm))
    # Longer "words" are not words; the cut also bounds the memory of the per-word caches below.
    words = [_word_token(w[:MAX_WORD]) for w in words_of(_THOUSANDS.sub("", without_links))]
    counts = Counter(words)
    pairs = Counter(itertools.pairwise(words))

    # Owners: the distinct words first (so a word's position is its owner id), then phrases, links,
    # name words and signals.
    owners: list[tuple[ReasonKind, str, float]] = [(ReasonKind.WORD, w, float(n)) for w, n in counts.items()]
    owners += [(ReasonKind.PHRASE, f"{a} {b}", float(n)) for (a, b), n in pairs.items()]
    n_words, n_text = len(counts), len(owners)

    # Block 1: words and word pairs, L2-normalised together.
    text_idx = [_word_column(w) for w in counts] + [_hash(f"b:{a} {b}") for a, b in pairs]
    text_val = np.fromiter((o[2] for o in owners), dtype=np.float64, count=n_text)
    if n_text:
        text_val /= math.sqrt(float(np.dot(text_val, text_val)))

    # Block 2: character n-grams, owned by the word they come from (so "v1agra" explains as a word).
    # The norm treats n-grams of different words as distinct, which is a fixed scale, not an exact L2.
    if n_words:
        grams = [_word_grams(w) for w in counts]
        lengths = np.fromiter((len(g) for g in grams), dtype=np.int64, count=n_words)
        gram_idx = np.concatenate(grams)
        gram_own = np.repeat(np.arange(n_words, dtype=np.int64), lengths)
        gram_val = np.repeat(np.fromiter(counts.values(), np.float64, count=n_words), lengths)
        gram_val /= math.sqrt(float(np.dot(gram_val, gram_val)))
    else:
        gram_idx = gram_own = np.zeros(0, dtype=np.int64)
        gram_val = np.zeros(0, dtype=np.float64)

    # Block 3: linked domains (and their labels' words, which generalise to unseen domains), their
    # TLDs, and the author's name words.
    extra_idx: list[int] = []
    extra_val: list[float] = []
    extra_own: list[int] = []
    link_owner: dict[str, int] = {}
    for dom in sorted(domains):
        owners.append((ReasonKind.LINK, dom, 1.0))
        link_owner[dom] = len(owners) - 1
        cols = _domain_columns(dom)
        extra_idx += cols
        extra_val += [1.0] * len(cols)
        extra_own += [len(owners) - 1] * len(cols)
    for word, col in _name_columns(example.author_name):
        owners.append((ReasonKind.NAME, word, 1.0))
        extra_idx.append(col)
        extra_val.append(0.5)
        extra_own.append(len(owners) - 1)
    if extra_val:
        scale = 1.0 / math.sqrt(sum(v * v for v in extra_val))
        extra_val = [v * scale for v in extra_val]

    for name, sig in signals(example, norm, len(links)).items():
        owners.append((ReasonKind.SIGNAL, name, sig))
        extra_idx.append(SIGNAL_COLUMN[name])
        extra_val.append(sig)
        extra_own.append(len(owners) - 1)
    for name, dom in domain_signals(domains, known).items():
        extra_idx.append(SIGNAL_COLUMN[name])
        extra_val.append(1.0)
        extra_own.append(link_owner[dom])

    index = np.concatenate(
        [np.asarray(text_idx, dtype=np.int64), gram_idx, np.asarray(extra_idx, dtype=np.int64)]
    )
    value = np.concatenate([text_val, gram_val, np.asarray(extra_val, dtype=np.float64)])
    owner = np.concatenate(
        [np.arange(n_text, dtype=np.int64), gram_own, np.asarray(extra_own, dtype=np.int64)]
    )
    return Features(index=index, value=value, owner=owner, owners=tuple(owners), domains=domains)
