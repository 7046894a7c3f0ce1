"""The `rejoinder` command through click's CliRunner (and one real process for `serve`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rejoinder import __version__
from rejoinder.cli import main
from tests.fixtures.app import ORIGIN, new_client, post_comment

SECRET = "s3cret-key-that-must-never-be-printed-0123456789"


def cli(*args: str, env: dict[str, str | None] | None = None, **kwargs: Any) -> Result:
    """Run the CLI with no REJOINDER_* from the outer environment; REJOINDER_CONFIG is restored afterwards
    (`-c` sets it for worker processes)."""
    clean: dict[str, str | None] = {k: None for k in os.environ if k.startswith("REJOINDER_")}
    clean["REJOINDER_CONFIG"] = None
    clean.update(env or {})
    return CliRunner().invoke(main, list(args), env=clean, **kwargs)


def db_env(db_url: str) -> dict[str, str | None]:
    return {"REJOINDER_DATABASE__URL": db_url}


def test_version_names_the_build() -> None:
    """From a checkout, the commit it runs from; a packager's BUILD file wins (build_info.py)."""
    result = cli("--version")
    assert result.exit_code == 0
    commit = subprocess.run(
        ["git", "log", "-1", "--format=%h"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    assert result.output.startswith(f"rejoinder {__version__} (commit {commit}"), result.output


def test_a_build_file_names_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rejoinder import build_info

    monkeypatch.setattr(build_info, "HERE", tmp_path)  # a wheel's package folder: no git there
    assert build_info.describe() == __version__
    (tmp_path / "BUILD").write_text("v0.1.0-12-g7c14d9f\n")
    assert build_info.describe() == f"{__version__} (build v0.1.0-12-g7c14d9f)"


def test_help_lists_the_commands() -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("serve", "init", "migrate", "config", "site"):
        assert command in result.output


def test_init_writes_a_config_with_a_secret_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "rejoinder.toml"
    result = cli("init", "--path", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text()
    parsed = tomllib.loads(text)
    secret = parsed["security"]["secret_key"]
    assert len(secret) >= 32
    assert text.count("\n# ") >= 10  # commented
    assert oct(target.stat().st_mode & 0o777) == "0o600"  # the secret is not world-readable
    # The written file is a valid configuration as it stands.
    shown = cli("-c", str(target), "config", "show")
    assert shown.exit_code == 0, shown.output
    refused = cli("init", "--path", str(target))
    assert refused.exit_code != 0
    assert "exists" in refused.output and "--force" in refused.output
    assert tomllib.loads(target.read_text())["security"]["secret_key"] == secret  # untouched
    target.chmod(0o644)
    forced = cli("init", "--path", str(target), "--force")
    assert forced.exit_code == 0
    assert oct(target.stat().st_mode & 0o777) == "0o600"  # a new file: the old mode does not carry over
    assert tomllib.loads(target.read_text())["security"]["secret_key"] != secret  # a fresh one each time


def test_init_defaults_to_rejoinder_toml_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rejoinder.toml").is_file()
    # ./rejoinder.toml is then read without -c.
    (tmp_path / "rejoinder.toml").write_text("[server]\nport = 9123\n")
    assert json.loads(cli("config", "show").output)["server"]["port"] == 9123


def test_config_example_is_commented_and_loads() -> None:
    result = cli("config", "example")
    assert result.exit_code == 0
    parsed = tomllib.loads(result.output)
    assert {"server", "database", "security", "comments", "cache", "redis"} <= set(parsed)
    assert parsed["comments"]["edit_window_seconds"] == 900
    lines = result.output.splitlines()
    settings = [i for i, line in enumerate(lines) if "=" in line and not line.startswith("#")]
    assert all(lines[i - 1].startswith("#") for i in settings)  # each setting has its help above it


def test_config_show_redacts_secrets(tmp_path: Path) -> None:
    config_file = tmp_path / "rejoinder.toml"
    config_file.write_text(f'[security]\nsecret_key = "{SECRET}"\n[comments]\nmax_text_length = 500\n')
    result = cli(
        "-c",
        str(config_file),
        "config",
        "show",
        env={
            "REJOINDER_DATABASE__URL": "postgresql://rejoinder:db-password@db.example/rejoinder",
            "REJOINDER_REDIS__URL": "redis://:redis-password@cache.example:6379/0",
            "REJOINDER_SERVER__PORT": "9000",
        },
    )
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "db-password" not in result.output and "redis-password" not in result.output
    shown = json.loads(result.output)
    assert shown["security"]["secret_key"] == "***"
    assert shown["comments"]["max_text_length"] == 500  # from the file
    assert shown["server"]["port"] == 9000  # from the environment
    assert shown["database"]["url"].startswith("postgresql://rejoinder:")
    assert "db.example/rejoinder" in shown["database"]["url"]


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("REJOINDER_SERVER__PROT", "8080", "server.prot"),
        ("REJOINDER_COMMENTS__MAX_TEXT", "5", "comments.max_text"),
        ("REJOINDER_NOPE__PORT", "1", "REJOINDER_NOPE__PORT"),
        ("REJOINDER_SERVER__PORT", "eighty", "server.port"),
        ("REJOINDER_SERVER__PORT", "70000", "server.port"),
        ("REJOINDER_DATABASE__AUTO_MIGRATE", "maybe", "database.auto_migrate"),
        ("REJOINDER_SERVER__SERVER", "gunicorn", "server.server"),
        ("REJOINDER_DATABASE__URL", "mysql://x", "database.url"),
    ],
)
def test_bad_setting_in_the_environment_stops_with_its_name(variable: str, value: str, named: str) -> None:
    result = cli("config", "show", env={variable: value})
    assert result.exit_code != 0
    assert named in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[server]\nprot = 8080\n", "server.prot"),
        ("[comments]\nedit_window = 60\n", "comments.edit_window"),
        ("[servre]\nport = 8080\n", "servre"),
        ("[server]\nport = 'http'\n", "server.port"),
        ("[cache]\nmax_entries = -1\n", "cache.max_entries"),
        ("[server\nport = 1\n", "not valid TOML"),
    ],
)
def test_bad_setting_in_the_config_file_stops_with_its_name(tmp_path: Path, toml: str, named: str) -> None:
    config_file = tmp_path / "rejoinder.toml"
    config_file.write_text(toml)
    result = cli("-c", str(config_file), "config", "show")
    assert result.exit_code != 0
    assert named in result.output, result.output
    assert "Traceback" not in result.output


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    result = cli("-c", str(tmp_path / "absent.toml"), "config", "show")
    assert result.exit_code != 0
    assert "absent.toml" in result.output


