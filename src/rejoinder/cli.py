"""The `rejoinder` command. Each command calls services; none of them runs SQL itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click
import sqlalchemy.engine
import sqlalchemy.exc

from rejoinder import __version__, config
from rejoinder.cli_activitypub import activitypub
from rejoinder.cli_context import load_settings
from rejoinder.cli_doctor import doctor
from rejoinder.cli_notices import notices
from rejoinder.cli_webhooks import webhook
from rejoinder.config import Settings
from rejoinder.errors import ConfigError, RejoinderError

T = TypeVar("T")
# importers.REGISTRY (a test keeps them equal)
IMPORT_FORMATS = ["commento", "disqus", "isso", "jsonl", "remark42", "wxr"]


def _print_version(ctx: click.Context) -> None:
    from rejoinder import build_info

    click.echo(f"rejoinder {build_info.describe()}")
    ctx.exit()


@contextlib.contextmanager
def _refusals(*kinds: type[Exception]) -> Iterator[None]:
    """An error of `kinds` the command expects (a setting it cannot use, a backup it will not take) ends it
    with the error's message on one line, not a traceback."""
    try:
        yield
    except kinds as exc:
        raise click.ClickException(str(exc)) from None


def _run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    try:
        return asyncio.run(coro_fn())  # type: ignore[arg-type]
    except RejoinderError as exc:
        raise click.ClickException(exc.detail) from None


UNREACHABLE = (OSError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)


@contextlib.contextmanager
def _database_reachable(url: str) -> Iterator[None]:
    """A database that cannot be opened (refused, unknown host, bad credentials, unwritable file) is one
    line naming it (password hidden) and the reason, not a traceback."""
    try:
        yield
    except UNREACHABLE as exc:
        shown = sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] or type(exc).__name__
        raise click.ClickException(f"cannot open the database {shown}: {reason}") from None


