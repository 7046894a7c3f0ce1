"""`rejoinder provider list|test`: what to register at each provider, and a live check of discovery."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from rejoinder.cli import main
from tests.fixtures.oidc import OpenIdProvider


def _config(tmp_path: Path, body: str, public_url: str = "https://comments.example") -> Path:
    path = tmp_path / "rejoinder.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "r.db"}"\n\n[server]\npublic_url = "{public_url}"\n\n{body}'
    )
    return path


def _invoke(config: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    # `-c` exports REJOINDER_CONFIG for worker processes; naming it here makes CliRunner restore it after.
    result = CliRunner().invoke(
        main, ["-c", str(config), *args], env={"REJOINDER_CONFIG": None, **(env or {})}
    )
    return result.exit_code, result.output


def test_list_prints_redirect_uris(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        '[auth.providers.google]\nclient_id = "id-1"\nclient_secret_env = "G_SECRET"\nsites = ["blog"]\n\n'
        "[auth.providers.mastodon]\n",
    )
    code, out = _invoke(config, "provider", "list")
    assert code == 0, out
    assert "google\tgoogle\tGoogle\tsites=blog\thttps://comments.example/auth/google/callback" in out
    assert "mastodon\tmastodon\tMastodon\tsites=*\thttps://comments.example/auth/mastodon/callback" in out


def test_test_checks_discovery_against_a_real_provider(
    tmp_path: Path, openid_provider: OpenIdProvider
) -> None:
    secret = tmp_path / "secret"
    secret.write_text(openid_provider.client_secret)
    config = _config(
        tmp_path,
        f'[auth.providers.op]\npreset = "oidc"\nissuer = "{openid_provider.issuer}"\n'
        f'client_id = "{openid_provider.client_id}"\nclient_secret_file = "{secret}"\n',
    )
    code, out = _invoke(config, "provider", "test", "op")
    assert code == 0, out
    assert "redirect URI:  https://comments.example/auth/op/callback" in out
    assert "discovery: " + openid_provider.issuer + "/.well-known/openid-configuration: ok" in out
    assert "signing keys: 1 in " in out
    assert "ready" in out
    assert openid_provider.client_secret not in out


def test_test_reports_problems_without_secrets(tmp_path: Path, openid_provider: OpenIdProvider) -> None:
    config = _config(
        tmp_path,
        '[auth.providers.op]\npreset = "oidc"\nissuer = "http://127.0.0.1:9/nothing"\n'
        'client_id = "x"\nclient_secret_env = "OP_SECRET"\n',
        public_url="",
    )
    code, out = _invoke(config, "provider", "test", "op", env={"OP_SECRET": "top-secret-value-1"})
    assert code == 1
    assert "server.public_url is not set" in out
    assert "provider-unreachable" in out
    assert "top-secret-value-1" not in out
    code, out = _invoke(config, "provider", "test", "op")
    assert code == 1 and "environment variable OP_SECRET is not set" in out
    code, out = _invoke(config, "provider", "test", "nope")
    assert code == 1 and "No provider 'nope'" in out


def test_config_validation_names_the_key(tmp_path: Path) -> None:
    config = _config(tmp_path, '[auth.providers.google]\nclient_secret_env = "X"\n')
    code, out = _invoke(config, "provider", "list")
    assert code == 1 and "auth.providers.google.client_id" in out
    config = _config(tmp_path, '[auth.providers.foo]\nclient_id = "x"\n')
    code, out = _invoke(config, "provider", "list")
    assert code == 1 and "auth.providers.foo.preset" in out
