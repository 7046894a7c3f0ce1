"""`rejoinder provider list|test` for a passkey provider: nothing to register, and the RP ID it will use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auth.test_provider_cli import _config, _invoke

PASSKEY = '[auth.providers.passkey]\npreset = "passkey"\n'


def test_list_names_the_start_page(tmp_path: Path) -> None:
    code, out = _invoke(_config(tmp_path, PASSKEY), "provider", "list")
    assert code == 0, out
    assert "passkey\tpasskey\tPasskey\tsites=*\thttps://comments.example/auth/passkey/start" in out


def test_test_reports_the_relying_party(tmp_path: Path) -> None:
    code, out = _invoke(_config(tmp_path, PASSKEY), "provider", "test", "passkey")
    assert code == 0, out
    assert "RP ID: comments.example" in out
    assert "origin: https://comments.example" in out
    assert "nothing to register" in out
    assert "ready" in out


@pytest.mark.parametrize(
    ("public_url", "ok"),
    [("http://comments.example", False), ("http://localhost:8000", True), ("", False)],
)
def test_test_wants_a_secure_context(tmp_path: Path, public_url: str, ok: bool) -> None:
    code, out = _invoke(_config(tmp_path, PASSKEY, public_url=public_url), "provider", "test", "passkey")
    assert (code == 0) is ok, out
    if not ok:
        assert "problem: server.public_url" in out
