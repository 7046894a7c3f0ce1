"""The moderator web UI at /admin: one Router, registered by one line in web.ROUTES, and what it runs
beside requests for the app's lifetime (`start`: the password attempts' limiter). Moderation emails are
an outbox handler (services/admin_mail.HeldMail, registered in handlers.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar, Router

from rejoinder.services import admin_auth
from rejoinder.services.context import Context
from rejoinder.web.admin import manage, routes

router = Router(
    path="/admin",
    route_handlers=[*routes.HANDLERS, *manage.HANDLERS],
    exception_handlers=routes.ERRORS,
    include_in_schema=False,
)

ROUTES: list[Any] = [router]


async def start(app: Litestar, ctx: Context) -> Callable[[], Awaitable[None]]:
    """Start what /admin needs in the app's lifespan; returns the function that stops it."""
    limiter = admin_auth.LoginLimiter(ctx.settings)
    app.state["admin_login_limiter"] = limiter

    async def stop() -> None:
        await limiter.close()

    return stop
