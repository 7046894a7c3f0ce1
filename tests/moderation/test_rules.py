"""The pipeline's local checks as pure functions: word lists on normalised text (look-alike letters,
zero-width characters, spacing tricks) with a time limit, links, bans by identity/email/network, repeats,
pre-moderation and the bot traps."""

from __future__ import annotations

import time

import pytest

from rejoinder.moderation import rules
from rejoinder.moderation.checks import BY_NAME
from rejoinder.moderation.rules import (
    Action,
    Ban,
    Case,
    Facts,
    FormToken,
    Policy,
    Recent,
    Role,
    Submission,
    WordList,
)

NOW = 1_800_000_000_000_000
CHECKS = ("limits", "honeypot", "repeats", "links", "words", "premoderation")


def sub(text: str = "A perfectly ordinary comment about the article.", **fields: object) -> Submission:
    base: dict[str, object] = {
        "site_id": 1,
        "text": text,
        "html": f"<p>{text}</p>",
        "author_name": "Ann",
        "author_key": "key-ann",
        "now": NOW,
    }
    base.update(fields)
    return Submission(**base)  # type: ignore[arg-type]


def run(
    check: str, submission: Submission, facts: Facts | None = None, **policy: object
) -> list[rules.Finding]:
    case = Case(submission, facts or Facts(), Policy(checks=CHECKS, **policy))  # type: ignore[arg-type]
    run = BY_NAME[check].run
    assert run is not None
    return run(case)


def codes(findings: list[rules.Finding]) -> list[tuple[str, Action]]:
    return [(f.code, f.action) for f in findings]


# --- words ---------------------------------------------------------------------------------------------

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


def test_an_empty_word_list_matches_nothing() -> None:
    empty = WordList(["", "   ", "***"])
    assert not empty
    assert empty.search("anything at all", "anythingatall", 0.01) is None


# --- links ---------------------------------------------------------------------------------------------


def linked(*urls: str) -> Submission:
    html = "<p>" + " ".join(f'<a href="{u}" rel="nofollow noopener ugc">{u}</a>' for u in urls) + "</p>"
    return sub("see " + " ".join(urls), html=html)


def test_more_links_than_allowed_hold() -> None:
    assert run("links", linked("https://a.example/1", "https://b.example/2"), max_links=2) == []
    found = run(
        "links", linked("https://a.example/1", "https://b.example/2", "https://c.example"), max_links=2
    )
    assert codes(found) == [("too-many-links", Action.HOLD)]
    assert "more than 2 links" in found[0].detail


def test_links_to_blocked_domains_and_their_subdomains_are_refused() -> None:
    blocked = frozenset({"spam.example"})
    for url in ("https://spam.example/x", "http://www.SPAM.example./deal", "https://a.b.spam.example"):
        assert codes(run("links", linked(url), blocked_domains=blocked)) == [
            ("blocked-link", Action.REJECT)
        ], url
    assert run("links", linked("https://notspam.example/"), blocked_domains=blocked) == []
    website = sub(website="https://shop.spam.example/")
    assert codes(run("links", website, blocked_domains=blocked)) == [("blocked-link", Action.REJECT)]


def test_staff_may_post_many_links() -> None:
    many = linked(*(f"https://site{i}.example" for i in range(6)))
    staff = Facts(roles=frozenset({Role.MODERATOR}))
    assert run("links", many, staff, max_links=3) == []


# --- bans, closed threads ------------------------------------------------------------------------------

BANS = (
    Ban(id=1, site_id=1, identity_id="id-banned", email_hash=None, ip_range=None, reason=None, until=None),
    Ban(id=2, site_id=1, identity_id=None, email_hash="hash-of-mail", ip_range=None, reason=None, until=None),
    Ban(
        id=3,
        site_id=None,
        identity_id=None,
        email_hash=None,
        ip_range="203.0.113.0/24",
        reason=None,
        until=None,
    ),
    Ban(
        id=4,
        site_id=1,
        identity_id=None,
        email_hash=None,
        ip_range="2001:db8:7::/48",
        reason=None,
        until=NOW + 86_400_000_000,
    ),
)


