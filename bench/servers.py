"""Install (when missing), configure and start the three servers: rejoinder, Isso (gunicorn) and nginx."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from corpus import ORIGIN
from procs import Proc, Procs, free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
VENV_BIN = ROOT / ".venv" / "bin"
ISSO_VENV = WORK / "isso-venv"
ISSO_PACKAGES = ("isso==0.14.0", "gunicorn")
APT_PACKAGES = {"wrk": "wrk", "nginx": "nginx-light"}
NGINX_BINARIES = ("/usr/sbin/nginx", "/usr/bin/nginx")


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def ensure_apt(extra: dict[str, str] | None = None) -> None:
    """Install missing Debian packages (wrk, nginx-light, and any `extra` {binary: package})."""
    wanted = {**APT_PACKAGES, **(extra or {})}
    missing = sorted({pkg for binary, pkg in wanted.items() if not _have(binary)})
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            f"bench: missing {' '.join(missing)}; run: sudo apt-get install -y {' '.join(missing)}"
        )
    log(f"apt-get install {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def _have(binary: str) -> bool:
    if binary == "nginx":
        return any(Path(p).exists() for p in NGINX_BINARIES) or shutil.which("nginx") is not None
    if binary.startswith("/"):
        return Path(binary).exists()
    return shutil.which(binary) is not None


def nginx_binary() -> str:
    return next((p for p in NGINX_BINARIES if Path(p).exists()), shutil.which("nginx") or "nginx")


def ensure_isso() -> dict[str, str]:
    """Isso and gunicorn in their own venv under bench/.work; returns their versions."""
    py = ISSO_VENV / "bin" / "python"
    if not (ISSO_VENV / "bin" / "gunicorn").exists():
        log("installing Isso and gunicorn into bench/.work/isso-venv")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(ISSO_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *ISSO_PACKAGES], check=True)
    out = subprocess.run(
        [
            str(py),
            "-c",
            "import importlib.metadata as m; print(m.version('isso'), m.version('gunicorn'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {"isso": out[0], "gunicorn": out[1]}


# Settings the benchmark changes from rejoinder's defaults, each only if this version of rejoinder has it.
# Serving: Isso's guard (rate limit) is off, so rejoinder's rate limits are off too; repeat-post detection
# is off because the write case posts one text many times (with a counter). The rest of the moderation
# pipeline runs as configured by default: it is part of what a write costs.
SERVE_SETTINGS = {
    ("moderation", "rate_limits"): "false",
    ("moderation", "repeat_window"): "0",
    ("moderation", "same_text_authors"): "0",
}
# Seeding is an import of an existing discussion: no moderation, so every seeded comment is public and
# both servers hold the same threads.
SEED_SETTINGS = {**SERVE_SETTINGS, ("moderation", "enabled"): "false"}


def settings_env(wanted: dict[tuple[str, str], str]) -> dict[str, str]:
    """REJOINDER_* variables for the `wanted` settings that exist in the installed rejoinder."""
    import msgspec

    from rejoinder import config

    env = {}
    for (section, key), value in wanted.items():
        cls = config.SECTIONS.get(section)
        if cls is not None and key in {f.name for f in msgspec.structs.fields(cls)}:
            env[f"REJOINDER_{section.upper()}__{key.upper()}"] = value
    return env


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REJOINDER_", "ISSO_"))}
    env.update(extra or {})
    return env


# --- rejoinder -------------------------------------------------------------------------------------


@dataclass
class Rejoinder:
    db_url: str
    work: Path

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [str(VENV_BIN / "rejoinder"), *args],
            env=clean_env({"REJOINDER_DATABASE__URL": self.db_url}),
            cwd=self.work,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"rejoinder {' '.join(args)} failed:\n{out.stdout}{out.stderr}")
        return out.stdout

    def start(self, procs: Procs, *, workers: int = 1, name: str, env: dict[str, str] | None = None) -> Proc:
        port = free_port()
        proc = procs.start(
            name,
            [
                str(VENV_BIN / "rejoinder"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=clean_env(
                {"REJOINDER_DATABASE__URL": self.db_url, **settings_env(SERVE_SETTINGS), **(env or {})}
            ),
            cwd=self.work,
        )
        proc.base = f"http://127.0.0.1:{port}"
        wait_http(proc.base + "/healthz", proc)
        return proc


# --- Isso ------------------------------------------------------------------------------------------

ISSO_CFG = """\
# Written by bench/servers.py for the benchmark. Everything not set here is Isso's default.
[general]
dbpath = {dbpath}
# the allowed origins: the articles' site and the page server of the widget benchmark
host =
    {origin}
    {page_origin}
notify = stdout
log-file = {logfile}

[moderation]
enabled = false

[server]
listen = http://127.0.0.1:{port}

[guard]
# Isso's spam guard allows 2 new comments per minute per client address, which would turn a write
# benchmark into a rate-limit test. Rejoinder has no such limit yet either.
enabled = false
"""


@dataclass
class Isso:
    work: Path
    port: int
    page_origin: str

    @property
    def cfg(self) -> Path:
        return self.work / "isso.cfg"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.cfg.write_text(
            ISSO_CFG.format(
                dbpath=self.work / "comments.db",
                origin=ORIGIN,
                page_origin=self.page_origin,
                port=self.port,
                logfile=self.work / "isso-app.log",
            ),
            encoding="utf-8",
        )

    def seed(self, corpus_json: Path) -> None:
        subprocess.run(
            [
                str(ISSO_VENV / "bin" / "python"),
                str(ROOT / "bench" / "seed_isso.py"),
                str(self.cfg),
                str(corpus_json),
            ],
            check=True,
            cwd=ROOT / "bench",
            env=clean_env(),
            stdout=subprocess.DEVNULL,
        )

    def start(self, procs: Procs, *, workers: int = 2) -> Proc:
        # Isso's documented production setup: gunicorn with --preload (the docs show -w 4; with 2 cores
        # -w 2 was the fastest here). --timeout 300: one read of the 10,000-comment thread takes ~20 s of
        # CPU, more under load, and gunicorn's default 30 s would kill the worker mid-request.
        proc = procs.start(
            "isso",
            [
                str(ISSO_VENV / "bin" / "gunicorn"),
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--preload",
                "--timeout",
                "300",
                "isso.run",
            ],
            env=clean_env({"ISSO_SETTINGS": str(self.cfg)}),
            cwd=self.work,
        )
        proc.base = self.base
        wait_http(self.base + "/info", proc)
        return proc


# --- nginx -----------------------------------------------------------------------------------------

NGINX_CONF = """\
# Written by bench/servers.py: static files for the benchmark, 2 workers (one per core), no access log.
{user}
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ application/json json; text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip off;
        gzip_static on;
        etag on;
    }}
}}
"""


@dataclass
class Nginx:
    work: Path
    port: int

    @property
    def root(self) -> Path:
        return self.work / "www"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self) -> Path:
        (self.work / "tmp").mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.work / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user="user root;" if os.geteuid() == 0 else "",
                prefix=self.work,
                port=self.port,
                root=self.root,
            ),
            encoding="utf-8",
        )
        return conf

    def start(self, procs: Procs) -> Proc:
        conf = self.configure()
        proc = procs.start(
            "nginx",
            [nginx_binary(), "-p", str(self.work), "-c", str(conf), "-g", "daemon off;"],
            cwd=self.work,
        )
        proc.base = self.base
        (self.root / "ready.txt").write_text("ok\n")
        wait_http(self.base + "/ready.txt", proc)
        return proc
