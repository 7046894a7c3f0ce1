"""Moderators sign in to /admin with a sign-in provider: the full authorization-code + PKCE flow against
the loopback OpenID provider (node-oidc-provider), to /admin/auth/NAME/callback. Only an existing
identity with a staff role gets a session; the flow is bound to the browser that started it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rejoinder.domain.identity import Profile
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts
from tests.admin.conftest import HTML, Admin, open_admin
from tests.fixtures.oidc import OpenIdProvider, op_login, op_settings, start_op

APP = "http://rejoinder.test"


@pytest.fixture(scope="module")
def admin_op(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenIdProvider]:
    op = start_op(tmp_path_factory.mktemp("admin-op"), [f"{APP}/admin/auth/op/callback"])
    try:
        yield op
    finally:
        op.stop()


@pytest.fixture
def op_admin(admin_db: str, admin_op: OpenIdProvider, tmp_path: Path) -> Iterator[Admin]:
    secret = tmp_path / "op-secret"
    secret.write_text(admin_op.client_secret, encoding="utf-8")
    provider = op_settings(admin_op, client_secret_env="", client_secret_file=str(secret))
    admin = open_admin(admin_db, auth={"providers": {"op": provider}})
    with admin.client:
        yield admin


def known(admin: Admin, subject: str, role: Role | None) -> str:
    """An identity that once signed in with the loopback provider as `subject`."""
    profile = Profile(provider="op", subject=subject, name=f"User {subject}")

    async def go() -> Any:
        return await accounts.sign_in_with_profile(admin.ctx, profile, label="Loopback ID")

    outcome = admin.run(go)
    assert outcome.identity is not None
    if role is not None:
        admin.grant(outcome.identity.id, role, "blog")
    identity_id: str = outcome.identity.id
    return identity_id


def start(admin: Admin) -> str:
    response = admin.client.get("/admin/auth/op/start", headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    assert location.startswith("http://127.0.0.1:")
    return location


def callback_path(admin: Admin, login: str) -> str:
    return op_login(start(admin), login, stop_at=APP).removeprefix(APP)


def test_a_moderator_signs_in_with_the_provider(op_admin: Admin) -> None:
    known(op_admin, "alice", Role.MODERATOR)
    login_page = op_admin.page("/admin/login").text
    assert 'href="/admin/auth/op/start"' in login_page and "Loopback ID" in login_page
    back = op_admin.client.get(callback_path(op_admin, "alice"), headers=HTML)
    assert back.status_code == 200, back.text
    assert 'http-equiv="refresh" content="0; url=/admin"' in back.text
    assert "rejoinder-admin=" in back.headers.get("set-cookie", "")
    dashboard = op_admin.page("/admin").text
    assert "User alice" in dashboard and "Sign out" in dashboard


def test_a_form_post_answer_counts_like_a_redirect(op_admin: Admin) -> None:
    """A provider answering with response_mode=form_post (Apple) POSTs the callback: its posted fields
    count like a query string's (web/signin_pages.callback_params, shared with the readers' callback)."""
    known(op_admin, "alice", Role.MODERATOR)
    path, _, query = callback_path(op_admin, "alice").partition("?")
    form = {**HTML, "Content-Type": "application/x-www-form-urlencoded"}
    back = op_admin.client.post(path, content=query.encode(), headers=form)
    assert back.status_code == 200, back.text
    assert 'http-equiv="refresh" content="0; url=/admin"' in back.text
    assert "rejoinder-admin=" in back.headers.get("set-cookie", "")
    assert "User alice" in op_admin.page("/admin").text


def test_accounts_without_a_role_are_refused(op_admin: Admin) -> None:
    known(op_admin, "carol", None)  # a reader, no role
    for login in ("carol", "stranger"):  # and someone who never signed in here
        response = op_admin.client.get(callback_path(op_admin, login), headers=HTML)
        assert response.status_code == 403 and "not a moderator" in response.text
        assert op_admin.client.get("/admin").status_code == 401


def test_the_flow_is_bound_to_its_browser_and_used_once(op_admin: Admin) -> None:
    known(op_admin, "alice", Role.MODERATOR)
    path = callback_path(op_admin, "alice")
    binding = op_admin.client.cookies.get("rejoinder-admin-flow")
    assert binding
    op_admin.client.cookies.delete("rejoinder-admin-flow")  # another browser follows the same link
    response = op_admin.client.get(path, headers=HTML)
    assert response.status_code == 403 and "browser-mismatch" in response.text
    op_admin.client.cookies.set("rejoinder-admin-flow", binding)
    replay = op_admin.client.get(path, headers=HTML)  # the state was used up by the refused attempt
    assert replay.status_code == 403 and "state-invalid" in replay.text
    assert op_admin.client.get("/admin").status_code == 401


def test_bad_callbacks(op_admin: Admin) -> None:
    start(op_admin)
    for query in ({}, {"state": "x" * 200}, {"state": "unknown-state-value-123456", "code": "c"}):
        response = op_admin.client.get("/admin/auth/op/callback", params=query, headers=HTML)
        assert response.status_code == 403 and "state-invalid" in response.text, query
    for path in ("/admin/auth/nope/start", "/admin/auth/nope/callback"):
        response = op_admin.client.get(path, headers=HTML)
        assert response.status_code == 404 and "provider-not-found" in response.text, path
    assert (
        op_admin.client.get("/admin", headers=HTML, follow_redirects=False).status_code == 303
    )  # not signed in


def test_an_answer_without_state_is_refused_like_a_readers(op_admin: Admin) -> None:
    """The flow engine is the readers' one (services/signin_flows.py): the same codes for the same faults."""
    known(op_admin, "alice", Role.MODERATOR)
    callback_path(op_admin, "alice")  # a flow is pending in this browser
    response = op_admin.client.get("/admin/auth/op/callback?code=x", headers=HTML)
    assert response.status_code == 403 and "state-invalid" in response.text
    response = op_admin.client.get("/admin/auth/op/callback?code=x&state=" + "s" * 129, headers=HTML)
    assert response.status_code == 403 and "state-invalid" in response.text
    assert op_admin.client.get("/admin").status_code == 401
