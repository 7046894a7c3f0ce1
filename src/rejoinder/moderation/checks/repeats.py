"""Repeats: the same author or network posting (nearly) the same text again, and one text arriving from
several authors at once (a spam wave). Similarity itself is in rules.py (shingles).
"""

from __future__ import annotations

from rejoinder.moderation.checks.base import Check
from rejoinder.moderation.rules import (
    _WORD,
    REPEAT_MIN_CHARS,
    WORD_SHINGLES_FROM,
    Action,
    Case,
    Finding,
    shingles,
    similarity,
)


def check_repeats(case: Case) -> list[Finding]:
    """The author (or their network) posting the same or nearly the same text again, and the same text
    arriving from several authors (a spam wave)."""
    sub, facts, policy = case.sub, case.facts, case.policy
    found: list[Finding] = []
    # A short text ("Thanks!", "+1") is said twice by different people, or by one person to two people,
    # all the time: it repeats only as the very same reply, and never makes a spam wave.
    short = len(sub.text.strip()) < REPEAT_MIN_CHARS
    if policy.repeat_window and facts.recent:
        by_words = len(_WORD.findall(sub.text[:4000])) >= WORD_SHINGLES_FROM
        mine = shingles(sub.text, by_words)
        since = sub.now - policy.repeat_window * 1_000_000
        for old in facts.recent:
            if old.created < since:
                continue
            if short:
                same = old.text.strip() == sub.text.strip() and (old.thread_id, old.parent) == (
                    facts.thread_id,
                    sub.parent,
                )
            else:
                threshold = policy.repeat_similarity
                same = similarity(mine, shingles(old.text, by_words), threshold) >= threshold
            if same:
                detail = (
                    "You already posted this comment."
                    if policy.repeat_action is Action.REJECT
                    else "Repeats a recent comment by the same author or network."
                )
                found.append(Finding("repeats", policy.repeat_action, "repeated-comment", detail))
                break
    if not short and policy.same_text_authors and facts.same_text_authors >= policy.same_text_authors:
        found.append(
            Finding(
                "repeats",
                Action.HOLD,
                "same-text-elsewhere",
                "The same text was just posted by others; a moderator will check it.",
            )
        )
    return found


CHECK = Check.local(
    check_repeats,
    settings=("repeat_window", "repeat_similarity", "repeat_action", "same_text_authors"),
    facts=("recent", "same_text_authors", "thread_id"),
)
