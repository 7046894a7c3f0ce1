"""Sites: a publisher's site, its allowed origins and its per-site options."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

import msgspec

from rejoinder.errors import Invalid


class PremoderationMode(enum.StrEnum):
    """Which comments wait for a moderator before they appear ([moderation] premoderation, or a site's)."""

    OFF = "off"  # none
    ALL = "all"  # every comment
    FIRST = "first"  # a new commenter's first comments (premoderate_first approved ones needed)
    GUESTS = "guests"  # comments from readers who are not signed in
    LINKS = "links"  # comments with links


class SiteModeration(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One site's moderation overrides. None keeps the server's [moderation] setting; the word and
    domain lists add to the server's. docs/moderation.md describes each."""

    commenting: bool = True  # false: the site takes no new comments at all
    premoderation: PremoderationMode | None = None
    premoderate_first: int | None = None
    max_links: int | None = None
    min_seconds: int | None = None
    reports_to_hold: int | None = None
    close_after_days: int | None = None
    blocked_domains: tuple[str, ...] = ()
    blocked_words: tuple[str, ...] = ()
    suspect_words: tuple[str, ...] = ()
    akismet_key: str | None = None  # "" turns Akismet off for this site even if the server has a key
    hook_url: str | None = None
    hook_secret: str | None = None


class SiteImages(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Images in comments on one site (off unless the site turns them on; docs/embedding.md#images). The
    server's [images] max_upload_bytes and max_pixels bound these whatever they say."""

    enabled: bool = False
    max_count: int = 4  # images per comment
    max_bytes: int = 5_000_000  # one upload, as sent
    max_side: int = 4096  # widest or tallest side, in pixels
    max_pixels: int = 16_000_000  # width × height × frames of one image
    max_frames: int = 100  # frames of an animated GIF or WebP


class SiteOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    require_email: bool = False
    gravatar: bool = False
    display_depth: int = 3
    allow_guests: bool = True
    # The "Email me replies" and "Email me new comments on this article" boxes under the form start ticked
    # (docs/notifications.md); off unless the site says otherwise.
    subscribe_replies: bool = False
    subscribe_thread: bool = False
    # The reactions offered on the article and on each comment (domain/reactions.CATALOG kinds, at most six,
    # in this order; docs/embedding.md), and whether the Like button stays beside them.
    reactions: tuple[str, ...] = ()
    like_button: bool = True
    # Links in the site's published comments get a Webmention sent to pages that advertise an endpoint
    # (docs/federation.md); off unless the site turns it on.
    send_webmentions: bool = False
    moderation: SiteModeration = msgspec.field(default_factory=SiteModeration)
    images: SiteImages = msgspec.field(default_factory=SiteImages)


class Site(msgspec.Struct, frozen=True):
    id: int
    name: str
    origins: tuple[str, ...]
    options: SiteOptions


# Called with the site a request turned out to concern; raises (e.g. Forbidden origin-not-allowed) when the
# caller may not act on it. Services take one where the site is known only after a lookup (a comment's id).
SiteGuard = Callable[[Site], None]


def guards(*each: SiteGuard | None) -> SiteGuard | None:
    """One guard that runs each given one in order (None when none is given)."""
    found = [g for g in each if g is not None]
    if not found:
        return None

    def guard(site: Site) -> None:
        for g in found:
            g(site)

    return guard


_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def check_site_name(name: str) -> str:
    if not _NAME.match(name):
        raise Invalid.field(
            "name",
            "site-name-invalid",
            "A site name uses lower-case letters, digits, '.', '_' and '-' (max 100)",
        )
    return name
