"""Processes the benchmark starts: free ports, start/stop, readiness, and CPU time of a process tree.

CPU is read from /proc/<pid>/stat (utime + stime, in clock ticks) for the server's process and every
descendant (granian, gunicorn and nginx all fork workers), so it counts the whole server and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, utime + stime ticks) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2 :].split()  # fields after "(comm)": state is rest[0]
    return int(rest[1]), int(rest[11]) + int(rest[12])


def tree_pids(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None:
                parents[int(entry)] = st[0]
    found = [root]
    frontier = [root]
    while frontier:
        nxt = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += nxt
        frontier = nxt
    return found


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by the live processes of the tree rooted at `root`."""
    total = 0
    for pid in tree_pids(root):
        st = _stat(pid)
        if st is not None:
            total += st[1]
    return total / TICK


def wait_idle(root: int, *, threshold: float = 0.03, window: float = 0.5, limit: float = 120.0) -> float:
    """Wait until the tree uses less than `threshold` of a core over `window` s; returns seconds waited."""
    start = time.monotonic()
    last = tree_cpu_seconds(root)
    while time.monotonic() - start < limit:
        time.sleep(window)
        now = tree_cpu_seconds(root)
        if now - last < threshold * window:
            break
        last = now
    return time.monotonic() - start


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    base: str = ""  # http://127.0.0.1:PORT once it listens

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, n: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the process group (the server and its workers), SIGKILL if it lingers."""
        if self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


@dataclass
class Procs:
    """Everything started in this run; stop_all() in a finally block stops what is still running."""

    log_dir: Path
    nice: int = 0  # scheduling priority for each started process group (see set_priority)
    running: list[Proc] = field(default_factory=list)

    def start(
        self, name: str, argv: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> Proc:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as fh:
            popen = subprocess.Popen(
                list(argv),
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
                start_new_session=True,  # its own process group: stop() reaches the workers too
            )
        proc = Proc(name, popen, log)
        self.running.append(proc)
        if self.nice:
            set_priority(popen.pid, self.nice)
        return proc

    def stop(self, proc: Proc) -> None:
        proc.stop()
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)


def set_priority(pid: int, nice: int) -> None:
    """Give a process's session `nice`. With autogroup scheduling (Linux's default for desktop-like
    setups, on here) CPU is shared fairly between sessions first, so a plain nice value only ranks
    processes inside their own session: the session's autogroup nice is what competes with other work."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def wait_http(url: str, proc: Proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{proc.name} did not answer {url} within {timeout:.0f}s:\n{proc.tail()}")


@contextlib.contextmanager
def stopping(procs: Procs, proc: Proc) -> Iterator[Proc]:
    try:
        yield proc
    finally:
        procs.stop(proc)
