"""Sites: a publisher's site, its allowed origins and its per-site options."""

from __future__ import annotations

import re

import msgspec

from rejoinder.errors import Invalid


class SiteOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    require_email: bool = False
    gravatar: bool = False
    display_depth: int = 3
    allow_guests: bool = True


class Site(msgspec.Struct, frozen=True):
    id: int
    name: str
    origins: tuple[str, ...]
    options: SiteOptions


_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def check_site_name(name: str) -> str:
    if not _NAME.match(name):
        raise Invalid.field(
            "name",
            "site-name-invalid",
            "A site name uses lower-case letters, digits, '.', '_' and '-' (max 100)",
        )
    return name
