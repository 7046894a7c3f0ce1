"""What a moderator's desk actions mean for a commenter as they post: an open warning refuses the post until
they acknowledge it, and "always pre-moderate" holds their new comments whatever the checks say. The
moderator's side (giving warnings, turning pre-moderation on) is services/admin_desk.py."""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.domain.sites import SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import CommenterWarned, NotFound
from rejoinder.events.kinds import EventKind
from rejoinder.moderation.rules import Action, Finding
from rejoinder.services.context import Context
from rejoinder.store import desk as store
from rejoinder.store import engine as store_engine

# The reason an author reads about a comment held because a moderator asked for it.
PREMODERATED = Finding(
    "desk",
    Action.HOLD,
    "commenter-premoderated",
    "A moderator reviews your comments here before they appear.",
)


class Standing(msgspec.Struct, frozen=True):
    premoderated: bool


async def standing_of(
    conn: Any, site_id: int, *, identity_id: str | None, email_hash: str | None
) -> Standing:
    """Raises CommenterWarned for an open warning; otherwise whether the commenter is always held."""
    warning = await store.select_open_warning(conn, site_id, identity_id=identity_id, email_hash=email_hash)
    if warning is not None:
        raise CommenterWarned(warning.id, warning.message)
    premoderated = await store.is_premoderated(conn, site_id, identity_id=identity_id, email_hash=email_hash)
    return Standing(premoderated=premoderated)


async def acknowledge_warning(ctx: Context, warning_id: str, *, site_guard: SiteGuard | None = None) -> None:
    """The commenter read the warning: they may post again. Its id is shown only to the one warned (in the
    problem their post was refused with), so the id is what proves it is theirs."""
    check_text_field(warning_id, "id")
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        warning = await store.select_warning(conn, warning_id[:64])
        if warning is None or warning.acknowledged is not None:
            raise NotFound("There is no open warning with this id", code="warning-not-found")
        if site_guard is not None:
            site_guard(await ctx.sites.by_id(warning.site_id))
        await store.acknowledge_warning(conn, warning.id, now=now)
        event = await ctx.outbox.add(
            conn, EventKind.WARNING_ACKNOWLEDGED, site_id=warning.site_id, subject=warning.id
        )
    ctx.outbox.committed(event)
