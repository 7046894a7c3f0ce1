"""config.load: defaults < TOML file < REJOINDER_* environment < CLI overrides, and every bad setting named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec
import pytest

from rejoinder import config
from rejoinder.config import Settings
from rejoinder.errors import ConfigError


@pytest.fixture(autouse=True)
def _no_config_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """load() reads ./rejoinder.toml when present: run each test in an empty directory."""
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_nothing() -> None:
    settings = config.load(env={})
    assert settings == Settings()
    assert settings.database.url.startswith("sqlite:///")
    assert settings.server.server == "granian"
    assert settings.comments.edit_window_seconds == 900
    assert settings.database.sqlite_synchronous.upper() in {"FULL", "NORMAL", "EXTRA"}


def test_precedence_defaults_file_env_overrides(tmp_path: Path) -> None:
    file = write(
        tmp_path / "r.toml",
        "[server]\nport = 9001\nhost = '0.0.0.0'\n[comments]\nmax_text_length = 100\n",
    )
    settings = config.load(
        file,
        env={"REJOINDER_SERVER__PORT": "9002", "REJOINDER_COMMENTS__MAX_NAME_LENGTH": "40"},
        overrides={"server": {"port": 9003}},
    )
    assert settings.server.port == 9003  # CLI flag over env over file
    assert settings.server.host == "0.0.0.0"  # file over default
    assert settings.comments.max_text_length == 100  # file
    assert settings.comments.max_name_length == 40  # env
    assert settings.comments.edit_window_seconds == 900  # default
    assert config.load(file, env={"REJOINDER_SERVER__PORT": "9002"}).server.port == 9002


def test_config_file_from_env_and_from_the_current_directory(tmp_path: Path) -> None:
    elsewhere = write(tmp_path / "elsewhere.toml", "[server]\nport = 9100\n")
    assert config.load(env={"REJOINDER_CONFIG": str(elsewhere)}).server.port == 9100
    write(tmp_path / "rejoinder.toml", "[server]\nport = 9200\n")
    assert config.load(env={}).server.port == 9200
    assert config.load(env={"REJOINDER_CONFIG": str(elsewhere)}).server.port == 9100


def test_environment_values_are_coerced() -> None:
    settings = config.load(
        env={
            "REJOINDER_DATABASE__AUTO_MIGRATE": "off",
            "REJOINDER_SERVER__WORKERS": "3",
            "REJOINDER_CACHE__GENERATION_FILE": "/tmp/x.gen",
            "REJOINDER_CONFIG_UNRELATED": "ignored",  # not SECTION__KEY: not a setting
            "OTHER": "ignored",
        }
    )
    assert settings.database.auto_migrate is False
    assert settings.server.workers == 3
    assert settings.cache.generation_file == "/tmp/x.gen"
    for truthy in ("1", "true", "YES", "On"):
        assert config.load(env={"REJOINDER_DATABASE__AUTO_MIGRATE": truthy}).database.auto_migrate is True


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"REJOINDER_SERVER__PROT": "1"}, "server.prot"),
        ({"REJOINDER_SERVRE__PORT": "1"}, "REJOINDER_SERVRE__PORT"),
        ({"REJOINDER_SERVER__PORT": "http"}, "server.port"),
        ({"REJOINDER_SERVER__PORT": "-1"}, "server.port"),
        ({"REJOINDER_SERVER__WORKERS": "0"}, "server.workers"),
        ({"REJOINDER_DATABASE__AUTO_MIGRATE": "sometimes"}, "database.auto_migrate"),
        ({"REJOINDER_SERVER__SERVER": "hypercorn"}, "server.server"),
        ({"REJOINDER_DATABASE__URL": "mysql://db/x"}, "database.url"),
        ({"REJOINDER_DATABASE__SQLITE_SYNCHRONOUS": "OFF"}, "database.sqlite_synchronous"),
        ({"REJOINDER_REDIS__URL": "http://cache.example"}, "redis.url"),
        ({"REJOINDER_SERVER__MAX_BODY_BYTES": "10"}, "server.max_body_bytes"),
    ],
)
def test_bad_environment_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(env=env)
    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[server]\nprot = 1\n", "server.prot"),
        ("[servre]\nport = 1\n", "servre"),
        ("top_level = 1\n", "top_level"),
        ("[server]\nport = '8080'\n", "server.port"),
        ("[comments]\nmax_text_length = 0\n", "comments.max_text_length"),
        ("[database]\nurl = 'oracle://x'\n", "database.url"),
        ("[comments]\ndrop_query_params = ['code', '*']\n", "comments.drop_query_params"),
        ("[comments]\ndrop_query_params = ['a*b']\n", "comments.drop_query_params"),
        ("[comments]\ndrop_query_params = 'code'\n", "comments.drop_query_params"),
    ],
)
def test_bad_file_setting_is_named(tmp_path: Path, toml: str, named: str) -> None:
    file = write(tmp_path / "bad.toml", toml)
    with pytest.raises(ConfigError) as caught:
        config.load(file, env={})
    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        (
            "[moderation]\nrepeat_action = 'nudge'\n",
            {},
            "invalid setting moderation.repeat_action: must be one of flag, hold, reject",
        ),
        (
            "[moderation]\nsuspect_action = 'reject'\n",
            {},
            "invalid setting moderation.suspect_action: must be one of flag, hold, nudge",
        ),
        (
            "",
            {"REJOINDER_MODERATION__EXTERNAL_FAILURE": "reject"},
            "invalid setting moderation.external_failure: must be one of pass, flag, hold",
        ),
        (
            "[moderation]\npremoderation = 'always'\n",
            {},
            "invalid setting moderation.premoderation: must be one of off, all, first, guests, links",
        ),
        (
            "[server]\nserver = 'hypercorn'\n",
            {},
            "invalid setting server.server: must be one of granian, uvicorn",
        ),
    ],
)
def test_a_closed_set_setting_lists_its_values(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    """Closed sets are enums (msgspec checks them); a bad value is named with the values it may take."""
    file = write(tmp_path / "bad.toml", toml)
    with pytest.raises(ConfigError) as caught:
        config.load(file, env=env)
    assert str(caught.value) == message


def test_closed_set_settings_load_as_enums(tmp_path: Path) -> None:
    file = write(tmp_path / "ok.toml", "[moderation]\nrepeat_action = 'hold'\nsuspect_action = 'nudge'\n")
    settings = config.load(file, env={"REJOINDER_MODERATION__EXTERNAL_FAILURE": "flag"})
    assert settings.moderation.repeat_action is config.RepeatAction.HOLD
    assert settings.moderation.suspect_action is config.SuspectAction.NUDGE
    assert settings.moderation.external_failure is config.FailureAction.FLAG
    assert settings.server.server is config.HttpServer.GRANIAN
    shown = config.redacted(settings)["moderation"]
    assert (shown["repeat_action"], shown["suspect_action"], shown["external_failure"]) == (
        "hold",
        "nudge",
        "flag",
    )


def test_unreadable_config_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "missing.toml", env={})
    broken = write(tmp_path / "broken.toml", "[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(broken, env={})


def test_settings_are_frozen() -> None:
    settings = config.load(env={})
    with pytest.raises(AttributeError):
        settings.server.port = 1  # type: ignore[misc]


def test_every_setting_has_help_and_an_env_name() -> None:
    rows = config.describe_settings()
    assert len(rows) == sum(len(msgspec.structs.fields(cls)) for cls in config.SECTIONS.values())
    for section, key, _default, help_text in rows:
        assert help_text, f"{section}.{key} has no help"
        assert section in config.SECTIONS


def test_example_config_lists_every_setting_and_loads_to_the_defaults(tmp_path: Path) -> None:
    text = config.example_toml()
    parsed = tomllib.loads(text)
    for section, key, _default, help_text in config.describe_settings():
        listed = key in parsed.get(section, {}) or f"[{section}.{key}." in text  # tables: [auth.providers.x]
        assert listed, f"{section}.{key} missing from the example"
        assert help_text in text
    file = write(tmp_path / "example.toml", text)
    assert config.load(file, env={}) == Settings()
    with_secret = tomllib.loads(config.example_toml(secret_key="k" * 43))
    assert with_secret["security"]["secret_key"] == "k" * 43


def test_redacted_hides_every_secret() -> None:
    settings = config.load(
        env={},
        overrides={
            "security": {"secret_key": "top-secret-key"},
            "database": {"url": "postgresql://app:pg-pass@db.example:5432/rejoinder"},
            "redis": {"url": "redis://:redis-pass@cache.example:6379/0"},
        },
    )
    shown = config.redacted(settings)
    text = repr(shown)
    for secret in ("top-secret-key", "pg-pass", "redis-pass"):
        assert secret not in text
    assert shown["security"]["secret_key"] == "***"
    assert shown["database"]["url"] == "postgresql://app:***@db.example:5432/rejoinder"
    assert "cache.example:6379/0" in shown["redis"]["url"]
    assert set(shown) == set(config.SECTIONS)
    # Nothing is redacted that is not set.
    assert config.redacted(config.load(env={}))["security"]["secret_key"] == ""
