"""What the moderation checks share: the Case they decide on (the submission, what the store knows about
its author and thread, and the site's policy), the Finding they return, and pure helpers (word lists,
links, bans, repeat similarity). No I/O and no clock here. The checks are modules of checks/; pipeline.py
runs them in order, services/ loads the facts. docs/moderation.md ("Checks") describes each one.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import ipaddress
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

import msgspec
import regex

from rejoinder.domain.sites import PremoderationMode
from rejoinder.moderation.normalize import normalize


class Action(enum.StrEnum):
    """What a check decides. The strongest one wins: reject > nudge > hold > flag > pass."""

    PASS = "pass"  # nothing to say  # noqa: S105 (not a password)
    FLAG = "flag"  # publish, but ask a moderator to look
    HOLD = "hold"  # keep it pending until a moderator approves it
    NUDGE = "nudge"  # do not post yet: ask the writer to revise (they may post anyway: then it is held)
    REJECT = "reject"  # refuse it


SEVERITY = {Action.PASS: 0, Action.FLAG: 1, Action.HOLD: 2, Action.NUDGE: 3, Action.REJECT: 4}


class Role(enum.StrEnum):
    ADMIN = "admin"  # everything, on its site or (site NULL) on every site
    MODERATOR = "moderator"  # moderates comments, threads and bans
    TRUSTED = "trusted"  # a commenter whose comments skip pre-moderation


STAFF = frozenset({Role.ADMIN, Role.MODERATOR})


class FormToken(enum.StrEnum):
    """The state of the token a comment form carries (GET /api/form-token)."""

    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"


class Finding(msgspec.Struct, frozen=True):
    """One check's decision with its reason: a stable kebab-case `code` and a sentence in plain words
    (shown to the writer for hold, nudge and reject; to moderators for flag)."""

    check: str
    action: Action
    code: str
    detail: str


class Submission(msgspec.Struct, frozen=True):
    """A new comment or an edit, as the checks see it. `ip` is the full client address: it is used for
    bans and external checks and never stored (comments keep an anonymised network)."""

    site_id: int
    text: str
    html: str
    author_name: str
    author_key: str
    now: int
    email: str | None = None
    email_hash: str | None = None  # rules.email_hash of the email, for bans
    website: str | None = None
    identity_id: str | None = None
    ip: str | None = None
    parent: str | None = None
    thread_url: str | None = None
    thread_title: str | None = None
    edit_of: str | None = None  # the comment's id when this is an edit
    confirmed: bool = False  # the writer saw a nudge and posts anyway
    honeypot: str | None = None  # the hidden field's value; bots fill it in
    form_token: FormToken = FormToken.MISSING
    form_age: float | None = None  # seconds from the form being shown to it being sent (from the token)
    user_agent: str | None = None
    referrer: str | None = None


class Ban(msgspec.Struct, frozen=True):
    id: int
    site_id: int | None
    identity_id: str | None
    email_hash: str | None
    ip_range: str | None
    reason: str | None
    until: int | None  # microseconds; None = permanent


class Recent(msgspec.Struct, frozen=True):
    """One of the author's (or their network's) recent comments, for repeat detection."""

    text: str
    thread_id: int
    parent: str | None
    created: int


class Facts(msgspec.Struct, frozen=True):
    """What the store knows that the checks need, loaded in the use case's transaction."""

    thread_id: int | None = None  # None: the comment starts a new thread
    thread_created: int | None = None
    thread_closed: bool = False
    thread_auto_close: bool = True
    bans: tuple[Ban, ...] = ()  # the site's active bans (few: matched here, not in SQL)
    recent: tuple[Recent, ...] = ()  # the author's and their network's recent comments, newest first
    same_text_authors: int = 0  # other authors who posted this normalised text within the window
    approved_count: int = 0  # the author's approved comments on this site
    roles: frozenset[Role] = frozenset()


class WordList:
    """Words and phrases matched on normalised text, each on word boundaries (a trailing `*` makes a
    prefix: `idiot*`); terms of COMPACT_MIN letters or more also match inside the text with every blank
    and mark removed, which catches "v-i-a g r a" and "vi.agra". Matching runs with a time limit."""

    COMPACT_MIN = 6

    def __init__(self, terms: Iterable[str]) -> None:
        bounded: list[str] = []
        compact: list[str] = []
        self.terms: list[str] = []
        for raw in terms:
            prefix = raw.strip().endswith("*")
            base = normalize(raw.strip().rstrip("*"))
            words = _WORD.findall(base)
            if not words:
                continue
            self.terms.append(" ".join(words) + ("*" if prefix else ""))
            body = r"\s?".join(regex.escape(w) for w in words)  # "free money" also matches "freemoney"
            bounded.append(body if prefix else body + r"(?![^\W_])")
            joined = "".join(words)
            if len(joined) >= self.COMPACT_MIN:
                compact.append(regex.escape(joined))
        self._bounded = regex.compile(r"(?<![^\W_])(?:" + "|".join(bounded) + ")") if bounded else None
        self._compact = regex.compile("|".join(compact)) if compact else None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def search(self, normalized: str, compacted: str, timeout: float) -> str | None:
        """The first term found, as it reads in the text, or None. Raises TimeoutError past `timeout`
        seconds (per pattern)."""
        if self._bounded is not None and (m := self._bounded.search(normalized, timeout=timeout)):
            return str(m.group())
        if self._compact is not None and (m := self._compact.search(compacted, timeout=timeout)):
            return str(m.group())
        return None


