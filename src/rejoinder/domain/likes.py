"""Likes: who may like, and how a liker's name is shown."""

from __future__ import annotations

import re

import msgspec

from rejoinder.errors import Invalid

_VISITOR = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
RECENT_LIKERS = 12


class Liker(msgspec.Struct, frozen=True):
    name: str
    avatar_key: str


class LikeResult(msgspec.Struct, frozen=True):
    liked: bool
    likes: int


def check_visitor(visitor: str | None) -> str:
    """The anonymous visitor id from the Rejoinder-Visitor header (16–128 URL-safe characters)."""
    if not visitor:
        raise Invalid.field(
            "Rejoinder-Visitor",
            "visitor-required",
            "Send the Rejoinder-Visitor header (a random id the widget keeps) to like",
        )
    if not _VISITOR.match(visitor):
        raise Invalid.field(
            "Rejoinder-Visitor",
            "visitor-invalid",
            "Rejoinder-Visitor must be 16–128 characters of A-Z a-z 0-9 _ -",
        )
    return visitor
