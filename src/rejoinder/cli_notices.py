"""`rejoinder notices export`: every notice of illegal content or statement of reasons (DSA Art. 16-17) as
CSV or JSON lines, for the transparency report. Calls services/moderation/legal.py, never SQL; cli.py
registers the group."""

from __future__ import annotations

import sys
from typing import Any

import click

from rejoinder.cli_context import with_context
from rejoinder.moderation.actions import Actor


@click.group()
def notices() -> None:
    """Notices of illegal content and statements of reasons (docs/legal.md)."""


@notices.command("export")
@click.option(
    "--kind",
    type=click.Choice(["notices", "statements"]),
    default="notices",
    show_default=True,
    help="What to export",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--site", "site_name", help="Only this site (default: every site)")
@click.pass_context
def export_cmd(ctx: click.Context, kind: str, fmt: str, site_name: str | None) -> None:
    """Write every notice or statement of reasons to standard output, oldest first (JSON: one per line)."""
    from rejoinder.services.moderation import legal

    async def work(context: Any) -> None:
        site_ids: list[int] | None = None
        if site_name:
            site: Any = await context.sites.by_name(site_name)
            if site is None:
                raise click.ClickException(f"No site named {site_name}")
            site_ids = [site.id]
        async for line in legal.export(context, Actor.of_system("cli"), kind, fmt, site_ids=site_ids):
            sys.stdout.write(line)

    with_context(ctx, work)
