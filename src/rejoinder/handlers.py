"""Who reacts to which domain events: the one registry of outbox handlers. Adding a reaction is one
builder here plus one line in `BUILDERS` (docs/contributing.md). Built once per Context by
`runtime.wire_outbox`; a builder returns None when its feature is off under the settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rejoinder.events.kinds import THREAD_KINDS, Event, EventKind
from rejoinder.events.outbox import Handler, Route
from rejoinder.services import admin_mail
from rejoinder.services import images as image_service
from rejoinder.services import subscriptions as subscription_service
from rejoinder.services import webhooks as webhook_service
from rejoinder.services import webmentions as webmention_service
from rejoinder.services.activitypub import activities as activitypub_activities
from rejoinder.services.activitypub import delivery as activitypub_delivery
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import LearnFromDecisions
from rejoinder.services.moderation.notices import notice_mail_for, notice_moderator_mail_for
from rejoinder.services.moderation.statements import statement_mail_for
from rejoinder.services.sites import SITES_KEY
from rejoinder.services.threads import cache_keys


def invalidation(ctx: Context) -> Route:
    """Cached reads of a changed thread become stale in every worker and host (invalidation/). Runs inline in the
    committing worker, so a reader sees the change at once; the outbox redelivers it after a crash."""

    def bump(event: Event) -> None:
        keys: list[str] = []
        if event.kind is EventKind.SITE_CHANGED:
            keys.append(SITES_KEY)
        elif event.kind is EventKind.IDENTITY_CHANGED:
            for site_id, uri, key in event.data.get("threads", []):
                keys += cache_keys(int(site_id), uri, key)
        elif event.site_id is not None:
            keys += cache_keys(event.site_id, event.data.get("uri"), event.data.get("key"))
        if keys:
            ctx.invalidator.bump(sorted(set(keys)))

    kinds = THREAD_KINDS | {EventKind.SITE_CHANGED, EventKind.IDENTITY_CHANGED, EventKind.COMMENTS_IMPORTED}
    return Route(name="invalidate", kinds=frozenset(kinds), inline=bump)


def _route_or_none(name: str, kinds: Iterable[EventKind], handler: Handler | None) -> Route | None:
    """The route that gives `handler` the events of `kinds`; None when there is no handler (its feature is
    off under the settings)."""
    return None if handler is None else Route(name=name, kinds=frozenset(kinds), handler=handler)


def held_mail(ctx: Context) -> Route | None:
    """Comments held for review are mailed to their site's moderators ([email] notify_pending)."""
    kinds = {EventKind.COMMENT_POSTED, EventKind.COMMENT_EDITED, EventKind.COMMENT_STATUS_CHANGED}
    return _route_or_none("moderator-email", kinds, admin_mail.held_mail_for(ctx))


def classifier_learning(ctx: Context) -> Route | None:
    """The learning classifier learns from moderators' decisions (when its check is on)."""
    if ctx.moderation is None or ctx.moderation.sink is None:
        return None
    return Route(
        name="classifier",
        kinds=frozenset({EventKind.COMMENT_STATUS_CHANGED}),
        handler=LearnFromDecisions(ctx),
    )


def webhooks(ctx: Context) -> Route:
    """Events of the webhook types fan out into one delivery per subscribed endpoint of the site."""
    return webhook_service.fan_out_route(ctx)


def webhook_sender(ctx: Context) -> Route:
    """Each endpoint's deliveries (`webhook:<id>`): a signed POST, retried for about a day, then the
    endpoint is disabled and the site's staff are told."""
    return webhook_service.sender_route(ctx)


def subscriptions(ctx: Context) -> Route | None:
    """A comment that became public is queued for the readers who follow its parent, thread or site."""
    return subscription_service.fan_out_route(ctx)


def subscription_mail(ctx: Context) -> Route | None:
    """Each address's batch (`subscription-mail:<id>`, digests `…:<id>d`): one email of what is due."""
    return subscription_service.sender_route(ctx)


def subscription_confirm(ctx: Context) -> Route | None:
    """A guest's subscription request: the confirmation link (or, once confirmed, a notice)."""
    return subscription_service.confirm_route(ctx)


def image_cleanup(ctx: Context) -> Route | None:
    """The bytes of a deleted or erased comment's images are deleted from the image storage."""
    return image_service.cleanup_route(ctx)


def notice_mail(ctx: Context) -> Route | None:
    """A notice of illegal content is acknowledged to its notifier, and its decision sent with the reasons."""
    kinds = {EventKind.NOTICE_FILED, EventKind.NOTICE_DECIDED}
    return _route_or_none("notice-mail", kinds, notice_mail_for(ctx))


def notice_moderator_mail(ctx: Context) -> Route | None:
    """A new notice of illegal content is mailed to its site's moderators ([email] notify_pending)."""
    return _route_or_none("notice-moderator-mail", {EventKind.NOTICE_FILED}, notice_moderator_mail_for(ctx))


def statement_mail(ctx: Context) -> Route | None:
    """A statement of reasons is mailed to the author of a removed or restricted comment (confirmed address)."""
    return _route_or_none("statement-mail", {EventKind.STATEMENT_ISSUED}, statement_mail_for(ctx))


def activitypub_inbox(ctx: Context) -> Route | None:
    """Activities the inboxes accepted (signature verified): replies, edits, likes, follows."""
    return activitypub_activities.inbox_route(ctx)


def activitypub_deliver(ctx: Context) -> Route | None:
    """A local comment that became public fans out to the thread's remote participants' inboxes."""
    return activitypub_delivery.fan_out_route(ctx)


def activitypub_send(ctx: Context) -> Route | None:
    """Each inbox's delivery (`activitypub-send:<actor id>`): a signed Create, retried with backoff."""
    return activitypub_delivery.sender_route(ctx)


def webmention_verify(ctx: Context) -> Route:
    """A received Webmention's source is fetched and checked; a reply becomes a moderated comment."""
    return webmention_service.verify_route(ctx)


def webmention_links(ctx: Context) -> Route:
    """A public comment's links, on a site that sends Webmentions: one delivery per linked page."""
    return webmention_service.links_route(ctx)


def webmention_sender(ctx: Context) -> Route:
    """Each link's delivery (`webmention-send:<id>`): endpoint discovery, then the Webmention, retried."""
    return webmention_service.sender_route(ctx)


BUILDERS: tuple[Callable[[Context], Route | None], ...] = (
    invalidation,
    held_mail,
    classifier_learning,
    webhooks,
    webhook_sender,
    subscriptions,
    subscription_mail,
    subscription_confirm,
    image_cleanup,
    notice_mail,
    notice_moderator_mail,
    statement_mail,
    activitypub_inbox,
    activitypub_deliver,
    activitypub_send,
    webmention_verify,
    webmention_links,
    webmention_sender,
)


def routes_for(ctx: Context) -> tuple[Route, ...]:
    return tuple(route for build in BUILDERS if (route := build(ctx)) is not None)
