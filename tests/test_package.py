"""The installable package: `python -m build` makes an sdist and a wheel (the wheel built from the sdist, as
build does), both holding everything rejoinder needs at run time; the wheel, installed into a fresh virtual
environment outside the checkout, runs `rejoinder demo` and serves a comment round trip.

The fresh environment gets the wheel with `pip install --no-index` (nothing downloaded); its dependencies come
from the project's .venv through a path entry, and `pip check` proves the wheel's declared requirements are
all met there. The checkout itself is never importable from it (the editable install's .pth is not read)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rejoinder import __version__, demo
from tests.fixtures.servers import free_port, wait_until_responsive

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("REJOINDER_", "PYTHON", "VIRTUAL_ENV"))}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=240,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def tracked(*paths: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", *paths], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
    ).stdout
    return [p for p in listed.split("\0") if p and (ROOT / p).is_file()]


def commit() -> str:
    return subprocess.run(
        ["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def test_the_wheel_and_the_sdist_hold_everything(dist: Path) -> None:
    wheel = only(dist, f"rejoinder-{__version__}-py3-none-any.whl")
    sdist = only(dist, f"rejoinder-{__version__}.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = [p for p in tracked("src/rejoinder") if not p.startswith("src/rejoinder/widget/src/")]
    missing = [p for p in package if p.removeprefix("src/") not in names]
    assert not missing, f"the wheel lacks {missing[:20]}"
    # What a server needs at run time, by kind: the built widget, templates, migrations, the shipped model.
    for needed in (
        "rejoinder/static/widget/count.js",
        "rejoinder/templates/noscript/thread.html",
        "rejoinder/store/migrations/env.py",
        "rejoinder/store/migrations/script.py.mako",
    ):
        assert needed in names, needed
    assert any(n.startswith("rejoinder/static/widget/embed.") and n.endswith(".js") for n in names)
    assert any(n.startswith("rejoinder/store/migrations/versions/0001") for n in names)
    assert any(n.startswith("rejoinder/moderation/data/") for n in names)
    assert not [n for n in names if "/widget/src/" in n or n.startswith("tests/")]
    build = zipfile.ZipFile(wheel).read("rejoinder/BUILD").decode()
    assert build.startswith(commit() + ", "), build
    entry_points = zipfile.ZipFile(wheel).read(f"rejoinder-{__version__}.dist-info/entry_points.txt")
    assert b"rejoinder = rejoinder.cli:main" in entry_points

    # The sdist is the whole tracked tree (tests and docs included), plus the BUILD file.
    prefix = f"rejoinder-{__version__}/"
    with tarfile.open(sdist) as archive:
        in_sdist = {n.removeprefix(prefix) for n in archive.getnames()}
    missing = [p for p in tracked() if p not in in_sdist]
    assert not missing, f"the sdist lacks {missing[:20]}"
    assert "src/rejoinder/BUILD" in in_sdist


class Fresh:
    """A virtual environment of its own, outside the checkout, with the wheel installed."""

    def __init__(self, folder: Path, wheel: Path) -> None:
        self.folder = folder
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=60)
        self.python = folder / "bin" / "python"
        purelib = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        # The dependencies, from the project's environment: a path entry after the fresh site-packages.
        Path(purelib, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        self.pip(
            "install", "--no-index", "--no-deps", "--force-reinstall", "--no-compile", "--quiet", str(wheel)
        )
        self.purelib = Path(purelib)

    def pip(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.python), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=clean_env(),
            cwd=self.folder,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [str(self.folder / "bin" / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=60,
            env=clean_env(),
            cwd=self.folder,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@pytest.fixture
def fresh(dist: Path, tmp_path: Path) -> Fresh:
    return Fresh(tmp_path / "venv", only(dist, "*.whl"))


@pytest.fixture
def demo_from(fresh: Fresh, tmp_path: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                str(fresh.folder / "bin" / "rejoinder"),
                "demo",
                "--port",
                str(port),
                "--data",
                str(tmp_path / "d"),
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=clean_env(),
            cwd=tmp_path,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_responsive(base + "/livez", timeout=90, proc=proc)
        except Exception:
            raise AssertionError(log.read_text(errors="replace")[-3000:]) from None
        yield base, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def test_the_installed_wheel_runs_the_demo(fresh: Fresh, demo_from: tuple[str, int]) -> None:
    # It is the wheel that runs, not the checkout; every declared dependency is met.
    where = fresh.run("python", "-c", "import rejoinder, sys; print(rejoinder.__file__)").strip()
    assert Path(where).is_relative_to(fresh.purelib), where
    assert not Path(where).is_relative_to(ROOT)
    fresh.pip("check")
    build = (fresh.purelib / "rejoinder" / "BUILD").read_text().strip()
    assert build.startswith(commit() + ", ")
    assert fresh.run("rejoinder", "--version").strip() == f"rejoinder {__version__} (build {build})"

    base, port = demo_from
    page = httpx.get(base + "/demo/", timeout=10)
    assert page.status_code == 200 and "embed.js" in page.text
    assert httpx.get(base + "/count.js", timeout=10).status_code == 200
    article = demo.article_url(port)
    posted = httpx.post(
        base + "/api/comments",
        json={"url": article, "text": "Installed from the wheel", "author": {"name": "Whee"}},
        headers={"Origin": f"http://127.0.0.1:{port}"},
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    thread = httpx.get(base + "/api/threads", params={"url": article}, timeout=10)
    assert thread.status_code == 200
    mine = [c for c in thread.json()["comments"] if c["id"] == posted.json()["id"]]
    assert [(c["text"], c["author"]["name"]) for c in mine] == [("Installed from the wheel", "Whee")]
    noscript = httpx.get(base + "/thread", params={"url": article}, timeout=10)
    assert noscript.status_code == 200 and "Installed from the wheel" in noscript.text