@dataclass(frozen=True)
class Policy:
    """The effective moderation settings of one site: [moderation] with the site's overrides."""

    checks: tuple[str, ...]
    commenting: bool = True
    min_seconds: int = 3
    require_form_token: bool = False
    close_after_days: int = 0
    repeat_window: int = 86400  # seconds
    repeat_similarity: float = 0.85
    repeat_action: Action = Action.REJECT
    same_text_authors: int = 3
    max_links: int = 3
    blocked_domains: frozenset[str] = frozenset()
    blocked_words: WordList | None = None
    suspect_words: WordList | None = None
    suspect_action: Action = Action.FLAG
    match_timeout: float = 0.025  # seconds
    premoderation: PremoderationMode = PremoderationMode.OFF
    premoderate_first: int = 1
    spam_flag: float = 0.5
    spam_hold: float = 0.85
    abuse_flag: float = 0.5
    abuse_nudge: float = 0.7
    abuse_hold: float = 0.9
    reports_to_hold: int = 3
    akismet_key: str = ""
    akismet_url: str = "https://rest.akismet.com"
    hook_url: str = ""
    hook_secret: str = ""
    external_timeout: float = 2.0
    external_failure: Action = Action.PASS


class Case:
    """A submission with its facts and policy, plus the derived forms of its text the checks share."""

    def __init__(self, sub: Submission, facts: Facts, policy: Policy) -> None:
        self.sub = sub
        self.facts = facts
        self.policy = policy
        self.findings_so_far: list[Finding] = []  # what earlier checks found (external checks see it)

    @cached_property
    def normalized(self) -> str:
        """Name and text, normalised for matching (bounded: the domain already capped the text)."""
        return normalize(f"{self.sub.author_name}\n{self.sub.text}"[:MAX_MATCH_CHARS])

    @cached_property
    def compacted(self) -> str:
        return _NOT_ALNUM.sub("", self.normalized)

    @cached_property
    def links(self) -> list[str]:
        return links_in_html(self.sub.html)

    @cached_property
    def staff(self) -> bool:
        return bool(self.facts.roles & STAFF)

    @cached_property
    def trusted(self) -> bool:
        return self.staff or Role.TRUSTED in self.facts.roles


MAX_MATCH_CHARS = 40_000
REPEAT_MIN_CHARS = 40  # shorter texts count as repeats only when identical and in reply to the same
_WORD = re.compile(r"[^\W_]+")
_NOT_ALNUM = regex.compile(r"[\W_]+")
_HREF = re.compile(r"<a\s[^>]*?href=\"([^\"]*)\"")
REFUSED = (
    "Your comment could not be posted. Wait a moment, reload the page and try again; "
    "if it keeps happening, contact the site."
)


def text_digest(normalized_text: str) -> str:
    """A short digest of normalised text: the same words posted again have the same digest."""
    return hashlib.blake2b(" ".join(normalized_text.split()).encode(), digest_size=16).hexdigest()


def email_hash(secret: bytes, email: str) -> str:
    """The keyed hash bans keep instead of an email address."""
    mac = hmac.new(secret, b"rejoinder-ban-email\x00" + email.strip().lower().encode(), hashlib.sha256)
    return mac.hexdigest()


def links_in_html(html: str) -> list[str]:
    """The link targets of rendered (sanitised) comment HTML: exactly the links readers would see."""
    return [m.group(1).replace("&amp;", "&") for m in _HREF.finditer(html)]


def domain_of(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


def blocked_domain(domain: str | None, blocked: frozenset[str]) -> bool:
    """True when `domain` is a blocked domain or one of its subdomains."""
    if not domain:
        return False
    parts = domain.split(".")
    return any(".".join(parts[i:]) in blocked for i in range(len(parts)))


def match_ban(
    bans: Sequence[Ban], *, identity_id: str | None, email_digest: str | None, ip: str | None
) -> Ban | None:
    """The first ban that covers this author, by identity, email hash or network."""
    address = None
    if ip:
        try:
            address = ipaddress.ip_address(ip)
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
        except ValueError:
            address = None
    for ban in bans:
        if ban.identity_id and ban.identity_id == identity_id:
            return ban
        if ban.email_hash and ban.email_hash == email_digest:
            return ban
        if ban.ip_range and address is not None:
            try:
                if address in ipaddress.ip_network(ban.ip_range, strict=False):
                    return ban
            except ValueError:
                continue
    return None


Shingles = frozenset[object]
WORD_SHINGLES_FROM = 12  # words; shorter texts are compared by characters, where punctuation counts


@functools.lru_cache(maxsize=256)
def shingles(text: str, by_words: bool) -> Shingles:
    """What repeat detection compares: the text's word pairs (lower-cased, punctuation dropped), or for a
    short text its 5-character pieces. Cheap on purpose (no full normalisation, sets built in C): it
    runs over the author's recent comments on every post, and an author posting again (a flood above
    all) brings the same recent texts, so the last few hundred sets are kept (~20 KB each at most)."""
    lowered = text[:4000].lower()
    if by_words:
        words = _WORD.findall(lowered)
        return frozenset(itertools.pairwise(words)) if len(words) > 1 else frozenset({tuple(words)})
    flat = " ".join(lowered.split())
    if len(flat) <= 5:
        return frozenset({flat})
    return frozenset(flat[i : i + 5] for i in range(len(flat) - 4))


def similarity(a: Shingles, b: Shingles, at_least: float = 0.0) -> float:
    """Jaccard similarity of two shingle sets, 0 to 1 (0 early when it cannot reach `at_least`: the
    ratio of the sizes bounds it)."""
    if not a or not b or min(len(a), len(b)) < at_least * max(len(a), len(b)):
        return 0.0
    return len(a & b) / len(a | b)


def thread_closed(facts: Facts, policy: Policy, now: int) -> bool:
    if facts.thread_closed:
        return True
    if policy.close_after_days and facts.thread_auto_close and facts.thread_created is not None:
        return now - facts.thread_created > policy.close_after_days * 86_400_000_000
    return False
