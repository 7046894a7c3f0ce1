"""The Runtime: everything long-lived (engine, invalidation, site registry, avatars, moderation with its rate
limiter and classifier, mailer, sign-in providers, /admin's limiter, clock, CPU pool, outbox dispatcher,
purger), built once at start-up and closed at shutdown, here only. The server (app.py's lifespan), the CLI,
the demo, the benchmarks and the tests all go through `Runtime` / `open_context`. Not here: HTTP routes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder import handlers, media
from rejoinder.auth.providers import Registry, build_registry
from rejoinder.config import Settings
from rejoinder.errors import ConfigError
from rejoinder.events.dispatcher import Dispatcher, RetryPolicy
from rejoinder.events.outbox import Outbox
from rejoinder.invalidation.base import Invalidator
from rejoinder.invalidation.memory import MemoryInvalidator
from rejoinder.invalidation.redis import RedisInvalidator
from rejoinder.invalidation.shared import SharedFileInvalidator
from rejoinder.moderation.checks.classifier import ClassifierScorer
from rejoinder.notify.email import Mailer, SmtpMailer
from rejoinder.notify.mailbox import MailboxMailer
from rejoinder.services.accounts import DbAppStore
from rejoinder.services.admin_auth import LoginLimiter
from rejoinder.services.avatars import Avatars, GravatarSource
from rejoinder.services.context import Context, now_us
from rejoinder.services.cpu import INLINE, CpuPool, Inline
from rejoinder.services.live import LiveHub
from rejoinder.services.moderation import ClassifierSink, Moderation
from rejoinder.services.moderation.learning import model_directory
from rejoinder.services.pictures import PictureFetcher
from rejoinder.services.purging import Purger
from rejoinder.services.sites import SiteRegistry, ensure_secret, stored_secret
from rejoinder.store import backup as backup_files
from rejoinder.store import migrate
from rejoinder.store.engine import create_engine, database_unavailable

log = logging.getLogger("rejoinder")
US = 1_000_000
# How long a starting server waits for a database that cannot be reached (restarting, not up yet), in s.
DATABASE_START_WAIT = 30.0
T = TypeVar("T")
Clock = Callable[[], int]  # microseconds since the epoch


def generation_path(settings: Settings) -> Path:
    """Where workers on this host share cache generations: beside a SQLite file, else in the temp dir."""
    if settings.cache.generation_file:
        return Path(settings.cache.generation_file)
    url = settings.database.url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///") + ".gen")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"rejoinder-{digest}.gen"


def _shared_invalidator(settings: Settings, *, serve: bool) -> Invalidator:
    """The server's invalidator; for a command (`announce`), the same one when it can be opened (the
    generation file may belong to another user), else this process's memory: the outbox still reaches
    the servers then, after `events.grace_seconds`."""
    if serve:
        return make_invalidator(settings)
    try:
        return make_invalidator(settings)
    except OSError as exc:
        log.warning("[rejoinder] running servers will see this change through the outbox: %s", exc)
        return MemoryInvalidator()


def make_invalidator(settings: Settings) -> Invalidator:
    local = SharedFileInvalidator(generation_path(settings))
    if settings.redis.url:
        return RedisInvalidator(settings.redis.url, local, prefix=settings.redis.prefix)
    return local


def build_mailer(settings: Settings) -> Mailer | None:
    """The SMTP mailer when [email] host is set, or the mailbox directory's when `email.mailbox` is (the
    demo). Raises ConfigError naming the setting (e.g. an unset `email.password_env` variable)."""
    if settings.email.mailbox:
        return MailboxMailer(Path(settings.email.mailbox))
    if not settings.email.host:
        return None
    try:
        return SmtpMailer.from_settings(settings.email)
    except ConfigError as exc:
        raise ConfigError(f"invalid setting {exc}") from None


def build_providers(settings: Settings, engine: AsyncEngine | None) -> Registry:
    """The sign-in provider registry. Raises ConfigError naming the setting (e.g.
    `auth.providers.NAME.client_secret_env`) when a secret cannot be read."""
    try:
        return build_registry(settings.auth, DbAppStore(engine))
    except ConfigError as exc:
        raise ConfigError(f"invalid setting {exc}") from None


def preflight(settings: Settings) -> None:
    """What start-up would refuse, checked before a server starts its workers: the mailer and every
    sign-in provider can be built from the settings (secrets readable). Raises ConfigError."""
    build_mailer(settings)
    build_providers(settings, None)


def wire_outbox(ctx: Context) -> None:
    """Give the context an outbox that knows the registered handlers (handlers.py). Runtime.start calls
    this on the Context it builds."""
    ctx.outbox = Outbox(
        routes=handlers.routes_for(ctx),
        clock=lambda: ctx.clock(),  # follows a clock the caller sets on the Context later
        token=lambda n: ctx.token(n),
        grace_us=int(ctx.settings.events.grace_seconds * US),
    )


def make_dispatcher(ctx: Context, owner: str | None = None) -> Dispatcher:
    """This worker's dispatcher of the context's outbox (start it on the serving loop)."""
    ev = ctx.settings.events
    return Dispatcher(
        engine=ctx.engine,
        outbox=ctx.outbox,
        clock=lambda: ctx.clock(),
        owner=owner or f"{socket.gethostname()[:24]}:{os.getpid()}",
        poll_us=int(ev.poll_seconds * US),
        lease_us=ev.lease_seconds * US,
        keep_us=ev.keep_days * 86400 * US,
        retry=RetryPolicy(
            max_attempts=ev.max_attempts,
            base_us=int(ev.retry_base_seconds * US),
            max_us=int(ev.retry_max_seconds * US),
        ),
    )


class Runtime:
    """Everything long-lived of one process. `serve=True` (the server): shared-file/Redis invalidation,
    avatars, external moderation checks, sign-in providers, /admin's limiter, the outbox dispatcher and
    the purger. `serve=False` (CLI, demo seeding, benchmarks, tests): none of the background work;
    in-process invalidation unless `announce` (the CLI): then the servers' own invalidator (generation
    file or Redis), so that a change reaches running servers' caches at once, as a web change does; the
    outbox delivers it too. The learning classifier is
    built when serving (or when `classifier=True`) and its check is on.

    The constructor does no I/O (the app needs the invalidator and site registry before its lifespan);
    `start` does the rest and raises ConfigError naming the setting when something cannot be built, and
    `close` undoes whatever `start` got to, in reverse order.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = now_us,
        cpu: CpuPool | Inline | None = None,
        serve: bool = False,
        announce: bool = False,
        migrate: bool | None = None,
        classifier: bool | None = None,
    ) -> None:
        self.settings = settings
        self.with_classifier = serve if classifier is None else classifier
        self.clock = clock
        self.serve = serve
        self.migrate = settings.database.auto_migrate if migrate is None else migrate
        self.cpu: CpuPool | Inline = cpu or (CpuPool() if serve else INLINE)  # services/cpu.py
        self.engine = create_engine(
            settings.database.url,
            sqlite_synchronous=settings.database.sqlite_synchronous,
            pool_size=settings.database.pool_size,
        )
        self.announce = serve or announce
        self.invalidator: Invalidator = (
            _shared_invalidator(settings, serve=serve) if self.announce else MemoryInvalidator()
        )
        self.sites = SiteRegistry(self.engine, invalidator=self.invalidator if serve else None)
        pictures = settings.avatars
        self.avatars: Avatars | None = (
            Avatars(
                self.engine,
                GravatarSource(pictures.gravatar_url),
                PictureFetcher(
                    timeout=pictures.picture_timeout, allow_private=pictures.pictures_allow_private
                )
                if pictures.provider_pictures
                else None,
            )
            if serve
            else None
        )
        self.mailer: Mailer | None = None
        self.providers: Registry | None = None
        self.admin_limiter: LoginLimiter | None = None
        self.moderation: Moderation | None = None
        self.classifier: Any = None
        self.dispatcher: Dispatcher | None = None
        self.purger: Purger | None = None
        self.live: LiveHub | None = None
        self._ctx: Context | None = None
        self._stack = contextlib.AsyncExitStack()

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            raise RuntimeError("the runtime has not been started")
        return self._ctx

    @property
    def started(self) -> bool:
        return self._ctx is not None

    async def start(self) -> Context:
        """Build and start everything, on the loop that will use it; returns the Context."""
        stack = self._stack
        try:
            self._close_at_exit(self.cpu.close)
            stack.push_async_callback(self.engine.dispose)
            # Settings that only fail when used are checked first, before anything touches the database.
            self.mailer = build_mailer(self.settings)
            if self.mailer is not None:  # closed after the dispatcher that sends through it has stopped
                stack.push_async_callback(self.mailer.close)
            if self.serve:
                self.providers = build_providers(self.settings, self.engine)
            secret, id_key = await self._once_the_database_answers(self._from_the_database)
            if self.serve:
                try:
                    await self.invalidator.start()
                except Exception as exc:
                    log.warning(
                        "[rejoinder] cache invalidation through Redis is unavailable: %s", type(exc).__name__
                    )
                stack.push_async_callback(self.invalidator.stop)
            elif self.announce:
                # Publishing needs no subscription; stop() waits for what is still being published.
                stack.push_async_callback(self.invalidator.stop)
            # Built on the serving loop: the rate limiter's Redis client and the external checks' HTTP client.
            self.classifier = self._classifier()
            if self.classifier is not None:
                self._close_at_exit(self.classifier.close)
            moderation = Moderation.default(
                self.settings,
                http=self.serve,
                scorer=ClassifierScorer(self.classifier) if self.classifier is not None else None,
            )
            if self.classifier is not None:
                moderation.sink = ClassifierSink(self.classifier)
            self.moderation = moderation
            stack.push_async_callback(moderation.close)
            if self.avatars is not None:
                stack.push_async_callback(self.avatars.drain)
            ctx = Context(
                engine=self.engine,
                settings=self.settings,
                secret=secret,
                previous_secrets=tuple(key.encode() for key in self.settings.security.previous_secret_keys),
                id_key=id_key,
                invalidator=self.invalidator,
                sites=self.sites,
                images=media.build(self.settings.images),
                avatars=self.avatars,
                moderation=moderation,
                mailer=self.mailer,
                clock=self.clock,
                cpu=self.cpu,
            )
            wire_outbox(ctx)
            if self.serve:
                database = backup_files.sqlite_file(self.settings.database.url)
                if database is not None:  # `rejoinder restore` refuses to replace it while this runs
                    stack.enter_context(backup_files.serving(database))
                self.admin_limiter = LoginLimiter(self.settings)  # /admin's password attempts
                stack.push_async_callback(self.admin_limiter.close)
                self.purger = Purger(ctx, self.settings.auth.purge_interval)  # expired sessions, tickets
                self.purger.start()
                stack.push_async_callback(self.purger.stop)
                self.dispatcher = make_dispatcher(ctx)  # delivers the outbox (docs/adr/0002-outbox.md)
                self.dispatcher.start()
                stack.push_async_callback(self.dispatcher.stop)
                if self.settings.live.enabled:  # live updates of threads (services/live.py)
                    self.live = LiveHub(
                        self.engine, self.invalidator, self.settings.live, lambda: ctx.clock()
                    )
                    self.live.start()
                    stack.push_async_callback(self.live.stop)
        except BaseException:
            await self.close()
            raise
        self._ctx = ctx
        return ctx

    async def close(self) -> None:
        """Stop and close what `start` built, last first. Safe to call twice."""
        self._ctx = None
        stack, self._stack = self._stack, contextlib.AsyncExitStack()
        await stack.aclose()

    async def _from_the_database(self) -> tuple[bytes, bytes]:
        """What start-up reads and writes in the database: migrations, the secret and identifier keys,
        the sites. Each step can run again (a retry after the database went away half-way)."""
        if self.migrate:
            await asyncio.to_thread(migrate.upgrade, self.settings.database.url)
        secret = await ensure_secret(
            self.engine, self.settings.security.secret_key, secrets.token_urlsafe(32)
        )
        # Identifiers stay keyed by the oldest key known when the identifier key is first stored.
        first = [*self.settings.security.previous_secret_keys[-1:], secret.decode("utf-8")][0]
        if self.serve:  # kept by the first server, which has the whole configuration
            id_key = await ensure_secret(self.engine, "", first, name="identifier_key")
        else:  # a command run without the server's environment must not fix the key for good
            id_key = await stored_secret(self.engine, "identifier_key") or first.encode("utf-8")
        await self.sites.load()
        return secret, id_key

    async def _once_the_database_answers(self, steps: Callable[[], Awaitable[T]]) -> T:
        """`steps`, again while the database cannot be reached, for up to DATABASE_START_WAIT seconds when
        serving: a worker that starts while PostgreSQL restarts (or before it is up) waits for it instead
        of exiting, which under Granian would stop every worker of the host. A command (serve=False) and
        any other error fail at once."""
        deadline = time.monotonic() + DATABASE_START_WAIT
        delay = 0.1
        while True:
            try:
                return await steps()
            except Exception as exc:
                if not self.serve or database_unavailable(exc) is None or time.monotonic() + delay > deadline:
                    raise
                cause = exc.__cause__ or exc
                log.warning(
                    "[rejoinder] the database cannot be reached (%s); start-up tries again in %.1f s",
                    type(cause).__name__,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _close_at_exit(self, close: Callable[[], None]) -> None:
        self._stack.callback(close)

    def _classifier(self) -> Any:
        """The learning spam/abuse classifier when its check is on (models kept beside the database)."""
        mod = self.settings.moderation
        if not (self.with_classifier and mod.enabled and "classifier" in mod.checks):
            return None
        from rejoinder.moderation.classifier import Classifier

        return Classifier(model_directory(self.settings))


class RuntimeOptions(TypedDict, total=False):
    """Runtime's keyword arguments, for what passes them on (open_context)."""

    clock: Clock
    cpu: CpuPool | Inline | None
    serve: bool
    announce: bool
    migrate: bool | None
    classifier: bool | None


@contextlib.asynccontextmanager
async def open_context(settings: Settings, **options: Unpack[RuntimeOptions]) -> AsyncIterator[Runtime]:
    """A started Runtime (its Context is `.ctx`), closed on exit. The CLI, the demo's seeding, the
    benchmarks and tests use this; the server builds a `Runtime(serve=True)` in app.py's lifespan."""
    runtime = Runtime(settings, **options)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.close()
