"""The moderator web UI at /admin: one Router, registered by one line in web.ROUTES. What it needs for the
app's lifetime (the password attempts' limiter) is built by runtime.Runtime; moderation emails are an
outbox handler (services/admin_mail.HeldMail, registered in handlers.py)."""

from __future__ import annotations

from typing import Any

from litestar import Router

from rejoinder.web.admin import desk, fediverse, imports, manage, notices, routes, webhooks

router = Router(
    path="/admin",
    route_handlers=[
        *routes.HANDLERS,
        *manage.HANDLERS,
        *webhooks.HANDLERS,
        *imports.HANDLERS,
        *desk.HANDLERS,
        *notices.HANDLERS,
        *fediverse.HANDLERS,
    ],
    exception_handlers=routes.ERRORS,
    include_in_schema=False,
)

ROUTES: list[Any] = [router]
