"""`rejoinder doctor`: one line per check of an installation, `ok`, `warn` or `FAIL`, each saying what to fix;
exit status 1 when any check fails. It changes nothing (no migration, no email sent).

Checks: the configuration loads; the database answers and is migrated to this version's head; Redis answers
(when `redis.url` is set); the SMTP server answers EHLO and accepts STARTTLS/login as configured (when
`email.host` is set); each sign-in provider (`provider test`: its secret, redirect URI and, for OpenID, the
discovery document and key set); every site has an allowed origin; `server.public_url` is set when the
server listens beyond loopback, and is https; `moderation.trusted_proxies` is set when `public_url` is
https but the server listens on loopback only (a reverse proxy in front is likely).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

import click
import msgspec

from rejoinder import config
from rejoinder.config import Settings
from rejoinder.domain.urls import is_loopback
from rejoinder.errors import ConfigError, RejoinderError

Level = Literal["ok", "warn", "FAIL"]
TIMEOUT = 5.0  # seconds any one check may take


class Verdict(msgspec.Struct, frozen=True):
    level: Level
    check: str
    say: str  # what was found and, unless ok, what to do


def _brief(exc: BaseException) -> str:
    text = str(getattr(exc, "detail", None) or getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines()[0] if text else "") or type(exc).__name__


async def _timed(check: str, probe: Callable[[], Awaitable[Verdict]]) -> Verdict:
    try:
        return await asyncio.wait_for(probe(), timeout=TIMEOUT)
    except TimeoutError:
        return Verdict("FAIL", check, f"no answer within {TIMEOUT:.0f} s")


async def _database(settings: Settings) -> list[Verdict]:
    import sqlalchemy.engine

    from rejoinder.services import sites as site_service
    from rejoinder.store import migrate
    from rejoinder.store.backup import sqlite_file
    from rejoinder.store.engine import create_engine
    from rejoinder.store.exports import select_schema_revision

    url = settings.database.url
    shown = sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    file = sqlite_file(url)
    if file is not None and not file.exists():  # opening it would create it: the doctor changes nothing
        fix = "serve creates it at start" if settings.database.auto_migrate else "run `rejoinder migrate`"
        level: Level = "warn" if settings.database.auto_migrate else "FAIL"
        return [Verdict(level, "database", f"{shown}: the file does not exist yet; {fix}")]
    engine = create_engine(url, sqlite_synchronous=settings.database.sqlite_synchronous, pool_size=1)
    try:

        async def revision() -> Verdict:
            async with engine.connect() as conn:
                try:
                    found = await select_schema_revision(conn)
                except Exception:
                    found = ""
            head, known = migrate.known_revisions()
            if found == head:
                return Verdict("ok", "database", f"{shown} answers, migrated to {head} (head)")
            what = (
                "serve migrates it at start (database.auto_migrate)" if settings.database.auto_migrate else ""
            )
            fix = what or "run `rejoinder migrate`"
            if not found:
                return Verdict(
                    "FAIL" if not what else "warn", "database", f"{shown} has no tables yet: {fix}"
                )
            if found not in known:
                return Verdict(
                    "FAIL", "database", f"{shown} is at {found}, unknown to this version: upgrade rejoinder"
                )
            return Verdict(
                "FAIL" if not what else "warn", "database", f"{shown} is at {found}, not {head}: {fix}"
            )

        try:
            db = await _timed("database", revision)
        except Exception as exc:
            return [Verdict("FAIL", "database", f"cannot open {shown}: {_brief(exc)}; check database.url")]
        found = [db]
        if db.level == "ok":
            sites = await site_service.list_sites(engine)
            if not sites:
                found.append(Verdict("warn", "sites", "no site yet: `rejoinder site add NAME --origin URL`"))
            for site in sites:
                if site.origins:
                    found.append(Verdict("ok", f"site {site.name}", "origins " + " ".join(site.origins)))
                else:
                    found.append(
                        Verdict(
                            "FAIL",
                            f"site {site.name}",
                            f"no allowed origin: no page can post to it; `rejoinder site origin {site.name} "
                            "--add https://…`",
                        )
                    )
        return found
    finally:
        await engine.dispose()


async def _redis(settings: Settings) -> list[Verdict]:
    if not settings.redis.url:
        return []
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(settings.redis.url, socket_connect_timeout=TIMEOUT)

    async def ping() -> Verdict:
        await client.ping()
        return Verdict("ok", "redis", "answers PING")

    try:
        return [await _timed("redis", ping)]
    except Exception as exc:
        return [Verdict("FAIL", "redis", f"{_brief(exc)}; check redis.url and that Redis runs")]
    finally:
        await client.aclose()


async def _smtp(settings: Settings) -> list[Verdict]:
    email = settings.email
    if not email.host:
        return []
    from rejoinder.notify.email import SmtpMailer

    where = f"{email.host}:{email.port}"

    async def probe() -> Verdict:
        await SmtpMailer.from_settings(email).check()
        return Verdict(
            "ok", "smtp", f"{where} answers EHLO" + (" and accepts the login" if email.username else "")
        )

    try:
        return [await _timed("smtp", probe)]
    except (RejoinderError, ConfigError, OSError) as exc:
        return [Verdict("FAIL", "smtp", f"{where}: {_brief(exc)}; check [email] host, port, tls, starttls")]


async def _providers(settings: Settings) -> list[Verdict]:
    from rejoinder.auth.providers.diagnostics import check_provider

    found: list[Verdict] = []
    for name in settings.auth.providers:
        check = f"provider {name}"
        try:
            result = await asyncio.wait_for(check_provider(settings, name), timeout=TIMEOUT)
        except TimeoutError:
            found.append(Verdict("FAIL", check, f"no answer within {TIMEOUT:.0f} s"))
            continue
        except (RejoinderError, ConfigError) as exc:
            found.append(Verdict("FAIL", check, _brief(exc)))
            continue
        if result.problems:
            found.append(
                Verdict(
                    "FAIL",
                    check,
                    "; ".join(result.problems) + f" (details: `rejoinder provider test {name}`)",
                )
            )
        else:
            facts = ", ".join(f"{label} {value}" for label, value in result.facts[:1])
            found.append(
                Verdict(
                    "ok",
                    check,
                    f"ready; redirect URI {result.redirect_uri}" + (f"; {facts}" if facts else ""),
                )
            )
    return found


def addresses(settings: Settings) -> list[Verdict]:
    """The public URL and the proxy settings, from the settings alone."""
    s = settings.server
    found: list[Verdict] = []
    loopback = is_loopback(s.host)
    if not s.public_url:
        if loopback:
            found.append(
                Verdict(
                    "warn",
                    "public_url",
                    f"not set: links say http://{s.host}:{s.port}; set server.public_url to the address readers use",
                )
            )
        else:
            found.append(
                Verdict(
                    "FAIL",
                    "public_url",
                    f"not set while listening on {s.host}: set server.public_url (e.g. https://comments.example.org)",
                )
            )
        return found
    if s.public_url.startswith("https://"):
        found.append(Verdict("ok", "public_url", s.public_url))
    else:
        found.append(
            Verdict(
                "warn",
                "public_url",
                f"{s.public_url} is not https: sign-in and passkeys need https; serve it over TLS",
            )
        )
    if s.public_url.startswith("https://") and loopback:
        if settings.moderation.trusted_proxies:
            found.append(
                Verdict("ok", "proxy", "trusted_proxies " + " ".join(settings.moderation.trusted_proxies))
            )
        else:
            found.append(
                Verdict(
                    "warn",
                    "proxy",
                    "public_url is https but the server listens on loopback: a reverse proxy is likely; set "
                    'moderation.trusted_proxies to its address (e.g. ["127.0.0.1"]) so client addresses and '
                    "the scheme come through",
                )
            )
    return found


async def diagnose(settings: Settings) -> list[Verdict]:
    found = [Verdict("ok", "config", "loads")]
    found += await _database(settings)
    found += await _redis(settings)
    found += await _smtp(settings)
    found += await _providers(settings)
    found += addresses(settings)
    return found


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the configuration, database, Redis, SMTP, sign-in providers, sites and addresses; say what to fix."""
    try:
        settings = config.load(ctx.obj.get("config"))
    except ConfigError as exc:
        findings = [Verdict("FAIL", "config", f"{exc}")]
    else:
        findings = asyncio.run(diagnose(settings))
    for f in findings:
        click.echo(f"{f.level:<4}  {f.check}: {f.say}")
    failed = sum(f.level == "FAIL" for f in findings)
    warned = sum(f.level == "warn" for f in findings)
    click.echo(f"{failed} failed, {warned} warning(s), {len(findings) - failed - warned} ok")
    if failed:
        ctx.exit(1)
