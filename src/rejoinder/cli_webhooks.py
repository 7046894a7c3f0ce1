"""`rejoinder webhook …`: a site's webhook endpoints from the command line (add, list, remove, enable,
disable, rotate-secret, deliveries, redeliver). Each command calls services/webhooks.py, never SQL; cli.py
registers the group. Kept apart from cli.py so that neither passes the size the style guide sets."""

from __future__ import annotations

from typing import Any

import click

from rejoinder.cli_context import with_context
from rejoinder.domain.webhooks import Endpoint, WebhookType, iso


def _line(e: Endpoint, site: str) -> str:
    state = e.state.value if e.disabled_reason is None else f"{e.state.value} ({e.disabled_reason})"
    return f"{e.id}\t{site}\t{e.url}\t{','.join(t.value for t in e.events)}\t{state}"


@click.group()
def webhook() -> None:
    """Signed webhooks: a site's endpoints, their secrets and delivery log (docs/notifications.md)."""


@webhook.command("add")
@click.argument("site")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice([t.value for t in WebhookType]),
    help="An event type to send (repeat it) [default: all]",
)
@click.option("--description", default="", help="A note for admins, e.g. who runs the receiver")
@click.pass_context
def webhook_add(ctx: click.Context, site: str, url: str, events: tuple[str, ...], description: str) -> None:
    """Subscribe an https URL to a site's events; prints the endpoint's id and signing secret."""
    from rejoinder.services import webhooks as service

    async def work(context: Any) -> Endpoint:
        site_id = await context.sites.scope_named(site)
        return await service.add_endpoint(context, site_id, url, events=events, description=description)

    made = with_context(ctx, work)
    click.echo(f"endpoint {made.id} added for {', '.join(t.value for t in made.events)}")
    click.echo(f"secret: {made.secret}")
    click.echo("Give the secret to the receiver; it verifies the webhook-signature header with it.")


@webhook.command("list")
@click.option("--site", "site_name", help="Only this site's endpoints [default: every site]")
@click.pass_context
def webhook_list(ctx: click.Context, site_name: str | None) -> None:
    """List endpoints: id, site, URL, event types and state (secrets are not shown)."""
    from rejoinder.services import webhooks as service

    async def work(context: Any) -> tuple[list[Endpoint], dict[int, str]]:
        site_id = await context.sites.scope_named(site_name)
        found = await service.list_endpoints(context, site_ids=None if site_id is None else [site_id])
        return found, {s.id: s.name for s in await context.sites.all()}

    found, names = with_context(ctx, work)
    for e in found:
        click.echo(_line(e, names.get(e.site_id, "?")))
    if not found:
        click.echo("no webhook endpoints; see `rejoinder webhook add --help`")


@webhook.command("remove")
@click.argument("endpoint_id", type=click.IntRange(1))
@click.pass_context
def webhook_remove(ctx: click.Context, endpoint_id: int) -> None:
    """Remove an endpoint with its delivery log; nothing more is sent to it."""
    from rejoinder.services import webhooks as service

    with_context(ctx, lambda context: service.remove_endpoint(context, endpoint_id, site_ids=None))
    click.echo(f"endpoint {endpoint_id} removed")


@webhook.command("enable")
@click.argument("endpoint_id", type=click.IntRange(1))
@click.pass_context
def webhook_enable(ctx: click.Context, endpoint_id: int) -> None:
    """Send to an endpoint again (after it was disabled for failing, or by hand)."""
    _set_enabled(ctx, endpoint_id, True)


@webhook.command("disable")
@click.argument("endpoint_id", type=click.IntRange(1))
@click.pass_context
def webhook_disable(ctx: click.Context, endpoint_id: int) -> None:
    """Stop sending to an endpoint, keeping it and its log."""
    _set_enabled(ctx, endpoint_id, False)


def _set_enabled(ctx: click.Context, endpoint_id: int, enabled: bool) -> None:
    """`webhook enable` and `webhook disable`: turn sending to the endpoint on or off, and say so."""
    from rejoinder.services import webhooks as service

    with_context(ctx, lambda context: service.set_enabled(context, endpoint_id, enabled, site_ids=None))
    click.echo(f"endpoint {endpoint_id} {'enabled' if enabled else 'disabled'}")


@webhook.command("rotate-secret")
@click.argument("endpoint_id", type=click.IntRange(1))
@click.pass_context
def webhook_rotate_secret(ctx: click.Context, endpoint_id: int) -> None:
    """Give an endpoint a new secret; the old one still signs for webhooks.rotation_overlap_hours."""
    from rejoinder.services import webhooks as service

    made = with_context(ctx, lambda context: service.rotate_secret(context, endpoint_id, site_ids=None))
    click.echo(f"secret: {made.secret}")
    if made.previous_until is not None:
        click.echo(f"the previous secret also signs deliveries until {iso(made.previous_until)}")


@webhook.command("deliveries")
@click.argument("endpoint_id", type=click.IntRange(1))
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.pass_context
def webhook_deliveries(ctx: click.Context, endpoint_id: int, limit: int) -> None:
    """The endpoint's delivery log, newest first: time, event id, type, status, duration, error."""
    from rejoinder.services import webhooks as service

    found = with_context(
        ctx, lambda context: service.attempts_of(context, endpoint_id, site_ids=None, limit=limit)
    )
    for a in found:
        status = "-" if a.status_code is None else str(a.status_code)
        outcome = "ok" if a.ok else a.error
        click.echo(
            f"{iso(a.attempted)}\t{a.event_uid}\t{a.event_type}\t{status}\t{a.duration_ms} ms\t{outcome}"
        )
    if not found:
        click.echo("nothing was sent to this endpoint yet")


@webhook.command("redeliver")
@click.argument("endpoint_id", type=click.IntRange(1))
@click.argument("event_id")
@click.pass_context
def webhook_redeliver(ctx: click.Context, endpoint_id: int, event_id: str) -> None:
    """Send an event to an endpoint again (same webhook-id); a running server sends it within seconds."""
    from rejoinder.services import webhooks as service

    with_context(ctx, lambda context: service.redeliver(context, endpoint_id, event_id, site_ids=None))
    click.echo(f"event {event_id} queued for endpoint {endpoint_id}")
