"""Hatch build hook: writes `rejoinder/BUILD` into the wheel and the sdist, naming the commit the package was
built from, so that `rejoinder --version` run from an installed wheel identifies its build
(src/rejoinder/build_info.py). A wheel built from an sdist keeps the sdist's BUILD file; outside a git checkout
and without one, nothing is written and `--version` shows the version alone."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
SHIPPED = ROOT / "src" / "rejoinder" / "BUILD"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def describe_checkout() -> str | None:
    """`7c14d9f, 2026-12-07` (with `, with local changes` when tracked files differ), or None."""
    found = (_git("log", "-1", "--format=%h %cs") or "").split()
    if len(found) != 2:
        return None
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return f"{found[0]}, {found[1]}{', with local changes' if dirty else ''}"


class BuildInfoHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return  # an editable install runs from the checkout, where build_info asks git itself
        text = SHIPPED.read_text(encoding="utf-8").strip() if SHIPPED.is_file() else describe_checkout()
        if not text:
            return
        out = Path(tempfile.mkdtemp(prefix="rejoinder-build-")) / "BUILD"
        out.write_text(text + "\n", encoding="utf-8")
        target = "rejoinder/BUILD" if self.target_name == "wheel" else "src/rejoinder/BUILD"
        build_data.setdefault("force_include", {})[str(out)] = target
