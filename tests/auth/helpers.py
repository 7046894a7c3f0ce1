"""Helpers for sign-in tests: sign a profile in directly through the service (no provider round trip)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from rejoinder.domain.identity import Profile
from rejoinder.services import accounts
from rejoinder.services.context import Context


def app_ctx(client: TestClient[Any]) -> Context:
    ctx = client.rejoinder.ctx  # type: ignore[attr-defined]
    assert isinstance(ctx, Context)
    return ctx


def sign_in(
    client: TestClient[Any],
    subject: str = "alice",
    *,
    provider: str = "test",
    name: str | None = "Alice Example",
    email: str | None = None,
    verified: bool = False,
    label: str = "Test",
    link_identity: str | None = None,
) -> accounts.Outcome:
    """Run sign_in_with_profile on the app's own event loop (the engine's connections live there)."""
    profile = Profile(provider=provider, subject=subject, name=name, email=email, email_verified=verified)

    async def go() -> accounts.Outcome:
        return await accounts.sign_in_with_profile(
            app_ctx(client), profile, label=label, link_identity=link_identity
        )

    with client.portal() as portal:
        return portal.call(go)


def bearer(token: str | None) -> dict[str, str]:
    assert token
    return {"Authorization": f"Bearer {token}"}
