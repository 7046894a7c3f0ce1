"""Signing in to /admin: every page refuses anonymous users, forged and expired sessions and readers
without a staff role; the password sign-in with its cookie, login CSRF, rate limit and sign-out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rejoinder.moderation.rules import Role
from rejoinder.services import admin_auth
from tests.admin.conftest import HTML, PASSWORD, Admin, csrf_of, open_admin

PUBLIC = ("/admin/login", "/admin/static/", "/admin/auth/", "/admin/email/")


def session_cookie(response: Any, prefix: str) -> str:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(prefix)]
    return str(cookie).lower()


def staff_routes(admin: Admin) -> list[tuple[str, str]]:
    """(method, path) of every /admin route that needs a signed-in moderator, path parameters filled."""
    found = []
    for route in admin.app.litestar.routes:
        if not route.path.startswith("/admin") or route.path.startswith(PUBLIC):
            continue
        path = re.sub(r"\{(\w+):int\}", "1", route.path)
        path = re.sub(r"\{(\w+):str\}", "blog", path)
        for method in sorted(set(getattr(route, "methods", {"GET"})) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    assert len(found) >= 20, found  # the scan must keep finding the UI's routes
    return found


def test_every_route_refuses_anonymous_users(admin: Admin) -> None:
    for method, path in staff_routes(admin):
        html = admin.client.request(method, path, headers=HTML, follow_redirects=False)
        api = admin.client.request(method, path, follow_redirects=False)
        if method == "GET":
            assert html.status_code == 303, (path, html.status_code)
            assert html.headers["location"].startswith("/admin/login?next="), path
        else:
            assert html.status_code == 401, (method, path, html.status_code)
        assert api.status_code == 401, (method, path, api.status_code)
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["code"] == "admin-session-required"


@pytest.mark.parametrize(
    "cookie",
    ["x" * 43, "rjs_" + "A" * 43, "A" * 20, "<script>" * 6, "A" * 43 + "%", "A" * 200],
)
def test_forged_sessions_are_refused(admin: Admin, cookie: str) -> None:
    admin.client.cookies.set("rejoinder-admin", cookie)
    for method, path in staff_routes(admin):
        response = admin.client.request(method, path, follow_redirects=False)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] in ("admin-session-invalid", "admin-session-required")


def test_expired_session_is_refused(admin: Admin) -> None:
    identity = admin.identity("late")
    admin.grant(identity, Role.MODERATOR, "blog")
    admin.session_for(identity, expires_in=-1)
    response = admin.client.get("/admin/queue/pending")
    assert response.status_code == 401
    assert response.json()["code"] == "admin-session-expired"
    page = admin.client.get("/admin/queue/pending", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and "expired=1" in page.headers["location"]
    assert "Your sign-in has expired" in admin.client.get(page.headers["location"], headers=HTML).text


def test_readers_without_a_staff_role_are_refused(admin: Admin) -> None:
    reader = admin.identity("reader")
    admin.grant(reader, Role.TRUSTED, "blog")  # trusted is a commenter's role, not a moderator's
    admin.session_for(reader)
    for method, path in staff_routes(admin):
        response = admin.client.request(method, path, headers=HTML, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "not a moderator" in response.text


def _set_role(admin: Admin, identity: str, role: Role, site: str | None, *, granted: bool) -> None:
    async def go() -> None:
        from rejoinder.moderation.actions import Actor
        from rejoinder.services import moderation

        found = await admin.ctx.sites.by_name(site) if site else None
        await moderation.set_role(
            admin.ctx,
            Actor.of_system("cli"),
            identity,
            role,
            site_id=found.id if found else None,
            granted=granted,
        )

    admin.run(go)


def _admin_sessions(admin: Admin, identity: str | None = None) -> int:
    """How many /admin session rows are stored (of one identity, or of the configured account)."""

    async def go() -> int:
        import sqlalchemy as sa

        from rejoinder.store import engine as store_engine
        from rejoinder.store.schema import auth_tickets

        where = (
            auth_tickets.c.identity_id.is_(None)
            if identity is None
            else auth_tickets.c.identity_id == identity
        )
        async with store_engine.read(admin.ctx.engine) as conn:
            query = sa.select(sa.func.count()).where(auth_tickets.c.purpose == admin_auth.SESSION, where)
            return int((await conn.execute(query)).scalar_one())

    result: int = admin.run(go)
    return result


def test_a_role_taken_away_ends_the_session_even_if_given_back(admin: Admin) -> None:
    identity = admin.moderator("blog")
    assert admin.client.get("/admin/queue/pending", headers=HTML).status_code == 200
    assert _admin_sessions(admin, identity) == 1
    _set_role(admin, identity, Role.MODERATOR, "blog", granted=False)
    assert _admin_sessions(admin, identity) == 0  # ended when the role went, not at the next request
    _set_role(admin, identity, Role.MODERATOR, "blog", granted=True)
    response = admin.client.get("/admin/queue/pending")
    assert response.status_code == 401 and response.json()["code"] == "admin-session-invalid"
    page = admin.client.get("/admin/queue/pending", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")


def test_a_reduced_role_ends_the_session_and_an_added_one_does_not(admin: Admin) -> None:
    identity = admin.identity("boss")
    admin.grant(identity, Role.ADMIN, "blog")
    admin.session_for(identity)
    admin.grant(identity, Role.MODERATOR, "news")  # added: the session goes on, with the new role
    assert admin.client.get("/admin/queue/pending", params={"site": "news"}, headers=HTML).status_code == 200

    # A role changed behind the service's back (the database edited by hand) is caught on the next
    # request: the roles of the sign-in are compared with the stored ones every time.
    async def reduce() -> None:
        import sqlalchemy as sa

        from rejoinder.store import engine as store_engine
        from rejoinder.store.schema import roles

        async with store_engine.write(admin.ctx.engine) as conn:
            await conn.execute(
                sa.update(roles)
                .where(roles.c.identity_id == identity, roles.c.role == Role.ADMIN.value)
                .values(role=Role.MODERATOR.value)
            )

    admin.run(reduce)
    response = admin.client.get("/admin/queue/pending")
    assert response.status_code == 401 and response.json()["code"] == "admin-session-invalid"
    assert "roles" in response.json()["detail"]
    assert _admin_sessions(admin, identity) == 0


def test_a_removed_credential_ends_the_sessions_made_with_it(admin: Admin) -> None:
    identity = admin.moderator("blog")
    assert admin.client.get("/admin/queue/pending").status_code == 200

    async def remove() -> None:
        from rejoinder.domain.identity import CredentialKind
        from rejoinder.store import engine as store_engine
        from rejoinder.store import identities as identity_store

        async with store_engine.write(admin.ctx.engine) as conn:
            await identity_store.delete_credential(conn, identity, CredentialKind.OIDC, "test", "mod")

    admin.run(remove)
    response = admin.client.get("/admin/queue/pending")
    assert response.status_code == 401 and response.json()["code"] == "admin-session-invalid"


def test_a_new_password_ends_the_sessions_of_the_old_one(admin_db: str) -> None:
    first = open_admin(admin_db)
    with first.client:
        assert first.login().status_code == 303
        token: Any = first.client.cookies.get("rejoinder-admin")
        assert first.client.get("/admin").status_code == 200
    # The operator puts a new hash in the config and restarts: the old cookie is dead at once.
    changed = open_admin(admin_db, admin={"password_hash": admin_auth.hash_password("another long secret")})
    with changed.client:
        changed.client.cookies.set("rejoinder-admin", token)
        response = changed.client.get("/admin")
        assert response.status_code == 401 and response.json()["code"] == "admin-session-invalid"
        assert "password was changed" in response.json()["detail"]
        assert _admin_sessions(changed) == 0  # the row is gone: the old hash coming back does not revive it
    same = open_admin(admin_db)
    with same.client:
        same.client.cookies.set("rejoinder-admin", token, domain="rejoinder.test", path="/admin")
        assert same.client.get("/admin").status_code == 401
        assert same.login().status_code == 303  # signing in again works
        assert same.client.get("/admin").status_code == 200


def test_the_same_password_keeps_the_session_across_restarts(admin_db: str) -> None:
    first = open_admin(admin_db)
    with first.client:
        first.login()
        token: Any = first.client.cookies.get("rejoinder-admin")
    again = open_admin(admin_db)
    with again.client:
        again.client.cookies.set("rejoinder-admin", token)
        page = again.client.get("/admin")
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert _admin_sessions(again) == 1  # the same stored session row, not a new sign-in


def test_password_sign_in_sets_a_strict_cookie(admin: Admin) -> None:
    response = admin.login()
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = session_cookie(response, "rejoinder-admin=")
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "path=/admin;" in cookie + ";"  # sent to /admin only, never to the API or reader pages
    assert "secure" not in cookie and "domain" not in cookie  # plain http here; see the https test
    page = admin.page("/admin")
    assert "root" in page.text and "Dashboard" in page.text


def test_the_session_cookie_is_not_sent_outside_admin(admin: Admin) -> None:
    import httpx

    response = admin.login()
    jar = httpx.Cookies()
    jar.extract_cookies(response)  # what a browser keeps from the Set-Cookie header, path included
    [cookie] = [c for c in jar.jar if c.name == "rejoinder-admin"]
    assert cookie.path == "/admin" and not cookie.domain_specified
    request = httpx.Request("GET", "http://rejoinder.test/api/threads?site=blog&key=a")
    jar.set_cookie_header(request)
    assert "rejoinder-admin" not in request.headers.get("cookie", "")
    request = httpx.Request("GET", "http://rejoinder.test/admin/queue/pending")
    jar.set_cookie_header(request)
    assert "rejoinder-admin=" in request.headers.get("cookie", "")


def test_the_login_page_expires_the_cookies_of_earlier_builds(admin: Admin) -> None:
    admin.client.cookies.set("rejoinder-admin", "A" * 43)  # Path=/ as earlier builds set it
    page = admin.client.get("/admin/login", headers=HTML)
    expired = [c.lower() for c in page.headers.get_list("set-cookie") if c.startswith("rejoinder-admin=")]
    assert expired and all("max-age=0" in c and "path=/;" in c + ";" for c in expired), expired


def test_https_uses_a_secure_prefixed_cookie(admin_db: str) -> None:
    admin = open_admin(admin_db, base_url="https://rejoinder.test")
    with admin.client:
        cookie = session_cookie(admin.login(), "__Secure-rejoinder-admin=")
        assert "secure" in cookie and "samesite=strict" in cookie and "domain" not in cookie
        assert "path=/admin;" in cookie + ";" and "httponly" in cookie


@pytest.mark.parametrize(
    ("username", "password"), [("root", "wrong password!"), ("rooot", PASSWORD), ("", "")]
)
def test_wrong_credentials_are_refused(admin: Admin, username: str, password: str) -> None:
    response = admin.login(username, password)
    assert response.status_code == 401
    assert "The name or the password is wrong" in response.text
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("rejoinder-admin=")]
    assert admin.client.get("/admin/queue/pending").status_code == 401


def test_login_form_has_csrf_protection(admin: Admin) -> None:
    page = admin.client.get("/admin/login", headers=HTML)
    good = {"csrf": csrf_of(page.text), "username": "root", "password": PASSWORD}
    for data in ({k: v for k, v in good.items() if k != "csrf"}, {**good, "csrf": "A" * 32}):
        response = admin.client.post("/admin/login", data=data, headers=HTML, follow_redirects=False)
        assert response.status_code == 403, response.text
        assert "csrf-invalid" in response.text
    # The token belongs to the browser's pre-sign-in cookie: another browser cannot use it.
    admin.client.cookies.clear()
    response = admin.client.post("/admin/login", data=good, headers=HTML, follow_redirects=False)
    assert response.status_code == 403
    # A page on another site posting the right token is refused too.
    admin.client.get("/admin/login", headers=HTML)
    fresh = {**good, "csrf": csrf_of(admin.client.get("/admin/login", headers=HTML).text)}
    response = admin.client.post(
        "/admin/login", data=fresh, headers={**HTML, "Origin": "https://evil.example"}, follow_redirects=False
    )
    assert response.status_code == 403


def test_own_origin_is_the_public_url_not_the_host_header(admin_db: str) -> None:
    """Behind a TLS-terminating proxy the server sees another scheme and Host than the browser's Origin:
    the admin's own origin is server.public_url's, and the Host header vouches for nothing."""
    found = open_admin(
        admin_db, base_url="https://10.0.0.5:8443", server={"public_url": "https://comments.example.org"}
    )
    with found.client as client:

        def login(origin: str) -> Any:
            client.cookies.clear()
            page = client.get("/admin/login", headers=HTML)
            data = {"csrf": csrf_of(page.text), "username": "root", "password": PASSWORD, "next": "/admin"}
            return client.post(
                "/admin/login", data=data, headers={**HTML, "Origin": origin}, follow_redirects=False
            )

        refused = login("https://10.0.0.5:8443")  # the request's own scheme and Host
        assert refused.status_code == 403 and "csrf-invalid" in refused.text
        assert "set-cookie" not in refused.headers or "rejoinder-admin=" not in refused.headers["set-cookie"]
        accepted = login("https://comments.example.org")
        assert accepted.status_code == 303 and accepted.headers["location"] == "/admin"


def test_sign_in_goes_back_only_to_admin_pages(admin: Admin) -> None:
    for target, expected in [
        ("/admin/queue/pending?site=blog", "/admin/queue/pending?site=blog"),
        ("https://evil.example/admin", "/admin"),
        ("//evil.example/admin", "/admin"),
        ("/adminx", "/admin"),
        ("/admin\\@evil.example", "/admin"),
    ]:
        admin.client.cookies.clear()
        page = admin.client.get("/admin/login", params={"next": target}, headers=HTML)
        response = admin.client.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "username": "root", "password": PASSWORD, "next": target},
            headers=HTML,
            follow_redirects=False,
        )
        assert response.headers["location"] == expected, target


def test_sign_out_ends_the_session(admin: Admin) -> None:
    admin.login()
    token = admin.client.cookies.get("rejoinder-admin")
    assert token
    response = admin.submit("/admin/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/admin/login?bye=1"
    admin.client.cookies.set("rejoinder-admin", token)  # a copy of the cookie is dead too
    assert admin.client.get("/admin").status_code == 401


def test_password_attempts_are_rate_limited(admin_db: str) -> None:
    admin = open_admin(admin_db, admin={"login_limit": "3/minute"})
    with admin.client:
        statuses = [admin.login(password="wrong password!").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        assert admin.login().status_code == 429  # the right password waits as well


def test_password_hashes(admin: Admin) -> None:
    stored = admin_auth.hash_password("a long enough secret")
    assert stored.startswith(("scrypt$", "$argon2"))
    assert admin_auth.verify_password(stored, "a long enough secret")
    assert not admin_auth.verify_password(stored, "a long enough secreT")
    for broken in ("", "scrypt$", "scrypt$n=2,r=1,p=1$AA$AA", "plain text", "scrypt$n=x$y$z"):
        assert not admin_auth.verify_password(broken, "anything")
    with pytest.raises(Exception, match="at least 10"):
        admin_auth.hash_password("short")


def test_unconfigured_account_cannot_sign_in(admin_db: str) -> None:
    admin = open_admin(admin_db, admin={"username": "", "password_hash": ""})
    with admin.client:
        page = admin.client.get("/admin/login", headers=HTML)
        assert 'name="password"' not in page.text
        pre = admin.client.cookies.get("rejoinder-admin-pre")
        assert pre
        token = admin_auth.form_token(admin.ctx.secret, "login", pre)  # what the form would carry
        for username in ("", "root"):
            response = admin.client.post(
                "/admin/login",
                data={"csrf": token, "username": username, "password": ""},
                headers=HTML,
                follow_redirects=False,
            )
            assert response.status_code == 401, response.text


def test_session_of_a_removed_account_is_refused(admin_db: str) -> None:
    first = open_admin(admin_db)
    with first.client:
        first.login()
        token: Any = first.client.cookies.get("rejoinder-admin")
    renamed = open_admin(admin_db, admin={"username": "someone-else"})
    with renamed.client:
        renamed.client.cookies.set("rejoinder-admin", token)
        response = renamed.client.get("/admin")
        assert response.status_code == 401 and response.json()["code"] == "admin-session-invalid"