@pytest.mark.parametrize(
    "who",
    [
        {"identity_id": "id-banned"},
        {"email": "x@example.org", "email_hash": "hash-of-mail"},
        {"ip": "203.0.113.77"},
        {"ip": "::ffff:203.0.113.9"},  # IPv4-mapped IPv6
        {"ip": "2001:db8:7:1234::5"},
    ],
)
def test_banned_authors_are_refused(who: dict[str, str]) -> None:
    found = run("limits", sub(**who), Facts(bans=BANS))
    assert codes(found) == [("author-banned", Action.REJECT)]


def test_a_suspension_says_until_when() -> None:
    found = run("limits", sub(ip="2001:db8:7::1"), Facts(bans=BANS))
    assert "until" in found[0].detail


@pytest.mark.parametrize(
    "who", [{"identity_id": "id-other"}, {"ip": "203.0.114.1"}, {"ip": "2001:db8:8::1"}, {}]
)
def test_others_are_not_banned(who: dict[str, str]) -> None:
    assert run("limits", sub(**who), Facts(bans=BANS)) == []


def test_closed_threads_refuse_new_comments_but_not_edits() -> None:
    closed = Facts(thread_id=7, thread_closed=True)
    assert codes(run("limits", sub(), closed)) == [("thread-closed", Action.REJECT)]
    assert run("limits", sub(edit_of="c1"), closed) == []


def test_threads_close_after_the_configured_days_unless_reopened() -> None:
    old = Facts(thread_id=7, thread_created=NOW - 31 * 86_400_000_000)
    assert codes(run("limits", sub(), old, close_after_days=30)) == [("thread-closed", Action.REJECT)]
    assert run("limits", sub(), old, close_after_days=0) == []
    reopened = Facts(thread_id=7, thread_created=NOW - 31 * 86_400_000_000, thread_auto_close=False)
    assert run("limits", sub(), reopened, close_after_days=30) == []


def test_a_site_with_commenting_off_refuses() -> None:
    assert codes(run("limits", sub(), commenting=False)) == [("commenting-disabled", Action.REJECT)]


# --- bot traps -------------------------------------------------------------------------------------------


def test_bot_traps_share_one_generic_message() -> None:
    cases = {
        "honeypot-filled": sub(honeypot="http://buy.example"),
        "posted-too-fast": sub(form_token=FormToken.OK, form_age=0.4),
        "form-token-invalid": sub(form_token=FormToken.INVALID),
        "form-token-expired": sub(form_token=FormToken.EXPIRED),
    }
    details = set()
    for code, submission in cases.items():
        found = run("honeypot", submission, min_seconds=3)
        assert codes(found) == [(code, Action.REJECT)]
        details.add(found[0].detail)
    assert details == {rules.REFUSED}
    assert run("honeypot", sub(form_token=FormToken.OK, form_age=3.5), min_seconds=3) == []
    assert run("honeypot", sub(), min_seconds=3) == []  # no token: allowed unless required
    assert codes(run("honeypot", sub(), require_form_token=True)) == [("form-token-missing", Action.REJECT)]


# --- repeats ---------------------------------------------------------------------------------------------

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


# --- pre-moderation ----------------------------------------------------------------------------------------


def test_premoderation_modes() -> None:
    guest, member = sub(), sub(identity_id="id-1")
    assert codes(run("premoderation", guest, premoderation="all")) == [("premoderated", Action.HOLD)]
    assert codes(run("premoderation", guest, premoderation="guests")) == [("guest-comment", Action.HOLD)]
    assert run("premoderation", member, premoderation="guests") == []
    assert codes(
        run("premoderation", guest, Facts(approved_count=1), premoderation="first", premoderate_first=2)
    ) == [("new-commenter", Action.HOLD)]
    assert (
        run("premoderation", guest, Facts(approved_count=2), premoderation="first", premoderate_first=2) == []
    )
    assert run("premoderation", guest, premoderation="links") == []
    assert codes(run("premoderation", linked("https://a.example"), premoderation="links")) == [
        ("has-links", Action.HOLD)
    ]


def test_trusted_commenters_and_staff_skip_premoderation() -> None:
    for role in (Role.TRUSTED, Role.MODERATOR, Role.ADMIN):
        assert (
            run("premoderation", sub(identity_id="id-1"), Facts(roles=frozenset({role})), premoderation="all")
            == []
        )
