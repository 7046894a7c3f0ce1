"""create_app(settings) → an ASGI app: wiring only (store, invalidation, cache, routes, errors, lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.openapi import OpenAPIConfig

from rejoinder import __version__
from rejoinder.bus.base import Invalidator
from rejoinder.bus.redis import RedisInvalidator
from rejoinder.bus.shared import SharedFileInvalidator
from rejoinder.config import Settings
from rejoinder.events.dispatcher import Dispatcher
from rejoinder.moderation.checks.classifier import ClassifierScorer
from rejoinder.runtime import make_context, make_dispatcher
from rejoinder.services.avatars import Avatars, GravatarSource
from rejoinder.services.context import Context
from rejoinder.services.cpu import CpuPool, Inline
from rejoinder.services.moderation import ClassifierSink, Moderation
from rejoinder.services.moderation.learning import model_directory
from rejoinder.services.pictures import PictureFetcher
from rejoinder.services.sessions import Purger
from rejoinder.services.sites import SiteRegistry, ensure_secret
from rejoinder.store import migrate
from rejoinder.store.engine import create_engine
from rejoinder.web import ROUTES, admin, apidocs, openapi
from rejoinder.web.cache import ResponseCache
from rejoinder.web.cors import Cors
from rejoinder.web.fastpath import FastPath
from rejoinder.web.guard import RequestGuard
from rejoinder.web.headers import HtmlHeaders
from rejoinder.web.problems import EXCEPTION_HANDLERS
from rejoinder.web.threads import FragmentMemo

log = logging.getLogger("rejoinder")


def generation_path(settings: Settings) -> Path:
    """Where workers on this host share cache generations: beside a SQLite file, else in the temp dir."""
    if settings.cache.generation_file:
        return Path(settings.cache.generation_file)
    url = settings.database.url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///") + ".gen")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"rejoinder-{digest}.gen"


def make_invalidator(settings: Settings) -> Invalidator:
    local = SharedFileInvalidator(generation_path(settings))
    if settings.redis.url:
        return RedisInvalidator(settings.redis.url, local)
    return local


class Rejoinder:
    """The ASGI application: the fast path and CORS in front of Litestar."""

    def __init__(self, settings: Settings, *, cpu: CpuPool | Inline | None = None) -> None:
        self.settings = settings
        self.cpu = cpu or CpuPool()  # CPU-heavy steps of writes, off the event loop (services/cpu.py)
        self.engine = create_engine(
            settings.database.url,
            sqlite_synchronous=settings.database.sqlite_synchronous,
            pool_size=settings.database.pool_size,
        )
        self.invalidator = make_invalidator(settings)
        self.sites = SiteRegistry(self.engine, invalidator=self.invalidator)
        pictures = settings.avatars
        self.avatars = Avatars(
            self.engine,
            GravatarSource(pictures.gravatar_url),
            PictureFetcher(timeout=pictures.picture_timeout, allow_private=pictures.pictures_allow_private)
            if pictures.provider_pictures
            else None,
        )
        self.cache = ResponseCache(self.invalidator, settings.cache.max_entries)
        self.ctx: Context | None = None
        self.dispatcher: Dispatcher | None = None
        self.litestar = Litestar(
            route_handlers=[*ROUTES, openapi_json, apidocs.docs_asset],
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
        )
        self.litestar.state["cache"] = self.cache
        self.litestar.state["fragments"] = FragmentMemo(settings.cache.comment_fragments)
        self.asgi = FastPath(Cors(HtmlHeaders(self.litestar), self.sites), self.cache)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Litestar) -> AsyncIterator[None]:
        if self.settings.database.auto_migrate:
            await asyncio.to_thread(migrate.upgrade, self.settings.database.url)
        secret = await ensure_secret(
            self.engine, self.settings.security.secret_key, secrets.token_urlsafe(32)
        )
        await self.sites.load()
        try:
            await self.invalidator.start()
        except Exception as exc:
            log.warning("[rejoinder] cache invalidation through Redis is unavailable: %s", type(exc).__name__)
        # Built on the serving loop: the rate limiter's Redis client and the external checks' HTTP client.
        classifier = self._classifier()
        moderation = Moderation.default(
            self.settings, http=True, scorer=ClassifierScorer(classifier) if classifier else None
        )
        if classifier is not None:
            moderation.sink = ClassifierSink(classifier)
        self.ctx = make_context(
            self.engine,
            self.settings,
            secret,
            self.invalidator,
            self.sites,
            avatars=self.avatars,
            moderation=moderation,
            cpu=self.cpu,
        )
        app.state["ctx"] = self.ctx
        self.dispatcher = make_dispatcher(self.ctx)  # delivers the outbox's events (docs/adr/0002-outbox.md)
        self.dispatcher.start()
        stop_admin = await admin.start(app, self.ctx)  # /admin's sign-in limiter and moderation emails
        purger = Purger(self.ctx, self.settings.auth.purge_interval)  # expired sessions and tickets
        purger.start()
        try:
            yield
        finally:
            await self.dispatcher.stop()
            await purger.stop()
            await stop_admin()
            await self.avatars.drain()
            await moderation.close()
            if classifier is not None:
                classifier.close()
            await self.invalidator.stop()
            await self.engine.dispose()
            self.cpu.close()

    def _classifier(self) -> Any:
        """The learning spam/abuse classifier when its check is on (models kept beside the database)."""
        mod = self.settings.moderation
        if not (mod.enabled and "classifier" in mod.checks):
            return None
        from rejoinder.moderation.classifier import Classifier

        return Classifier(model_directory(self.settings))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.asgi(scope, receive, send)


@get("/api/openapi.json", include_in_schema=False)
async def openapi_json(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    return Response(openapi.document(request.app), headers={"Cache-Control": "public, max-age=300"})


def create_app(settings: Settings | None = None, *, cpu: CpuPool | Inline | None = None) -> Rejoinder:
    """The app; `cpu` is where CPU-heavy steps of writes run (a `CpuPool` thread by default)."""
    from rejoinder import config

    return Rejoinder(settings or config.load(), cpu=cpu)
