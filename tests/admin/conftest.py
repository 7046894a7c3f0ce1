"""The moderator UI over HTTP: an in-process app with two sites (`blog`, `news`), the configured admin
account `root`, and helpers to sign in, read CSRF tokens from pages and give identities roles."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from rejoinder.app import Rejoinder, create_app
from rejoinder.auth.sessions import token_hash
from rejoinder.domain.identity import Profile
from rejoinder.moderation.actions import Actor
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts, admin_auth
from rejoinder.services import moderation as moderation_service
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import sessions as session_store
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, run_cli

NEWS_ORIGIN = "https://news.example"
NEWS_ARTICLE = "https://news.example/2026/11/story"
PASSWORD = "correct horse battery staple"
HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@cache
def password_hash() -> str:
    return admin_auth.hash_password(PASSWORD)


def settings_for(db_url: str, **sections: dict[str, Any]) -> Any:
    admin = {"username": "root", "password_hash": password_hash(), **sections.pop("admin", {})}
    # Tests post many comments from one address within seconds: rate limits and the form timer stay off.
    moderation = {
        "rate_limits": False,
        "min_seconds": 0,
        "repeat_window": 0,
        **sections.pop("moderation", {}),
    }
    return make_settings(db_url, admin=admin, moderation=moderation, **sections)


@dataclass
class Admin:
    """A TestClient on the app, plus what tests need beside HTTP."""

    client: TestClient[Any]
    app: Rejoinder

    @property
    def ctx(self) -> Context:
        assert self.app.ctx is not None
        return self.app.ctx

    def run(self, fn: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        """Run a coroutine on the app's own loop (its database connections live there)."""
        with self.client.portal() as portal:
            return portal.call(fn)

    # --- signing in ---------------------------------------------------------------------------------

    def login(self, username: str = "root", password: str = PASSWORD) -> httpx.Response:
        page = self.client.get("/admin/login", headers=HTML)
        assert page.status_code == 200, page.text
        return self.client.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "username": username, "password": password, "next": "/admin"},
            headers=HTML,
            follow_redirects=False,
        )

    def identity(self, subject: str, name: str = "Mod Erator", email: str | None = None) -> str:
        profile = Profile(
            provider="test", subject=subject, name=name, email=email, email_verified=bool(email)
        )

        async def go() -> str:
            outcome = await accounts.sign_in_with_profile(self.ctx, profile, label="Test")
            assert outcome.identity is not None
            return outcome.identity.id

        result: str = self.run(go)
        return result

    def grant(self, identity_id: str, role: Role, site: str | None) -> None:
        async def go() -> None:
            site_id = None
            if site is not None:
                found = await self.ctx.sites.by_name(site)
                assert found is not None
                site_id = found.id
            await moderation_service.set_role(
                self.ctx, Actor.of_system("cli"), identity_id, role, site_id=site_id, granted=True
            )

        self.run(go)

    def session_for(self, identity_id: str, *, expires_in: int = 3600) -> str:
        """An /admin session of an identity (as a provider sign-in makes, with its first credential and its
        roles now), its cookie set on the client."""

        async def go() -> str:
            from rejoinder.services.credentials import credential_id
            from rejoinder.store import identities as identity_store

            async with store_engine.read(self.ctx.engine) as conn:
                [credential, *_] = await identity_store.select_credentials(conn, identity_id)
                actor = await admin_auth.identity_actor(self.ctx, conn, identity_id)
            token, _ = await admin_auth.open_identity_session(
                self.ctx,
                identity_id,
                credential_ref=credential_id(self.ctx.secret, credential),
                actor=actor,
                via="Test",
            )
            if expires_in != self.ctx.settings.admin.session_hours * 3600:
                async with store_engine.write(self.ctx.engine) as conn:
                    ticket = await session_store.take_ticket(conn, token_hash(token), admin_auth.SESSION)
                    assert ticket is not None
                    await session_store.insert_ticket(
                        conn,
                        token_hash(token),
                        purpose=admin_auth.SESSION,
                        identity_id=identity_id,
                        payload=ticket.payload,
                        now=self.ctx.clock(),
                        expires=self.ctx.clock() + expires_in * 1_000_000,
                    )
            return token

        token: str = self.run(go)
        self.client.cookies.set("rejoinder-admin", token)
        return token

    def moderator(self, site: str | None = "blog", role: Role = Role.MODERATOR, subject: str = "mod") -> str:
        identity = self.identity(subject)
        self.grant(identity, role, site)
        self.session_for(identity)
        return identity

    # --- pages and forms ---------------------------------------------------------------------------------

    def page(self, path: str, **params: Any) -> httpx.Response:
        response = self.client.get(path, params=params, headers=HTML)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
        return response

    def csrf(self, path: str = "/admin") -> str:
        return csrf_of(self.page(path).text)

    def submit(self, path: str, data: dict[str, Any], *, csrf_from: str = "/admin") -> httpx.Response:
        body = {"csrf": self.csrf(csrf_from), **data}
        return self.client.post(path, data=body, headers=HTML, follow_redirects=False)

    def post_comment(
        self, text: str = "Hello", *, url: str = ARTICLE, name: str = "Ann", **fields: Any
    ) -> Any:
        origin = NEWS_ORIGIN if url.startswith(NEWS_ORIGIN) else ORIGIN
        body: dict[str, Any] = {
            "url": url,
            "text": text,
            "author": {"name": name, **fields.pop("author", {})},
        }
        body.update(fields)
        response = self.client.post("/api/comments", json=body, headers={"Origin": origin})
        assert response.status_code == 201, response.text
        return response.json()

    def status_of(self, comment_id: str) -> str:
        async def go() -> str:
            async with store_engine.read(self.ctx.engine) as conn:
                found = await moderation_service.moderated(conn, comment_id)
            return found.status.value

        result: str = self.run(go)
        return result

    def log(self) -> list[dict[str, Any]]:
        async def go() -> list[dict[str, Any]]:
            from rejoinder.store import moderation as moderation_store

            async with store_engine.read(self.ctx.engine) as conn:
                sites = [s.id for s in await self.ctx.sites.all()]
                return await moderation_store.select_log(conn, sites, limit=200)

        entries: list[dict[str, Any]] = self.run(go)
        return entries


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html[:2000]
    return found.group(1)


@pytest.fixture
def admin_db(db_url: str) -> str:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    run_cli(db_url, "site", "add", "news", "--origin", NEWS_ORIGIN)
    return db_url


def open_admin(db_url: str, *, base_url: str = "http://rejoinder.test", **sections: dict[str, Any]) -> Admin:
    app = create_app(settings_for(db_url, **sections))
    client: TestClient[Any] = TestClient(app=app, base_url=base_url)
    return Admin(client=client, app=app)


@pytest.fixture
def admin(admin_db: str) -> Iterator[Admin]:
    found = open_admin(admin_db)
    with found.client:
        yield found


# --- a real SMTP server on loopback ----------------------------------------------------------------------


@dataclass
class Sink:
    """aiosmtpd on a free 127.0.0.1 port; `messages` are the received emails, parsed."""

    port: int
    messages: list[Any]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Any]:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} emails arrived"
        return self.messages


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from tests.fixtures.servers import free_port

    sink = Sink(port=free_port(), messages=[])

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.content, policy=policy.default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            sink.messages.append(message)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def email_settings(sink: Sink) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": sink.port, "sender": "comments@rejoinder.test", "starttls": False}
