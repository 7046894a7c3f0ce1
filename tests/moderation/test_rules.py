"""moderation/rules.py: what the checks share. (Each check's decisions are tested beside it, in
tests/moderation/checks/.)"""

from __future__ import annotations

from rejoinder.moderation.rules import WordList


def test_an_empty_word_list_matches_nothing() -> None:
    empty = WordList(["", "   ", "***"])
    assert not empty
    assert empty.search("anything at all", "anythingatall", 0.01) is None