def test_serve_with_a_bad_setting_exits_non_zero_naming_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    env["REJOINDER_SERVER__WROKERS"] = "2"
    proc = subprocess.run(
        [sys.executable, "-m", "rejoinder", "serve", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "server.wrokers" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "rejoinder.db").exists()  # stopped before touching any database
    result = cli("serve", "--workers", "0", env={"REJOINDER_DATABASE__URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.exit_code != 0
    assert "workers" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "comments.example.org"])
def test_serve_on_a_public_address_needs_the_public_url(tmp_path: Path, host: str) -> None:
    """Links and the check of rejoinder's own pages come from server.public_url, never from the Host header:
    a server other machines reach refuses to start without it (loopback binds, as behind a proxy on the
    same machine and in `rejoinder demo`, make paths instead)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    # A database in a directory that does not exist: had the check not stopped it, the server would fail
    # there (with a traceback) rather than listen on a public address of a shared machine.
    env["REJOINDER_DATABASE__URL"] = f"sqlite:///{tmp_path}/absent/rejoinder.db"
    proc = subprocess.run(
        [sys.executable, "-m", "rejoinder", "serve", "--host", host, "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "missing setting server.public_url" in proc.stderr and host in proc.stderr
    assert "REJOINDER_SERVER__PUBLIC_URL" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "rejoinder.db").exists()  # stopped before touching any database


@pytest.mark.parametrize(
    "value", ["comments.example.org", "ftp://comments.example.org", "https://x.example/?a=1"]
)
def test_a_public_url_that_is_not_a_base_address_is_refused(value: str) -> None:
    result = cli("config", "show", env={"REJOINDER_SERVER__PUBLIC_URL": value})
    assert result.exit_code != 0 and "server.public_url" in result.output


def test_migrate(sqlite_url: str) -> None:
    result = cli("migrate", env=db_env(sqlite_url))
    assert result.exit_code == 0, result.output
    again = cli("migrate", env=db_env(sqlite_url))  # idempotent
    assert again.exit_code == 0, again.output


def test_site_add_list_origin_remove(db_url: str) -> None:
    env = db_env(db_url)
    added = cli("site", "add", "blog", "--origin", "HTTPS://Blog.Example:443/", env=env)
    assert added.exit_code == 0, added.output
    assert "https://blog.example" in added.output
    added = cli(
        "site",
        "add",
        "news",
        "--origin",
        "https://news.example",
        "--origin",
        "http://localhost:8000",
        env=env,
    )
    assert added.exit_code == 0, added.output
    listed = cli("site", "list", env=env)
    assert listed.exit_code == 0
    rows = {line.split("\t")[0]: line.split("\t")[1].split() for line in listed.output.splitlines() if line}
    assert rows == {
        "blog": ["https://blog.example"],
        "news": ["http://localhost:8000", "https://news.example"],
    }
    duplicate = cli("site", "add", "blog", "--origin", "https://other.example", env=env)
    assert duplicate.exit_code != 0 and "blog" in duplicate.output and "exists" in duplicate.output
    bad_name = cli("site", "add", "Bad Name!", "--origin", "https://x.example", env=env)
    assert bad_name.exit_code != 0 and "site name" in bad_name.output.lower()
    bad_origin = cli("site", "add", "x", "--origin", "ftp://x.example", env=env)
    assert bad_origin.exit_code != 0 and "http" in bad_origin.output
    with_path = cli("site", "add", "y", "--origin", "https://x.example/blog", env=env)
    assert with_path.exit_code != 0 and "origin" in with_path.output
    changed = cli("site", "origin", "blog", "--add", "https://www.blog.example", "--remove", ORIGIN, env=env)
    assert changed.exit_code == 0, changed.output
    assert "https://www.blog.example" in changed.output and "https://blog.example," not in changed.output
    unknown = cli("site", "origin", "nope", "--add", "https://x.example", env=env)
    assert unknown.exit_code != 0 and "nope" in unknown.output
    # The running app follows: the new origin is allowed, the removed one is not.
    with new_client(db_url) as client:
        made = client.post(
            "/api/comments",
            json={"url": "https://www.blog.example/p", "text": "Hi", "author": {"name": "A"}},
            headers={"Origin": "https://www.blog.example"},
        )
        assert made.status_code == 201, made.text
        refused = client.post(
            "/api/comments", json={"url": "https://blog.example/p", "text": "Hi", "author": {"name": "A"}}
        )
        assert refused.status_code == 403
    not_confirmed = cli("site", "remove", "blog", env=env, input="n\n")
    assert not_confirmed.exit_code != 0
    assert "blog" in cli("site", "list", env=env).output
    removed = cli("site", "remove", "blog", "--yes", env=env)
    assert removed.exit_code == 0, removed.output
    assert cli("site", "list", env=env).output.split("\t")[0] == "news"
    missing = cli("site", "remove", "blog", "--yes", env=env)
    assert missing.exit_code != 0 and "blog" in missing.output


def test_removing_a_site_removes_its_discussions(site_db: str) -> None:
    with new_client(site_db) as client:
        post_comment(client, "Soon gone")
    assert cli("site", "remove", "blog", "--yes", env=db_env(site_db)).exit_code == 0
    assert cli("site", "add", "blog", "--origin", ORIGIN, env=db_env(site_db)).exit_code == 0
    with new_client(site_db) as client:
        view = client.get("/api/threads", params={"url": ORIGIN + "/2026/11/a-post"}).json()
        assert view["comments"] == [] and view["thread"]["count"] == 0


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [("serve",), ("site", "list"), ("migrate",)])
def test_an_unreachable_database_is_one_line_without_the_password(command: tuple[str, ...]) -> None:
    url = f"postgresql://rejoinder:pa55word@127.0.0.1:{_closed_port()}/comments"
    result = cli(*command, env={"REJOINDER_DATABASE__URL": url})
    assert result.exit_code == 1
    port = url.split(":")[-1].split("/")[0]
    assert result.output.startswith(
        f"Error: cannot open the database postgresql://rejoinder:***@127.0.0.1:{port}/"
    )
    assert result.output.count("\n") == 1, result.output
    assert "pa55word" not in result.output
