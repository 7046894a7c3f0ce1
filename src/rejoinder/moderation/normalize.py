"""Unicode normalisation for matching reader text against words and models; pure functions, no I/O.

`normalize` turns the tricks spammers use to slip past word lists (look-alike letters from other scripts,
zero-width characters, accents and combining marks, l33t digits, s p a c e d letters, loooong runs) into
one plain lower-case form. It is lossy on purpose: use it for matching and scoring, never for display.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["CONFUSABLES", "compact", "normalize"]


def _build_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Letters that look like Latin ones. Mapping happens before case folding, so the capital and small
    forms may map differently (Greek capital eta looks like H, small eta like n).

    Returns:
        (script, always): look-alikes from other scripts, mapped only in a word that mixes them with
        Latin letters or is made of look-alikes alone (so ordinary Russian or Greek words keep their
        letters); and Latin variants and symbols, mapped everywhere.
    """
    script = {
        # Cyrillic capitals, then small letters (several small ones look like Latin small capitals).
        "А": "A", "В": "B", "С": "C", "Е": "E", "Ѕ": "S", "І": "I", "Ї": "I", "Ј": "J", "К": "K",
        "М": "M", "Н": "H", "О": "O", "Р": "P", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Һ": "H",
        "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Ь": "b",
        "а": "a", "в": "b", "е": "e", "ё": "e", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "к": "k",
        "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "х": "x", "у": "y", "ү": "y",
        "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "г": "r", "п": "n", "ь": "b",
        # Greek capitals, then small letters.
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
        # Armenian and Cherokee.
        "օ": "o", "ս": "u", "ց": "g", "ո": "n", "հ": "h", "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭼ": "E",
        "Ꮋ": "H", "Ꮃ": "W", "Ꮶ": "K", "Ꮇ": "M", "Ꭲ": "T", "Ꮪ": "S", "Ꮤ": "W",
    }  # fmt: skip
    always = {
        # Latin letters outside ASCII that NFKC leaves alone, including the small capitals.
        "ı": "i", "ɩ": "i", "ɑ": "a", "ɡ": "g", "ȷ": "j", "ʏ": "y", "ɴ": "n", "ʀ": "r", "ʟ": "l",
        "ʜ": "h", "ɢ": "g", "ɪ": "i", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f",
        "ᴊ": "j", "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
        "ᴡ": "w", "ᴢ": "z", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "ł": "l", "Ł": "L",
        "ŧ": "t", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    }  # fmt: skip
    always_table = {ord(k): v for k, v in always.items()}
    # Enclosed letters without a compatibility decomposition: negative circled and negative squared
    # A-Z, and the regional indicator symbols that render as boxed letters outside flag pairs.
    for start in (0x1F150, 0x1F170, 0x1F1E6):
        for i in range(26):
            always_table[start + i] = chr(ord("a") + i)
    return {ord(k): v for k, v in script.items()}, always_table


SCRIPT_CONFUSABLES, LATIN_CONFUSABLES = _build_tables()
CONFUSABLES: Final[dict[int, str]] = {**SCRIPT_CONFUSABLES, **LATIN_CONFUSABLES}

# Characters that render as nothing, or as a blank, and hide a word's letters from a naive match: the
# format controls (category Cf: zero-width space/joiners, bidi controls, soft hyphen, word joiner, BOM,
# tags) are removed by category below; these are invisible letters or symbols of other categories.
_INVISIBLE: Final = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E, 0x034F}

_LEET: Final = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_INNER: Final = str.maketrans({"!": "i", "|": "l"})

# Links and e-mail addresses keep their digits and punctuation: they are not words.
# Every pattern here that opens with a repeated class also requires the character before it to be outside
# that class (a lookbehind): a match can then only start where a run starts, and a long run that does not
# match costs one scan instead of one scan per character (quadratic time on 10,000 x "a").
# An e-mail address (also features.py's: what the classifier counts as one).
EMAIL_PATTERN: Final = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_LINKISH: Final = re.compile(
    r"(?:https?://|www\.)\S+"
    rf"|{EMAIL_PATTERN}"
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}(?:/\S*)?",
)
# A token that may hide a word with l33t characters: letters mixed with digits or symbols.
_TOKEN: Final = re.compile(r"[\w@$!|]+")
# Cheap test that a segment has a l33t candidate at all: a l33t character touching a letter.
_MAYBE_LEET: Final = re.compile(r"[a-z][0-9@$!|]|(?<![\w@$])[@$][a-z]")
# A l33t character with a letter on both sides (possibly through more l33t characters): "v1agra", "p00p".
_INNER_LEET: Final = re.compile(r"[a-z][0-9@$!|]+[a-z]")
# Three or more single letters each separated by at most three blanks or punctuation marks: "v i a g r a",
# "v.i.a.g.r.a", "c - a - s - i - n - o". Two letters ("a b") are too common in ordinary text to join.
# A separator is not a letter, nor a mark that belongs to one (an Indic vowel sign is not a space).
_SPACED: Final = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[^\w\n\u0900-\u109f]{1,3}[^\W\d_](?![^\W\d_])){2,}")
_SEPARATORS: Final = re.compile(r"[^\w]+")
# Three or more of the same letter: emphasis ("sooo") or a way around a word list ("viaaagra").
_RUNS: Final = re.compile(r"([^\W\d_])\1{2,}")
_WORD: Final = re.compile(r"\w+")
_BLANKS: Final = re.compile(r"\s+")
_NON_ALNUM: Final = re.compile(r"[\W_]+")


