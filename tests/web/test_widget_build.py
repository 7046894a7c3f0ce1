"""The committed build of the widget (src/rejoinder/static/widget) is what scripts/build-widget makes of
the sources today: built again into a temporary directory, every file has the same bytes. The build
needs the pinned tools (`scripts/bootstrap --with-test-deps` installs them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rejoinder.web.static import BUILT

ROOT = Path(__file__).resolve().parents[2]


def build(out: Path) -> dict[str, bytes]:
    done = subprocess.run(
        [str(ROOT / "scripts" / "build-widget"), str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (
        done.stderr + "\n(run scripts/bootstrap --with-test-deps for the build tools)"
    )
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_the_committed_build_is_not_stale(tmp_path: Path) -> None:
    fresh = build(tmp_path / "dist")
    committed = {path.name: path.read_bytes() for path in sorted(BUILT.iterdir())}
    assert sorted(fresh) == sorted(committed), "the widget's sources changed: run scripts/build-widget"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale in src/rejoinder/static/widget: {stale}; run scripts/build-widget and commit"


def test_the_build_is_deterministic(tmp_path: Path) -> None:
    assert build(tmp_path / "one") == build(tmp_path / "two")
