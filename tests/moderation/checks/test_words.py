"""checks/words.py: blocked words on normalised text (look-alike letters, zero-width characters, spacing
tricks) refuse, suspect words get the configured action, and a match that runs out of time holds."""

from __future__ import annotations

import time

import pytest

from rejoinder.moderation.rules import (
    Action,
    WordList,
)
from tests.moderation.checks.cases import codes, run, sub

BLOCKED = WordList(["viagra", "casino bonus", "idiot*"])

DISGUISES = [
    "Cheap VIAGRA here",
    "cheap v1agra here",  # l33t
    "cheap vіаgrа here",  # Cyrillic і and а
    "cheap v\u200bi\u200ca\u200dgra here",  # zero-width space, non-joiner, joiner
    "cheap v i a g r a here",  # spaced letters
    "cheap v.i.a.g.r.a here",
    "cheap vi-agra here",  # split in two words: caught in the compact form
    "cheap ＶＩＡＧＲＡ here",  # fullwidth
    "cheap vïágrà here",  # accents
    "cheap viaaagra here",  # stretched
    "best CASINO  bonus",
    "best casinobonus",
    "you are an idiot",
    "you are idiots",
]


@pytest.mark.parametrize("text", DISGUISES)
def test_blocked_words_are_found_through_disguises(text: str) -> None:
    found = run("words", sub(text), blocked_words=BLOCKED)
    assert codes(found) == [("blocked-word", Action.REJECT)], text
    assert "rephrase" in found[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "Via Agra the road runs south",  # two ordinary words: neither is blocked on its own
        "The casino closed; a bonus was paid",  # the phrase's words apart
        "an idiom, not an insult",
        "She studied classical music",
    ],
)
def test_ordinary_text_is_not_blocked(text: str) -> None:
    assert run("words", sub(text), blocked_words=BLOCKED) == []


def test_blocked_words_in_the_author_name_count_too() -> None:
    assert codes(run("words", sub(author_name="V1AGRA shop"), blocked_words=BLOCKED)) == [
        ("blocked-word", Action.REJECT)
    ]


@pytest.mark.parametrize("action", [Action.FLAG, Action.HOLD, Action.NUDGE])
def test_suspect_words_get_the_configured_action(action: Action) -> None:
    found = run(
        "words", sub("That is st\u200bupid"), suspect_words=WordList(["stupid"]), suspect_action=action
    )
    assert codes(found) == [("suspect-word", action)]


def test_a_match_that_runs_out_of_time_holds_instead_of_blocking_the_request() -> None:
    text = "word " * 8000  # 40,000 characters; a nanosecond is not enough to scan them
    started = time.perf_counter()
    found = run("words", sub(text), blocked_words=WordList(["viagra", "casino"]), match_timeout=1e-9)
    assert time.perf_counter() - started < 1.0
    assert codes(found) == [("word-check-timeout", Action.HOLD)]
