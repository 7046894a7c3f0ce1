"""Which build of rejoinder this is, for `rejoinder --version` and bug reports: the version (one place:
`rejoinder.__version__`), and the commit it was built from: from a `BUILD` file beside this module when a
packager wrote one (hatch_build.py writes it into every wheel and sdist), else from git when running from a
checkout, else nothing more."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rejoinder import __version__

HERE = Path(__file__).resolve().parent


def _git(*args: str) -> str:
    """What `git -C <this folder> ARGS` prints; raises OSError or SubprocessError when git is missing, fails
    or takes longer than 3 seconds."""
    return subprocess.run(
        ["git", "-C", str(HERE), *args], capture_output=True, text=True, timeout=3, check=True
    ).stdout


def _from_git() -> str | None:
    """The checkout's commit, when this module is a tracked file of it: an installed package inside some
    other git work tree (a virtual environment in a project folder) must not claim that tree's commit."""
    try:
        _git("ls-files", "--error-unmatch", "build_info.py")
        found = _git("log", "-1", "--format=%h %cs").split()
        dirty = _git("status", "--porcelain", "--untracked-files=no").strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) != 2:
        return None
    commit, date = found
    return f"commit {commit}{' with local changes' if dirty else ''}, {date}"


def describe() -> str:
    """`0.1.0 (commit 7c14d9f, 2026-12-07)`, `0.1.0 (build v0.1.0-12-g7c14d9f)` or just `0.1.0`."""
    build = HERE / "BUILD"
    if build.is_file():
        text = build.read_text(encoding="utf-8").strip().splitlines()
        if text and text[0].strip():
            return f"{__version__} (build {text[0].strip()[:80]})"
    found = _from_git()
    return f"{__version__} ({found})" if found else __version__
