"""create_app(settings) → an ASGI app: wiring only (the runtime, cache, routes, errors, lifespan). What lives
as long as the app is built and closed by runtime.Runtime; routes come from web.ROUTES plus any extra ones a
caller passes (the demo adds its article page)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.openapi import OpenAPIConfig

from rejoinder import __version__
from rejoinder.config import Settings
from rejoinder.events.dispatcher import Dispatcher
from rejoinder.metrics import RequestRecorder
from rejoinder.ratelimit import TrustedProxies
from rejoinder.runtime import Clock, Runtime
from rejoinder.services.context import Context, now_us
from rejoinder.services.cpu import CpuPool, Inline
from rejoinder.web import ROUTES, apidocs, openapi
from rejoinder.web.access import AccessLog
from rejoinder.web.cache import ResponseCache
from rejoinder.web.cors import Cors
from rejoinder.web.fastpath import FastPath
from rejoinder.web.guard import RequestGuard
from rejoinder.web.headers import HtmlHeaders
from rejoinder.web.metrics import RouteTemplate
from rejoinder.web.problems import EXCEPTION_HANDLERS
from rejoinder.web.proxy import ProxyHeaders
from rejoinder.web.threads import FragmentMemo


class Rejoinder:
    """The ASGI application: the fast path and CORS in front of Litestar."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = now_us,
        cpu: CpuPool | Inline | None = None,
        routes: Sequence[Any] = (),
    ) -> None:
        self.settings = settings
        self.runtime = Runtime(settings, clock=clock, cpu=cpu, serve=True)
        self.cache = ResponseCache(self.runtime.invalidator, settings.cache.max_entries)
        self.litestar = Litestar(
            route_handlers=[*ROUTES, *routes, openapi_json, apidocs.docs_asset],
            exception_handlers=EXCEPTION_HANDLERS,
            middleware=[RequestGuard],  # Origin, Content-Type and JSON depth of every write (web/guard.py)
            lifespan=[self._lifespan],
            request_max_body_size=settings.server.max_body_bytes,
            openapi_config=OpenAPIConfig(
                title="rejoinder",
                version=__version__,
                description="Comments, likes and counts for articles. Errors are application/problem+json.",
                path="/api/docs",
                render_plugins=[apidocs.render_plugin(), openapi.CorrectedJson()],
            ),
            debug=False,
            logging_config=None,  # Litestar would replace the root logger's handlers: logs.py decides
        )
        self.litestar.state["cache"] = self.cache
        self.litestar.state["fragments"] = FragmentMemo(settings.cache.comment_fragments)
        counting = bool(settings.server.metrics_token)  # requests are counted only when /metrics is served
        routed: Any = RouteTemplate(self.litestar) if counting else self.litestar
        inner = FastPath(Cors(HtmlHeaders(routed), self.runtime.sites), self.cache)
        trusted = TrustedProxies(settings.moderation.trusted_proxies)
        self.asgi = AccessLog(ProxyHeaders(inner, trusted), trusted, RequestRecorder() if counting else None)

    @property
    def ctx(self) -> Context | None:
        return self.runtime.ctx if self.runtime.started else None

    @property
    def dispatcher(self) -> Dispatcher | None:
        return self.runtime.dispatcher

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Litestar) -> AsyncIterator[None]:
        runtime = self.runtime
        ctx = await runtime.start()  # raises ConfigError naming the setting: the server does not start
        try:
            app.state["ctx"] = ctx
            app.state["admin_login_limiter"] = runtime.admin_limiter
            app.state["auth_registry"] = runtime.providers  # web/signin_pages.registry_of
            app.state["live"] = runtime.live  # web/live.py; None when live.enabled is off
            app.state["import_tasks"] = set()  # web/admin/imports.py: imports running in the background
            with contextlib.ExitStack() as signals:
                if runtime.live is not None:
                    signals.enter_context(_on_stop_signal(runtime.live.drain))
                yield
        finally:
            # An import still running stops here (its page then says "interrupted"; importing the file
            # again finishes it): it must not outlive the database and invalidation it writes to.
            running = list(app.state.get("import_tasks", ()))
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await runtime.close()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.asgi(scope, receive, send)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def _on_stop_signal(action: Callable[[], object]) -> Iterator[None]:
    """Runs `action` on the event loop when this process gets a stop signal, before the server's own
    handling of it, which it keeps: Granian (a handler on the event loop, woken through the signal wake-up
    fd that stays in place) and uvicorn (a Python handler, called after ours). Both wait for open responses
    before the lifespan shutdown, so open live streams must end here, not in the shutdown. Only in the main
    thread (a test client runs the app in another, where no signal arrives)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def handler(signum: int, frame: object) -> None:
        loop.call_soon_threadsafe(action)
        earlier = previous[signal.Signals(signum)]
        if callable(earlier):
            earlier(signum, frame)  # type: ignore[arg-type]
        elif earlier == signal.SIG_DFL:  # what the signal would have done without us
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, earlier in previous.items():
            if earlier is not None:
                signal.signal(sig, earlier)


@get("/api/openapi.json", include_in_schema=False)
async def openapi_json(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    return Response(openapi.document(request.app), headers={"Cache-Control": "public, max-age=300"})


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = now_us,
    cpu: CpuPool | Inline | None = None,
    routes: Sequence[Any] = (),
) -> Rejoinder:
    """The app. `clock` is what every use case reads the time from (microseconds; tests pass a manual
    one), `cpu` where CPU-heavy steps of writes run (a `CpuPool` thread by default), `routes` extra route
    handlers (the demo's article page)."""
    from rejoinder import config

    return Rejoinder(settings or config.load(), clock=clock, cpu=cpu, routes=routes)
