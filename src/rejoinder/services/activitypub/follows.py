"""A site actor following another actor (`rejoinder activitypub follow SITE ACTOR`): typically another
rejoinder's site actor that serves the same articles, so that its commenters' replies (delivered to its
followers with `activitypub.deliver_to_followers`) reach this server's threads, and this server's replies
to them go back (they make that actor a participant of the thread). The Follow is signed by the site actor
and posted at once to the followed actor's inbox; its Accept needs nothing from us."""

from __future__ import annotations

from rejoinder.errors import RejoinderError, Unavailable
from rejoinder.federation.activitypub import documents as docs
from rejoinder.federation.activitypub.client import FetchFailed
from rejoinder.services.activitypub.actors import client_for, signer_for, site_named, urls_for
from rejoinder.services.activitypub.inbox import remote_actor
from rejoinder.services.context import Context


class FollowFailed(Unavailable):
    default_code = "follow-failed"
    default_detail = "The actor to follow could not be reached"


async def follow(ctx: Context, site_name: str, actor_url: str) -> str:
    """Have `site_name`'s actor follow the actor whose id is `actor_url`; the actor's id."""
    site = await site_named(ctx, site_name)
    allow_http = ctx.settings.activitypub.allow_private
    uri = docs.http_url(actor_url.strip(), allow_http=allow_http)
    if uri is None:
        raise FollowFailed("Give the actor's id, an https URL")
    client = client_for(ctx)
    signer = await signer_for(ctx, site)
    try:
        actor = await remote_actor(ctx, client, uri=uri, refresh=True, signer=signer)
    except RejoinderError as exc:
        raise FollowFailed(f"The actor could not be fetched: {exc.detail}") from None
    urls = urls_for(ctx, site)
    activity = docs.wrap(
        urls, "Follow", actor.uri, id_=f"{urls.actor}#follows/{ctx.token(12)}", to=[actor.uri]
    )
    try:
        await client.post(actor.inbox, activity, signer=signer)
    except FetchFailed as exc:
        raise FollowFailed(f"The Follow was not taken: {exc}") from None
    return actor.uri
