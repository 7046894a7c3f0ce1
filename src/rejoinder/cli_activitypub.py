"""`rejoinder activitypub …`: block and unblock fediverse instances, list the blocked ones. Each command
calls services/activitypub/blocks.py; cli.py registers the group (docs/federation.md)."""

from __future__ import annotations

import click

from rejoinder.cli_context import with_context


@click.group()
def activitypub() -> None:
    """The fediverse: instances whose activities every inbox refuses (docs/federation.md)."""


@activitypub.command("block")
@click.argument("domain")
@click.option("--reason", default=None, help="Why, for the other moderators")
@click.pass_context
def block(ctx: click.Context, domain: str, reason: str | None) -> None:
    """Refuse every activity from DOMAIN and its subdomains."""
    from rejoinder.services.activitypub import blocks

    name, added = with_context(ctx, lambda c: blocks.block(c, domain, reason=reason, by="cli"))
    click.echo(f"{name} blocked" if added else f"{name} was already blocked")


@activitypub.command("unblock")
@click.argument("domain")
@click.pass_context
def unblock(ctx: click.Context, domain: str) -> None:
    """Take activities from DOMAIN again."""
    from rejoinder.services.activitypub import blocks

    removed = with_context(ctx, lambda c: blocks.unblock(c, domain, by="cli"))
    click.echo(f"{domain} unblocked" if removed else f"{domain} was not blocked")


@activitypub.command("blocked")
@click.pass_context
def blocked(ctx: click.Context) -> None:
    """List the blocked instances."""
    from rejoinder.services.activitypub import blocks

    for name, reason in with_context(ctx, blocks.blocked):
        click.echo(f"{name}\t{reason or ''}")


@activitypub.command("follow")
@click.argument("site")
@click.argument("actor")
@click.pass_context
def follow(ctx: click.Context, site: str, actor: str) -> None:
    """Have SITE's actor follow ACTOR (its id URL), e.g. another rejoinder's site actor serving the same
    articles: its followers' deliveries then bring that server's comments here."""
    from rejoinder.services.activitypub import follows

    uri = with_context(ctx, lambda c: follows.follow(c, site, actor))
    click.echo(f"{site} follows {uri}")
