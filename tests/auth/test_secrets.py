"""Client secrets come from the environment or a file and never appear in logs or error bodies."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from tests.auth.flows import callback, provider_url, start
from tests.fixtures.app import make_settings, start_failure
from tests.fixtures.oidc import OpenIdProvider, op_login, op_settings


def _capture_everything(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every logger at DEBUG into caplog, httpx's included, whatever an earlier test in this process did to
    it (a library may lower or silence it): the test must see the provider requests to prove it looks."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    httpx_log = logging.getLogger("httpx")
    monkeypatch.setattr(httpx_log, "disabled", False)
    monkeypatch.setattr(httpx_log, "propagate", True)


def _client(site_db: str, op: OpenIdProvider) -> TestClient[Any]:
    settings = make_settings(site_db, auth={"providers": {"op": op_settings(op)}})
    return TestClient(app=create_app(settings), base_url="http://rejoinder.test")  # type: ignore[arg-type]


def test_secret_from_env_works_and_is_never_logged_or_shown(
    site_db: str,
    openid_provider: OpenIdProvider,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    _capture_everything(caplog, monkeypatch)
    monkeypatch.setenv("REJOINDER_TEST_OP_SECRET", openid_provider.client_secret)
    bodies: list[str] = []
    with _client(site_db, openid_provider) as client:
        done = callback(client, op_login(provider_url(start(client)), "alice"))
        assert done.status_code == 200 and "rejoinder:session" in done.text
        bodies.append(done.text)
        replay = client.get(op_login(provider_url(start(client)), "alice").replace("state=", "state=x"))
        bodies.append(replay.text)
        bodies.append(client.get("/api/auth/providers", params={"site": "blog"}).text)
    logs = caplog.text + "".join(capfd.readouterr())  # Litestar's logging config may log to stderr
    assert "HTTP Request" in logs  # the capture works: the provider requests were logged
    assert openid_provider.client_secret not in logs
    assert all(openid_provider.client_secret not in body for body in bodies)


def test_wrong_secret_fails_without_showing_it(
    site_db: str,
    openid_provider: OpenIdProvider,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    _capture_everything(caplog, monkeypatch)
    wrong = "wrong-secret-5d1c9e"
    monkeypatch.setenv("REJOINDER_TEST_OP_SECRET", wrong)
    with _client(site_db, openid_provider) as client:
        response = client.get(op_login(provider_url(start(client)), "alice"))
    assert response.status_code == 403
    assert response.json()["code"] == "token-rejected"
    logs = caplog.text + "".join(capfd.readouterr())
    assert "HTTP Request" in logs
    assert wrong not in response.text and wrong not in logs


def test_missing_secret_variable_stops_start_up_naming_the_setting(
    site_db: str, openid_provider: OpenIdProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A provider whose secret cannot be read stops the server at start-up (runtime.Runtime builds the
    registry), not on a reader's first sign-in; the error names the setting and the variable to set."""
    monkeypatch.delenv("REJOINDER_TEST_OP_SECRET", raising=False)
    settings = make_settings(site_db, auth={"providers": {"op": op_settings(openid_provider)}})
    error = start_failure(create_app(settings))
    assert str(error) == (
        "invalid setting auth.providers.op.client_secret_env: "
        "environment variable REJOINDER_TEST_OP_SECRET is not set"
    )
