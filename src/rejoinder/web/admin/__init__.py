"""The moderator web UI at /admin: one Router, registered by one line in web.ROUTES."""

from __future__ import annotations

from typing import Any

from litestar import Router

from rejoinder.web.admin import manage, routes

router = Router(
    path="/admin",
    route_handlers=[*routes.HANDLERS, *manage.HANDLERS],
    exception_handlers=routes.ERRORS,
    include_in_schema=False,
)

ROUTES: list[Any] = [router]
