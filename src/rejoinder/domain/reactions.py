"""Reactions: the catalogue of kinds a site may offer (emoji; their accessible names are in every locale
file's `reactionNames`), a site's choice of them, and muting another commenter. Pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from rejoinder.errors import Invalid

# The kinds a site may choose from, with their emoji. The accessible names are translated in every
# locale file (static/locales/<lang>.json `reactionNames`; tests/test_i18n.py checks each has them all).
CATALOG: dict[str, str] = {
    "like": "\N{THUMBS UP SIGN}",
    "love": "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}",
    "laugh": "\N{FACE WITH TEARS OF JOY}",
    "wow": "\N{FACE WITH OPEN MOUTH}",
    "sad": "\N{CRYING FACE}",
    "angry": "\N{ANGRY FACE}",
    "clap": "\N{CLAPPING HANDS SIGN}",
    "think": "\N{THINKING FACE}",
    "party": "\N{PARTY POPPER}",
    "insight": "\N{ELECTRIC LIGHT BULB}",
}
MAX_SITE_REACTIONS = 6
RECENT_REACTORS = 12


class ReactionResult(msgspec.Struct, frozen=True):
    reacted: bool
    count: int  # of this kind on this article or comment, after the change


def check_site_reactions(kinds: Iterable[str]) -> tuple[str, ...]:
    """A site's reactions: at most six kinds of the catalogue, each once, in the order given."""
    chosen = tuple(kinds)
    unknown = [k for k in chosen if k not in CATALOG]
    if unknown:
        raise Invalid.field(
            "reactions",
            "reaction-unknown",
            f"Unknown reaction {unknown[0]!r}; choose from {', '.join(CATALOG)}",
        )
    if len(set(chosen)) != len(chosen):
        raise Invalid.field("reactions", "reactions-invalid", "Each reaction may be chosen once")
    if len(chosen) > MAX_SITE_REACTIONS:
        raise Invalid.field(
            "reactions", "reactions-invalid", f"A site offers at most {MAX_SITE_REACTIONS} reactions"
        )
    return chosen


def check_reaction(kind: str, offered: tuple[str, ...]) -> str:
    """A reaction a reader sends: one the site offers (404-like refusals would hide a typo: this is a 422)."""
    if kind not in offered:
        raise Invalid.field(
            "kind",
            "reaction-not-offered",
            f"This site does not offer the reaction {kind[:40]!r}"
            + (f"; it offers {', '.join(offered)}" if offered else "; it offers none"),
        )
    return kind


def check_mute(author_key: str, own_key: str) -> None:
    """A reader may mute any commenter but themselves."""
    if author_key == own_key:
        raise Invalid.field("comment", "mute-self", "You cannot mute yourself")
