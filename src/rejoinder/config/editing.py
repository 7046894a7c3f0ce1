"""Changing keys of one section of an existing config file in place (`rejoinder user set-password`,
`rejoinder secret rotate`): the
file keeps its comments, order and mode; the result is checked to parse with the new values before it
replaces the old file (atomically). Not here: reading settings (loading.py)."""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

from rejoinder.errors import ConfigError

_TABLE = re.compile(r"^\s*\[")


def _header(section: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]\s*(#.*)?$")


def _key(key: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(key)}\s*=")


def with_keys(text: str, section: str, values: Mapping[str, str | list[str]]) -> str:
    """`text` with `values` (strings or lists of strings) set in the `[section]` table: existing keys replaced on their line,
    missing ones added under the header, the table added at the end when there is none."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if _header(section).match(line)), None)
    rendered = {key: f"{key} = {json.dumps(value)}" for key, value in values.items()}
    if header is None:
        lines += ["", f"[{section}]", *rendered.values()]
    else:
        end = next((i for i in range(header + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
        missing = dict(rendered)
        for i in range(header + 1, end):
            for key in list(missing):
                if _key(key).match(lines[i]):
                    lines[i] = missing.pop(key)
        lines[header + 1 : header + 1] = list(missing.values())
    result = "\n".join(lines) + "\n"
    try:
        parsed = tomllib.loads(result).get(section, {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"could not set {section}.* keys in the config file: {exc}") from None
    if any(parsed.get(key) != value for key, value in values.items()):
        raise ConfigError(
            f"could not set the {section} keys in the config file (is [{section}] written another way?)"
        )
    return result


def set_keys(path: Path, section: str, values: Mapping[str, str | list[str]]) -> None:
    """Write `values` into `[section]` of the TOML file at `path`, atomically, keeping its mode (600 for a
    file `rejoinder init` wrote)."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode & 0o777
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    result = with_keys(text, section, values)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(result)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
