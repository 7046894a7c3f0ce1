"""`rejoinder doctor` against real services: PostgreSQL or SQLite, Redis, an SMTP server (aiosmtpd) and the
loopback OpenID provider; the failing cases against closed ports."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from rejoinder.cli import main
from rejoinder.store import migrate
from tests.fixtures.admin import Sink
from tests.fixtures.oidc import OpenIdProvider
from tests.fixtures.servers import free_port

SECRET_ENV = "REJOINDER_TEST_DOCTOR_SECRET"


def doctor(tmp_path: Path, toml: str, env: dict[str, str | None] | None = None) -> tuple[int, list[str]]:
    path = tmp_path / "rejoinder.toml"
    path.write_text(toml)
    result = CliRunner().invoke(
        main, ["-c", str(path), "doctor"], env={"REJOINDER_CONFIG": None, **(env or {})}
    )
    return result.exit_code, result.output.splitlines()


def test_a_healthy_installation_is_all_ok(
    tmp_path: Path, site_db: str, redis_url: str, smtp_sink: Sink, openid_provider: OpenIdProvider
) -> None:
    code, lines = doctor(
        tmp_path,
        f'[database]\nurl = "{site_db}"\n\n[server]\npublic_url = "https://comments.example"\n\n'
        f'[redis]\nurl = "{redis_url}"\n\n'
        f'[email]\nhost = "127.0.0.1"\nport = {smtp_sink.port}\nsender = "c@rejoinder.test"\nstarttls = false\n\n'
        '[moderation]\ntrusted_proxies = ["127.0.0.1"]\n\n'
        f'[auth.providers.op]\npreset = "oidc"\nissuer = "{openid_provider.issuer}"\n'
        f'client_id = "{openid_provider.client_id}"\nclient_secret_env = "{SECRET_ENV}"\n',
        {SECRET_ENV: openid_provider.client_secret},
    )
    head = migrate.known_revisions()[0]
    assert code == 0, lines
    assert lines[0] == "ok    config: loads"
    assert lines[1].startswith("ok    database: ") and lines[1].endswith(f"migrated to {head} (head)")
    assert lines[2] == "ok    site blog: origins https://blog.example"
    assert lines[3] == "ok    redis: answers PING"
    assert lines[4] == f"ok    smtp: 127.0.0.1:{smtp_sink.port} answers EHLO"
    assert lines[5].startswith(
        "ok    provider op: ready; redirect URI https://comments.example/auth/op/callback; discovery "
        f"{openid_provider.issuer}/.well-known/openid-configuration: ok"
    ), lines[5]
    assert lines[6:] == [
        "ok    public_url: https://comments.example",
        "ok    proxy: trusted_proxies 127.0.0.1",
        "0 failed, 0 warning(s), 8 ok",
    ]


def test_what_is_broken_fails_and_says_what_to_do(tmp_path: Path) -> None:
    closed = free_port()
    code, lines = doctor(
        tmp_path,
        f'[database]\nurl = "sqlite:///{tmp_path / "empty.db"}"\nauto_migrate = false\n\n'
        '[server]\nhost = "0.0.0.0"\n\n'
        f'[redis]\nurl = "redis://127.0.0.1:{closed}/0"\n\n'
        f'[email]\nhost = "127.0.0.1"\nport = {closed}\nsender = "c@rejoinder.test"\nstarttls = false\n\n'
        f'[auth.providers.op]\npreset = "oidc"\nissuer = "http://127.0.0.1:{closed}"\n'
        f'client_id = "x"\nclient_secret_env = "{SECRET_ENV}"\n',
        {SECRET_ENV: "s"},
    )
    assert code == 1, lines
    assert lines[0] == "ok    config: loads"
    assert (
        lines[1]
        == f"FAIL  database: sqlite:///{tmp_path}/empty.db: the file does not exist yet; run `rejoinder migrate`"
    )
    assert not (tmp_path / "empty.db").exists()  # the doctor did not create it
    assert lines[2].startswith("FAIL  redis: ") and lines[2].endswith("; check redis.url and that Redis runs")
    assert lines[3].startswith(f"FAIL  smtp: 127.0.0.1:{closed}: ")
    assert lines[4].startswith("FAIL  provider op: ") and "rejoinder provider test op" in lines[4]
    assert lines[5] == (
        "FAIL  public_url: not set while listening on 0.0.0.0: set server.public_url "
        "(e.g. https://comments.example.org)"
    )
    assert lines[6] == "5 failed, 0 warning(s), 1 ok"


def test_a_database_behind_the_head_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    head, known = migrate.known_revisions()
    migrate.upgrade(url, known[1])  # the revision before the head
    code, lines = doctor(tmp_path, f'[database]\nurl = "{url}"\nauto_migrate = false\n')
    assert code == 1, lines
    assert lines[1] == f"FAIL  database: {url} is at {known[1]}, not {head}: run `rejoinder migrate`"


def test_a_site_without_origins_and_a_proxy_without_trust_are_reported(tmp_path: Path, site_db: str) -> None:
    from tests.fixtures.app import ORIGIN, run_cli

    run_cli(site_db, "site", "origin", "blog", "--remove", ORIGIN)
    code, lines = doctor(
        tmp_path, f'[database]\nurl = "{site_db}"\n\n[server]\npublic_url = "https://comments.example"\n'
    )
    assert code == 1, lines
    assert lines[2] == (
        "FAIL  site blog: no allowed origin: no page can post to it; "
        "`rejoinder site origin blog --add https://…`"
    )
    assert lines[4].startswith("warn  proxy: public_url is https but the server listens on loopback")


def test_a_config_that_does_not_load_fails(tmp_path: Path) -> None:
    code, lines = doctor(tmp_path, "[server]\nport = -1\n")
    assert code == 1, lines
    assert lines[0].startswith("FAIL  config: ")
    assert lines[-1] == "1 failed, 0 warning(s), 0 ok"
