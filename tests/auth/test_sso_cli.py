"""`rejoinder provider test NAME` for a publisher-SSO provider: the secrets load, the JWKS answers."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from joserfc.jwk import RSAKey

from rejoinder.cli import main
from tests.auth.sso_support import new_secret, serve_jwks


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rejoinder.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "r.db"}"\n\n[auth.providers.pub]\n{body}')
    return path


def _invoke(config: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["-c", str(config), *args], env={"REJOINDER_CONFIG": None, **(env or {})}
    )
    return result.exit_code, result.output


def test_keys_and_jwks_are_checked(tmp_path: Path) -> None:
    secret = new_secret()
    (tmp_path / "old").write_text(new_secret())
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-2026"})
    with serve_jwks([rsa]) as jwks:
        config = _config(
            tmp_path,
            'preset = "sso"\nlogin_url = "https://blog.example/login"\n'
            f'jwks_url = "{jwks.url}"\n'
            'keys = [{kid = "new", secret_env = "PUB_SECRET"}, '
            f'{{kid = "old", secret_file = "{tmp_path / "old"}"}}]\n',
        )
        code, out = _invoke(config, "provider", "test", "pub", env={"PUB_SECRET": secret})
        assert jwks.fetches == 1
    assert code == 0, out
    assert "provider pub: preset sso" in out
    assert "new: environment variable PUB_SECRET; old: file " in out
    assert "HS256 keys: new, old: read" in out
    assert f"JWKS: {jwks.url}: rsa-2026 (RSA)" in out
    assert "login page: https://blog.example/login" in out
    assert "ready" in out
    assert secret not in out


def test_problems_are_named_without_secrets(tmp_path: Path) -> None:
    with serve_jwks([]) as jwks:
        url = jwks.url  # stopped when the block ends: nothing answers there
    config = _config(
        tmp_path, f'preset = "sso"\njwks_url = "{url}"\nkeys = [{{kid = "k1", secret_env = "PUB_SECRET"}}]\n'
    )
    code, out = _invoke(config, "provider", "test", "pub")
    assert code == 1
    assert "environment variable PUB_SECRET is not set" in out
    short = "too-short-1"
    code, out = _invoke(config, "provider", "test", "pub", env={"PUB_SECRET": short})
    assert code == 1 and "shorter than 32 bytes" in out and short not in out
    code, out = _invoke(config, "provider", "test", "pub", env={"PUB_SECRET": new_secret()})
    assert code == 1 and "sso-keys-unavailable" in out


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    cases = {
        'preset = "sso"\n': "preset sso needs keys (HS256) or jwks_url",
        'preset = "sso"\nkeys = [{kid = "a", secret_env = "X", secret_file = "/y"}]\n': "needs secret_env or",
        'preset = "sso"\nkeys = [{kid = "a", secret_env = "X"}, {kid = "a", secret_env = "Y"}]\n': "same kid",
        'preset = "sso"\njwks_url = "ftp://x"\n': "auth.providers.pub.jwks_url",
        'preset = "sso"\njwks_url = "https://x"\nmax_age = 99999\n': "max_age",
    }
    for body, message in cases.items():
        code, out = _invoke(_config(tmp_path, body), "provider", "list")
        assert code == 1, body
        assert message in out, (body, out)
