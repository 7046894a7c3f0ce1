"""What the `rejoinder` commands share: the settings they load and the Context a one-shot command works on.
The commands themselves live in cli.py and its cli_*.py groups; nothing here is a command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from rejoinder import config
from rejoinder.config import Settings
from rejoinder.errors import ConfigError, RejoinderError

T = TypeVar("T")


def load_settings(ctx: click.Context, overrides: dict[str, dict[str, Any]] | None = None) -> Settings:
    """The settings of the config file given with `-c` (and the environment); a setting that cannot be
    used ends the command with its message on one line, not a traceback."""
    try:
        return config.load(ctx.obj.get("config"), overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def with_context(ctx: click.Context, work: Callable[[Any], Awaitable[T]]) -> T:
    """`work(context)` on the configured database, migrated first; a RejoinderError becomes a one-line
    message (its field errors, else its detail) and exit status 1."""
    settings = load_settings(ctx)

    async def go() -> T:
        from rejoinder.runtime import open_context

        async with open_context(settings, migrate=True) as runtime:
            return await work(runtime.ctx)

    try:
        return asyncio.run(go())
    except RejoinderError as exc:
        fields = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise click.ClickException(fields or exc.detail) from None