# Scripts whose combining marks are part of the letter, not an accent: Indic, Thai, Lao, Tibetan, Myanmar
# (vowel signs, viramas) and Japanese kana (the voicing marks of が and パ). Their marks stay, at most two
# per letter, so that "バカ" does not read "ハカ" while stacked "Zalgo" marks still go.
_KEEPS_MARKS: Final = ((0x0900, 0x109F), (0x3040, 0x30FF))
_MAX_KEPT_MARKS: Final = 2


def _keeps_marks(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _KEEPS_MARKS)


def _strip_marks(text: str) -> str:
    out = []
    keep = 0  # marks the current letter may still keep
    for ch in unicodedata.normalize("NFD", text):
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf") or ord(ch) in _INVISIBLE:
            if cat == "Mn" and keep > 0:
                keep -= 1
                out.append(ch)
            continue
        keep = _MAX_KEPT_MARKS if not ch.isascii() and _keeps_marks(ch) else 0
        out.append(ch)
    return "".join(out)


def _unconfuse(word: str) -> str:
    mapped = word.translate(SCRIPT_CONFUSABLES)
    if mapped == word:
        return word
    if any("a" <= c <= "z" or "A" <= c <= "Z" for c in word) or all(
        c.isascii() or not c.isalpha() for c in mapped
    ):
        return mapped
    return word


def _unleet(token: str) -> str:
    if not any(c.isalpha() for c in token) or token.isalpha():
        return token
    inner = _INNER_LEET.search(token)
    leading = token[0] in "@$" and len(token) > 1 and token[1].isalpha()
    if not inner and not leading:
        return token
    letters = sum(c.isalpha() for c in token)
    if letters < 2:
        return token
    # "!" and "|" stand for letters only inside a word; at its end they are punctuation ("wow!").
    head, tail = token.rstrip("!|"), token[len(token.rstrip("!|")) :]
    return head.translate(_LEET).translate(_LEET_INNER) + tail


def _join_spaced(m: re.Match[str]) -> str:
    """ "v i a g r a" -> "viagra"; a separator wider than the narrowest one in the run is a word break:
    "b u y  c h e a p" -> "buy cheap"."""
    run = m.group()
    seps = _SEPARATORS.findall(run)
    letters = _SEPARATORS.split(run)
    narrowest = min(len(sep) for sep in seps)
    out = [letters[0]]
    for sep, letter in zip(seps, letters[1:], strict=True):
        out.append((" " if len(sep) > narrowest else "") + letter)
    return "".join(out)


def _words(segment: str) -> str:
    if _MAYBE_LEET.search(segment):
        segment = _TOKEN.sub(lambda m: _unleet(m.group()), segment)
    segment = _SPACED.sub(_join_spaced, segment)
    return _RUNS.sub(r"\1", segment)


def normalize(text: str) -> str:
    """Plain, lower-case, ASCII-leaning form of reader text for matching and scoring.

    Steps: NFKC; drop format characters (zero-width, bidi, soft hyphen), invisible fillers and combining
    marks (so accents and "Zalgo" vanish); map look-alike letters (Latin small capitals, boxed letters;
    Cyrillic, Greek, Armenian and Cherokee ones in words that mix scripts or are made of look-alikes only)
    to Latin; case-fold; undo l33t inside words ("v1agra", "$ex", "c@sino"; not "covid19", "mp3", or links);
    join runs of three or more single letters ("v i a g r a", "v.i.a"; a wider gap inside the run
    stays a word break); shorten runs of three or more of
    the same letter to one ("viaaagra"); collapse blanks.

    Ordinary words in other scripts keep their letters ("простой" stays), but they lose their marks ("й"
    becomes "и"; not where a mark is part of the letter: Indic and Thai vowel signs, the voicing marks of
    Japanese kana, "バカ" stays) and a word made only of look-alikes is mapped ("текст" becomes "tekct"): the result is
    for matching, never for display.

    >>> normalize("Вuy ch\u200beap V1AGRA at ph\u0430rma.example")
    'buy cheap viagra at pharma.example'
    >>> normalize("f r e e   m o n e y")
    'free money'
    """
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text)
        text = _strip_marks(text).translate(LATIN_CONFUSABLES)
        text = _WORD.sub(lambda m: _unconfuse(m.group()), text)
        # _strip_marks leaves the text decomposed (NFD): compose it again, then fold case.
        text = unicodedata.normalize("NFKC", text).casefold()
    parts: list[str] = []
    last = 0
    for m in _LINKISH.finditer(text):
        parts.append(_words(text[last : m.start()]))
        parts.append(m.group())
        last = m.end()
    parts.append(_words(text[last:]))
    return _BLANKS.sub(" ", "".join(parts)).strip()


def compact(text: str) -> str:
    """`normalize`, then drop everything but letters and digits: "free-m.o.n.e.y" -> "freemoney".

    For substring checks of long blocked phrases against spacing tricks; short words match inside
    ordinary ones in this form ("ass" in "class"), so match those against `normalize` on word boundaries.
    """
    return _NON_ALNUM.sub("", normalize(text))