def _with_context(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(ctx)` with a Context on the configured database (migrated first): what every one-shot
    command uses; it starts no background worker (no dispatcher, no purger: runtime.open_context)."""

    async def go() -> T:
        from rejoinder.runtime import open_context

        # Changes made here reach the running servers' caches at once, through the invalidator they
        # share (announce); their dispatchers also deliver the events once events.grace_seconds passed.
        async with open_context(settings, migrate=True, announce=True) as runtime:
            return await work(runtime.ctx)

    with _database_reachable(settings.database.url):
        return _run(go)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and the build (commit), then exit.",
)
@click.option("-c", "--config", "config_file", type=click.Path(dir_okay=False), help="TOML config file")
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """rejoinder: self-hosted comments, likes and sign-in."""
    ctx.ensure_object(dict)
    if config_file:
        ctx.obj["config"] = config_file


@main.command()
@click.option("--host", help="Address to listen on [server.host]")
@click.option("--port", type=int, help="Port [server.port]")
@click.option("--workers", type=int, help="Worker processes [server.workers]")
@click.option("--server", "server_name", type=click.Choice(["granian", "uvicorn"]), help="HTTP server")
@click.option("--database", help="Database URL [database.url]")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    workers: int | None,
    server_name: str | None,
    database: str | None,
) -> None:
    """Run the HTTP server (migrates the database first)."""
    flags: dict[str, dict[str, Any]] = {"server": {}, "database": {}}
    for key, value in (("host", host), ("port", port), ("workers", workers), ("server", server_name)):
        if value is not None:
            flags["server"][key] = value
    if database:
        flags["database"]["url"] = database
    settings = load_settings(ctx, flags)
    with _refusals(ConfigError):
        config.require_public_url(settings)
    run_server(settings, flags, config_file=ctx.obj.get("config"))


def run_server(
    settings: Settings,
    flags: dict[str, dict[str, Any]],
    factory: str = "rejoinder.asgi:app_factory",
    config_file: str | None = None,
) -> None:
    """Migrate once, then start the configured server; workers read the same settings from the env and
    build their app with `factory` (a "module:function" path)."""
    metrics_dir = _metrics_dir(settings)  # before anything imports prometheus-client
    from rejoinder import logs
    from rejoinder.runtime import preflight
    from rejoinder.store import migrate

    with _refusals(ConfigError):
        preflight(settings)  # what every worker's start-up would refuse, refused once and clearly here
    if settings.database.auto_migrate:
        with _database_reachable(settings.database.url):
            migrate.upgrade(settings.database.url)
    # Worker processes load settings themselves: hand them the config file and the CLI flags through the
    # environment of this process only (it is about to become the server).
    if config_file:
        os.environ["REJOINDER_CONFIG"] = str(Path(config_file).resolve())
    for section, values in flags.items():
        for key, value in values.items():
            os.environ[f"REJOINDER_{section.upper()}__{key.upper()}"] = str(value)
    os.environ["REJOINDER_DATABASE__AUTO_MIGRATE"] = "false"  # done above, once, not per worker
    # This process becomes the server now (and not before: a refused start changes no logging of a caller's).
    logs.configure(settings.server)
    s = settings.server
    click.echo(
        f"rejoinder {__version__} listening on http://{s.host}:{s.port} ({s.server}, {s.workers} worker(s))"
    )
    from rejoinder import serving

    run = serving.serve_uvicorn if s.server == "uvicorn" else serving.serve_granian
    streams = settings.live.max_streams if settings.live.enabled else 0
    try:
        run(
            factory, host=s.host, port=s.port, workers=s.workers, stop_timeout=s.stop_timeout, streams=streams
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _metrics_dir(settings: Settings) -> str | None:
    """With /metrics on, a fresh directory where every worker keeps its metric values (prometheus-client's
    multiprocess mode), so that a scrape answered by any worker counts them all. Named to the workers by
    PROMETHEUS_MULTIPROC_DIR, which must be set before prometheus-client is imported; one an operator set
    is kept as it is (it must be emptied before each start). Returns the directory made here, if any."""
    if not settings.server.metrics_token or "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        return None
    made = tempfile.mkdtemp(prefix="rejoinder-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    help="Directory for the demo database (rejoinder-demo.db) [default: the current directory]",
)
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, data_dir: str | None) -> None:
    """Start a demo: a sample article with a live discussion, on a local SQLite file."""
    import socket

    from rejoinder import demo as sample

    directory = Path(data_dir or ".").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    flags: dict[str, dict[str, Any]] = {
        "server": {"host": host, "port": port, "workers": 1},
        "database": {"url": f"sqlite:///{directory / sample.DB_FILE}"},
    }
    # Sign-in that works without any outside account: email links delivered to the demo's mailbox page and
    # passkeys, beside the providers the configuration names; and a moderator account for /admin.
    own = sample.Own.prepare(load_settings(ctx, flags), directory, host=host, port=port)
    for section, values in own.flags.items():
        flags[section] = {**flags.get(section, {}), **values}
    base = load_settings(ctx, flags)
    settings = load_settings(ctx, {**flags, "auth": {"providers": sample.providers(base)}})
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}); try --port"
            ) from None
    from rejoinder.store import migrate

    migrate.upgrade(settings.database.url)
    seeded = _run(lambda: sample.seed(settings, host=host, port=port))
    site = settings.server.public_url.rstrip("/") or f"http://127.0.0.1:{port}"
    click.echo(
        f"{'seeded' if seeded else 'using'} the demo discussion in {directory / sample.DB_FILE}\n"
        f"open {site}/demo/ in a browser (Ctrl+C stops the demo)\n"
        f"sign-in emails arrive at {site}/demo/mailbox (nothing is sent)"
    )
    if own.password:
        click.echo(f"moderate at {site}/admin/ as {own.username} with the password {own.password}")
    elif settings.admin.username:
        click.echo(f"moderate at {site}/admin/ as {settings.admin.username} (from your configuration)")
    run_server(settings, flags, factory="rejoinder.demo:app_factory", config_file=ctx.obj.get("config"))


@main.command()
@click.option("--path", default="rejoinder.toml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file")
def init(path: str, force: bool) -> None:
    """Write a commented config file with a fresh secret key."""
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    text = config.example_toml(secret_key=secrets.token_urlsafe(32))
    # Created with mode 600 (never readable by others, not even for a moment); --force replaces the file
    # by a new one, so an old file's wider mode does not carry over.
    target.unlink(missing_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    click.echo(f"wrote {target}")


@main.command("migrate")
@click.option("--revision", default="head", show_default=True)
@click.pass_context
def migrate_cmd(ctx: click.Context, revision: str) -> None:
    """Create or upgrade the database schema."""
    from rejoinder.store import migrate

    settings = load_settings(ctx)
    with _database_reachable(settings.database.url):
        migrate.upgrade(settings.database.url, revision)
    click.echo("database is up to date")


@main.command()
@click.pass_context
def purge(ctx: click.Context) -> None:
    """Delete expired sessions and sign-in tickets, and data past its retention, now.

    Retention: comments' network addresses after retention.ip_days, the moderation log, decided reports
    and ended bans after retention.moderation_days, the webhook delivery log after
    retention.webhook_log_days; notifications mailed more than 30 days ago. The server
    also does all of it every auth.purge_interval seconds (rejoinder.toml [auth] purge_interval), and
    deletes images never attached to a comment within images.upload_ttl_seconds."""
    from rejoinder.services.images import sweep
    from rejoinder.services.purging import purge_expired, purge_retained

    settings = load_settings(ctx)

    async def work(context: Any) -> Any:
        now = context.clock()
        purged = await purge_expired(context.engine, now)
        retained = await purge_retained(context.engine, settings.retention, now)
        return purged, retained, await sweep(context, stale=True)

    purged, retained, images = _with_context(settings, work)
    click.echo(f"deleted {purged.sessions} expired session(s) and {purged.tickets} expired sign-in ticket(s)")
    click.echo(
        f"forgot the network address of {retained.ips} comment(s) older than {settings.retention.ip_days} "
        f"day(s); deleted {retained.log_entries} moderation log entr(ies), {retained.reports} decided "
        f"report(s) and {retained.bans} ended ban(s) older than {settings.retention.moderation_days} day(s)"
    )
    click.echo(f"deleted {purged.notifications} notification(s) sent more than 30 days ago")
    click.echo(
        f"deleted {retained.webhook_attempts} webhook delivery-log entr(ies) older than "
        f"{settings.retention.webhook_log_days} day(s)"
    )
    click.echo(f"deleted {images} image(s) of deleted comments or never attached to one")


def _on_database_file(ctx: click.Context, copy: Callable[[str], T]) -> T:
    """`backup` and `restore`: `copy(database URL)`; a copy refused (BackupRefused) ends the command with its
    message on one line."""
    from rejoinder.errors import BackupRefused

    settings = load_settings(ctx)
    with _refusals(BackupRefused):
        return copy(settings.database.url)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists")
@click.pass_context
def backup(ctx: click.Context, path: Path, force: bool) -> None:
    """Copy the SQLite database to PATH while the server runs.

    The copy is one consistent snapshot (SQLite's online backup API), checked with integrity_check before
    it takes the name PATH. For PostgreSQL it prints the pg_dump command to run and copies nothing."""
    from rejoinder.services import backups

    made = _on_database_file(ctx, lambda url: backups.backup(url, path, overwrite=force))
    click.echo(f"wrote {made.path}: {made.bytes} bytes, schema revision {made.revision}, integrity ok")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the database even though a running server uses it")
@click.pass_context
def restore(ctx: click.Context, path: Path, force: bool) -> None:
    """Replace the SQLite database with the backup at PATH.

    Refuses a file that is not a sound rejoinder database, or one with a newer schema than this version
    knows; an older one is migrated. Refuses while a server runs on the database unless --force. For
    PostgreSQL it prints the pg_restore command to run and changes nothing."""
    from rejoinder.services import backups

    done = _on_database_file(ctx, lambda url: backups.restore(url, path, force=force))
    migrated = f", migrated to {done.revision_now}" if done.migrated else ""
    click.echo(f"restored {done.path} from {path} (schema revision {done.revision_in_file}{migrated})")


@main.group("config")
def config_group() -> None:
    """Show the settings."""


@config_group.command("example")
def config_example() -> None:
    """Print a fully commented config file."""
    click.echo(config.example_toml(), nl=False)


@config_group.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Print the effective settings (secrets redacted)."""
    click.echo(json.dumps(config.redacted(load_settings(ctx)), indent=2))


def _set_or_print(path: Path | None, section: str, values: dict[str, str | list[str]]) -> bool:
    """Write `values` into `[section]` of the config file at `path`, or print them as TOML lines to paste
    when there is no file to edit (`path` None). Returns whether the file was written."""
    from rejoinder.config.editing import set_keys

    if path is None:
        click.echo(f"[{section}]")
        for key, value in values.items():
            click.echo(f"{key} = {json.dumps(value)}")
        return False
    with _refusals(ConfigError):
        set_keys(path, section, values)
    return True


@main.group("secret")
def secret_group() -> None:
    """Rotate the secret key (docs/operations.md, "Rotating the secret key")."""


@secret_group.command("rotate")
@click.option(
    "--print", "to_stdout", is_flag=True, help="Print the [security] lines instead of editing the file"
)
@click.pass_context
def secret_rotate(ctx: click.Context, to_stdout: bool) -> None:
    """Make a new secret key and keep the one in force in security.previous_secret_keys, still accepted
    for what it signed (links in emails, open forms) until you remove it. Restart rejoinder afterwards."""
    import secrets as random_secrets

    from rejoinder.config.loading import config_path

    settings = load_settings(ctx)

    async def work(context: Any) -> str:
        from rejoinder.services.sites import ensure_secret

        # Keep the identifier key now if this database has none yet, while the key it starts from is still
        # the one in force (likes and avatars keep their ids after the rotation).
        await ensure_secret(context.engine, "", bytes(context.id_key).decode("utf-8"), name="identifier_key")
        return bytes(context.secret).decode("utf-8")

    current = _with_context(settings, work)
    new = random_secrets.token_urlsafe(32)
    previous = [current, *(key for key in settings.security.previous_secret_keys if key != current)]
    from_env = "REJOINDER_SECURITY__SECRET_KEY" in os.environ
    path = None if to_stdout or from_env else config_path(ctx.obj.get("config"), os.environ)
    if from_env:
        click.echo(
            "# the secret key comes from REJOINDER_SECURITY__SECRET_KEY: set these there instead", err=True
        )
    if _set_or_print(path, "security", {"secret_key": new, "previous_secret_keys": previous}):
        click.echo(
            f"set security.secret_key and security.previous_secret_keys ({len(previous)}) in {path}; "
            "restart rejoinder to use them"
        )


@main.group()
def site() -> None:
    """Manage sites and their allowed origins."""


@site.command("add")
@click.argument("name")
@click.option(
    "--origin", "origins", multiple=True, required=True, help="Allowed origin, e.g. https://example.org"
)
@click.option("--require-email", is_flag=True, help="Guests must give an email address")
@click.option("--gravatar", is_flag=True, help="Look up Gravatar images (served from rejoinder)")
@click.option("--display-depth", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option(
    "--reaction",
    "reactions",
    multiple=True,
    help="A reaction to offer (like, love, laugh, wow, sad, angry, clap, think, party, insight; at most 6)",
)
@click.option("--no-like-button", is_flag=True, help="The reactions replace the Like button")
@click.option("--images", is_flag=True, help="Readers may attach images to comments (limits in /admin)")
@click.option(
    "--max-images", type=click.IntRange(1, 20), default=4, show_default=True, help="Images per comment"
)
@click.option("--send-webmentions", is_flag=True, help="Send Webmentions for links in published comments")
@click.pass_context
def site_add(
    ctx: click.Context,
    name: str,
    origins: tuple[str, ...],
    require_email: bool,
    gravatar: bool,
    display_depth: int,
    reactions: tuple[str, ...],
    no_like_button: bool,
    images: bool,
    max_images: int,
    send_webmentions: bool,
) -> None:
    """Create a site that accepts comments from ORIGIN pages."""
    from rejoinder.domain.reactions import check_site_reactions
    from rejoinder.domain.sites import SiteImages, SiteOptions
    from rejoinder.services import sites as service

    settings = load_settings(ctx)
    options = SiteOptions(
        require_email=require_email,
        gravatar=gravatar,
        display_depth=display_depth,
        reactions=check_site_reactions(reactions),
        like_button=not no_like_button,
        images=SiteImages(enabled=images, max_count=max_images),
        send_webmentions=send_webmentions,
    )

    async def work(context: Any) -> Any:
        return await service.add_site(context.engine, name, list(origins), options, context.clock())

    created = _with_context(settings, work)
    click.echo(f"site {created.name} created; allowed origins: {', '.join(created.origins)}")


@site.command("list")
@click.pass_context
def site_list(ctx: click.Context) -> None:
    """List sites and their origins."""
    from rejoinder.services import sites as service

    settings = load_settings(ctx)

    async def work(context: Any) -> Any:
        return await service.list_sites(context.engine)

    for s in _with_context(settings, work):
        click.echo(f"{s.name}\t{' '.join(s.origins)}")


@site.command("origin")
@click.argument("name")
@click.option("--add", "add", multiple=True, help="Origin to allow")
@click.option("--remove", "remove", multiple=True, help="Origin to stop allowing")
@click.pass_context
def site_origin(ctx: click.Context, name: str, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """Allow or stop allowing origins for a site."""
    from rejoinder.services import sites as service

    settings = load_settings(ctx)

    async def work(context: Any) -> Any:
        return await service.update_site(
            context.engine, name, add_origins=list(add), remove_origins=list(remove), options=None
        )

    updated = _with_context(settings, work)
    click.echo(f"site {updated.name}: {', '.join(updated.origins) or '(no origins)'}")


@site.command("remove")
@click.argument("name")
@click.confirmation_option(prompt="This deletes the site with all its threads and comments. Continue?")
@click.pass_context
def site_remove(ctx: click.Context, name: str) -> None:
    """Delete a site and everything in it."""
    from rejoinder.services import sites as service

    settings = load_settings(ctx)

    async def work(context: Any) -> None:
        await service.remove_site(context.engine, name)

    _with_context(settings, work)
    click.echo(f"site {name} removed")


@main.group()
def provider() -> None:
    """Sign-in providers: what to register at each, and whether it answers."""


@provider.command("list")
@click.pass_context
def provider_list(ctx: click.Context) -> None:
    """List the configured sign-in providers and the redirect URI each needs."""
    from rejoinder.auth.providers import PRESETS
    from rejoinder.auth.providers.diagnostics import landing_uri

    settings = load_settings(ctx)
    if not settings.auth.providers:
        click.echo("no sign-in providers configured; add [auth.providers.NAME] tables (docs/sign-in.md)")
        return
    for name, p in settings.auth.providers.items():
        preset = PRESETS[p.preset or name]
        sites = ",".join(p.sites) or "*"
        click.echo(
            f"{name}\t{preset.name}\t{p.label or preset.label}\tsites={sites}\t{landing_uri(settings, name)}"
        )


@provider.command("test")
@click.argument("name")
@click.pass_context
def provider_test(ctx: click.Context, name: str) -> None:
    """Check provider NAME (secret, redirect URI, discovery) and print what to register there."""
    from rejoinder.auth.providers.diagnostics import check_provider
    from rejoinder.notify.email import SmtpMailer

    settings = load_settings(ctx)
    check = _run(
        lambda: check_provider(settings, name, smtp=lambda email: SmtpMailer.from_settings(email).check())
    )
    click.echo(f"provider {check.name}: preset {check.preset}, shown as {check.label!r}")
    click.echo(f"  sites:         {', '.join(check.sites)}")
    click.echo(f"  register at:   {check.register_at}")
    click.echo(f"  redirect URI:  {check.redirect_uri}")
    click.echo(f"  scopes:        {' '.join(check.scopes)}")
    click.echo(f"  client id:     {check.client_id}")
    click.echo(f"  client secret: {check.secret_source}")
    for label, value in check.facts:
        click.echo(f"  {label}: {value}")
    if check.problems:
        for problem in check.problems:
            click.echo(f"  problem: {problem}", err=True)
        raise click.ClickException(f"provider {name} is not ready ({len(check.problems)} problem(s))")
    click.echo("  ready")


@main.group()
def user() -> None:
    """The /admin account and the roles of identities (moderators, admins, trusted commenters)."""


@user.command("set-password")
@click.option("--username", help="Name of the admin account [admin.username, else admin]")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input")
@click.option(
    "--print", "to_stdout", is_flag=True, help="Print the [admin] lines instead of editing the file"
)
@click.pass_context
def user_set_password(ctx: click.Context, username: str | None, from_stdin: bool, to_stdout: bool) -> None:
    """Hash a password for the admin account and write it to the config file in use (or print the lines)."""
    from rejoinder.config.loading import config_path
    from rejoinder.services.admin_auth import hash_password

    settings = load_settings(ctx)
    name = username or settings.admin.username or "admin"
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        hashed = hash_password(password)
    except RejoinderError as exc:
        raise click.ClickException(exc.detail) from None
    path = None if to_stdout else config_path(ctx.obj.get("config"), os.environ)
    if _set_or_print(path, "admin", {"username": name, "password_hash": hashed}):
        click.echo(f"set admin.username and admin.password_hash in {path}; restart rejoinder to use them")


@user.command("role")
@click.argument("who")
@click.argument("role", type=click.Choice(["moderator", "admin", "trusted"]))
@click.option("--site", "site_name", help="The site the role is for [default: every site]")
@click.option("--revoke", is_flag=True, help="Take the role away instead")
@click.pass_context
def user_role(ctx: click.Context, who: str, role: str, site_name: str | None, revoke: bool) -> None:
    """Give WHO (an identity id or verified email; they sign in once first) a ROLE, on one site or all."""
    from rejoinder.moderation.actions import Actor
    from rejoinder.moderation.rules import Role
    from rejoinder.services import admin as admin_service
    from rejoinder.services import moderation

    settings = load_settings(ctx)

    async def work(context: Any) -> tuple[str, bool]:
        site_id = await context.sites.scope_named(site_name)
        identity = await admin_service.find_identity(context, who)
        changed = await moderation.set_role(
            context, Actor.of_system("cli"), identity.id, Role(role), site_id=site_id, granted=not revoke
        )
        return identity.display_name, changed

    name, changed = _with_context(settings, work)
    where = f"site {site_name}" if site_name else "every site"
    if not changed:
        click.echo(f"{name} {'did not have' if revoke else 'already has'} the {role} role on {where}")
    else:
        click.echo(f"{name} {'no longer has' if revoke else 'now has'} the {role} role on {where}")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List the identities that have a role, with their role and site."""
    from rejoinder.moderation.actions import Actor
    from rejoinder.services import admin as admin_service

    settings = load_settings(ctx)

    async def work(context: Any) -> tuple[list[Any], dict[int, str]]:
        rows = await admin_service.list_roles(context, Actor.of_system("cli"))
        return rows, {s.id: s.name for s in await context.sites.all()}

    rows, names = _with_context(settings, work)
    if settings.admin.username:
        click.echo(f"{settings.admin.username}\tadmin\t*\t(the configured admin account)")
    for r in rows:
        where = names.get(r.site_id, "?") if r.site_id is not None else "*"
        click.echo(f"{r.identity_id}\t{r.role}\t{where}\t{r.display_name}\t{r.email or ''}")
    if not rows and not settings.admin.username:
        click.echo("no one has a role yet; see `rejoinder user role --help`")


@main.command()
@click.option("--site", "site_name", help="The site the ban is for [default: every site]")
@click.option("--identity", "identity_id", help="A signed-in identity's id")
@click.option("--email", help="An email address (kept only as a keyed hash)")
@click.option("--ip", "ip_range", help="An address or network, e.g. 203.0.113.0/24 or 2001:db8:1::/48")
@click.option("--days", type=click.IntRange(1, 36500), help="Suspend for this many days [default: for good]")
@click.option("--reason", help="Why, for the moderation log")
@click.option("--reject-all", is_flag=True, help="Also reject every comment of theirs already posted")
@click.option("--lift", "lift_id", type=click.IntRange(1), help="Lift the ban with this id instead")
@click.pass_context
def ban(
    ctx: click.Context,
    site_name: str | None,
    identity_id: str | None,
    email: str | None,
    ip_range: str | None,
    days: int | None,
    reason: str | None,
    reject_all: bool,
    lift_id: int | None,
) -> None:
    """Ban or suspend a commenter by identity, email and/or network, on one site or all; or lift a ban.
    Workers notice a new ban within seconds."""
    from rejoinder.moderation.actions import Actor
    from rejoinder.services import moderation

    settings = load_settings(ctx)
    actor = Actor.of_system("cli")

    async def work(context: Any) -> Any:
        if lift_id is not None:
            await moderation.lift_ban(context, actor, lift_id)
            return None
        site_id = await context.sites.scope_named(site_name)
        return await moderation.ban(
            context,
            actor,
            site_id=site_id,
            identity_id=identity_id,
            email=email,
            ip_range=ip_range,
            days=days,
            reason=reason,
            reject_all=reject_all,
        )

    result = _with_context(settings, work)
    if result is None:
        click.echo(f"ban {lift_id} lifted")
        return
    span = f"for {days} day(s)" if days else "for good"
    where = f"on site {site_name}" if site_name else "on every site"
    rejected = f"; {result.rejected} comment(s) rejected" if reject_all else ""
    click.echo(f"ban {result.id} made {where} {span}{rejected}")


@main.command("import")
@click.argument("format_name", metavar="FORMAT", type=click.Choice(IMPORT_FORMATS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--site", "site_name", required=True, help="The site the comments go to")
@click.option(
    "--map-url",
    "map_urls",
    multiple=True,
    metavar="OLD_PREFIX=NEW_PREFIX",
    help="Rewrite thread URLs that start with OLD_PREFIX (repeatable; the longest match wins)",
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing")
@click.pass_context
def import_cmd(
    ctx: click.Context,
    format_name: str,
    file: Path,
    site_name: str,
    map_urls: tuple[str, ...],
    dry_run: bool,
) -> None:
    """Import the comments of FILE, an export from another system, into a site.

    FORMAT is wxr (WordPress), disqus, commento, remark42 (a backup), isso (its database file) or jsonl (an
    export of ours: `rejoinder export`, restored whole, the site created if missing; nothing is written unless
    the whole file checks out). Running it again adds nothing and takes the file's
    version of what changed. Imported comments send no emails or notifications. Exit status: 0 when the
    whole file was read (skipped records are listed), 1 when the file stopped making sense part way.
    """
    from rejoinder.importers import REGISTRY
    from rejoinder.services import imports
    from rejoinder.services.import_jobs import url_mappings

    settings = load_settings(ctx)
    importer = REGISTRY[format_name]
    if getattr(importer, "lossless", False):
        if map_urls:
            raise click.BadParameter("an export of ours keeps its URLs", param_hint="--map-url")
        _restore(ctx, settings, importer, file, site_name, dry_run)
        return
    try:
        mappings = [imports.UrlMapping(old, new) for old, new in url_mappings(map_urls)]
    except RejoinderError as exc:
        raise click.BadParameter(exc.detail, param_hint="--map-url") from None
    with _export_file(file, importer) as (stream, size):

        async def work(context: Any) -> imports.Summary:
            site = await context.sites.by_name(site_name)
            if site is None:
                raise click.ClickException(f"there is no site named {site_name!r} (rejoinder site list)")
            with _progress(size) as advance:
                return await imports.import_comments(
                    context,
                    site,
                    importer,
                    stream,
                    mappings=mappings,
                    dry_run=dry_run,
                    on_record=lambda summary: advance(stream.tell(), summary.records),
                )

        summary = _with_context(settings, work)
    for line in imports.describe(summary, importer.label, file.name, site_name):
        click.echo(line)
    if summary.stopped is not None:
        click.echo(f"error: {summary.stopped}", err=True)
        ctx.exit(1)


@contextlib.contextmanager
def _export_file(file: Path, importer: Any) -> Iterator[tuple[BinaryIO, int]]:
    """FILE opened for its importer, after a look at its start; with its size (for the progress bar)."""
    with file.open("rb") as stream:
        if not importer.detect(stream.read(16384)):
            raise click.ClickException(f"{file} is not in the {importer.label} format")
        stream.seek(0)
        yield stream, file.stat().st_size


def _restore(
    ctx: click.Context, settings: Settings, importer: Any, file: Path, site_name: str, dry_run: bool
) -> None:
    """`rejoinder import jsonl`: the whole export in one transaction, or nothing (exit status 1)."""
    from rejoinder.importers.base import UnreadableExport
    from rejoinder.services import exports

    with _export_file(file, importer) as (stream, size):

        async def work(context: Any) -> exports.RestoreSummary:
            with _progress(size) as advance:
                return await exports.restore(
                    context,
                    site_name,
                    stream,
                    dry_run=dry_run,
                    on_record=lambda line: advance(stream.tell(), line),
                )

        try:
            summary = _with_context(settings, work)
        except UnreadableExport as exc:
            click.echo(f"error: {exc}", err=True)
            click.echo("Nothing was imported.", err=True)
            ctx.exit(1)
            return
    for line in exports.describe(summary, file.name, site_name):
        click.echo(line)


@main.command("export")
@click.option("--site", "site_name", required=True, help="The site to export")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["jsonl", "wxr"]),
    default="jsonl",
    show_default=True,
    help="jsonl: everything, re-importable (rejoinder import jsonl); wxr: WordPress's import format",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write (made complete or not at all); standard output when not given",
)
@click.option(
    "--timezone",
    "zone_name",
    default="UTC",
    show_default=True,
    help="wxr: the blog's time zone, for WordPress's local dates (IANA name, e.g. Europe/Paris)",
)
@click.pass_context
def export_cmd(
    ctx: click.Context, site_name: str, format_name: str, output: Path | None, zone_name: str
) -> None:
    """Export a site: every comment with its revisions, threads, likes, reports, moderation, identities
    (no secrets). docs/data.md, "Exports", says what the file holds."""
    import tempfile
    import zoneinfo

    from rejoinder.services import exports

    settings = load_settings(ctx)
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{zone_name!r} is not an IANA time zone", param_hint="--timezone") from None

    def write_to(out: Any) -> exports.ExportSummary:
        async def work(context: Any) -> exports.ExportSummary:
            site = await context.sites.by_name(site_name)
            if site is None:
                raise click.ClickException(f"there is no site named {site_name!r} (rejoinder site list)")
            if format_name == "wxr":
                return await exports.export_wxr(context, site, out, zone)
            return await exports.export_jsonl(context, site, out)

        return _with_context(settings, work)

    if output is None:
        stdout = sys.stdout.buffer
        summary = write_to(stdout)
        stdout.flush()
    else:
        # Written beside the target and renamed once complete: a failed export leaves no half file.
        if not output.parent.is_dir():
            raise click.ClickException(f"cannot write {output}: there is no directory {output.parent}")
        with tempfile.NamedTemporaryFile(
            "wb", dir=output.parent, prefix=f".{output.name}.", delete=False
        ) as partial:
            try:
                summary = write_to(partial)
                partial.flush()
                os.fsync(partial.fileno())
            except BaseException:
                partial.close()
                os.unlink(partial.name)
                raise
        os.replace(partial.name, output)
    counts = ", ".join(f"{kind} {n}" for kind, n in summary.counts.items() if n)
    click.echo(f"exported site {site_name} as {format_name}: {counts or 'nothing'}", err=True)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error (bytes read, rate, time left); none when it is not a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.fields[records]} comments"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not console.is_terminal, transient=True) as bar:
        task = bar.add_task("import", total=total, records=0)
        yield lambda done, records: bar.update(task, completed=done, records=records)


main.add_command(webhook)
main.add_command(notices)
main.add_command(activitypub)
main.add_command(doctor)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
