"""checks/repeats.py: the same or nearly the same text again within the window, short texts only as the
same reply, and one text from several authors."""

from __future__ import annotations

from rejoinder.moderation.rules import (
    Action,
    Facts,
    Recent,
)
from tests.moderation.checks.cases import NOW, codes, run, sub

LONG = "I think the council should publish the full budget before the vote next week."


def test_the_same_or_nearly_the_same_long_text_again_is_a_repeat() -> None:
    earlier = Facts(thread_id=1, recent=(Recent(LONG, 1, None, NOW - 60_000_000),))
    assert codes(run("repeats", sub(LONG), earlier)) == [("repeated-comment", Action.REJECT)]
    nearly = LONG.replace("next week", "next week!!") + " Really."
    assert codes(run("repeats", sub(nearly), earlier)) == [("repeated-comment", Action.REJECT)]
    other = "The budget vote was postponed again, which nobody expected after the hearing."
    assert run("repeats", sub(other), earlier) == []


def test_repeats_outside_the_window_do_not_count() -> None:
    old = Facts(thread_id=1, recent=(Recent(LONG, 1, None, NOW - 2 * 86_400_000_000),))
    assert run("repeats", sub(LONG), old, repeat_window=86400) == []


def test_short_texts_repeat_only_as_the_same_reply() -> None:
    earlier = Facts(thread_id=1, recent=(Recent("Thanks!", 1, "c1", NOW - 1_000_000),))
    assert run("repeats", sub("Thanks!", parent="c2"), earlier) == []  # thanking someone else
    assert codes(run("repeats", sub("Thanks!", parent="c1"), earlier)) == [
        ("repeated-comment", Action.REJECT)
    ]


def test_the_same_long_text_from_several_authors_is_held() -> None:
    wave = Facts(thread_id=1, same_text_authors=3)
    assert codes(run("repeats", sub(LONG), wave, same_text_authors=3)) == [
        ("same-text-elsewhere", Action.HOLD)
    ]
    assert run("repeats", sub("+1"), wave, same_text_authors=3) == []
