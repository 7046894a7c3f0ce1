"""Running `rejoinder serve` under Granian (the default) or uvicorn, with a stop that is bounded in every phase.

Not here: building the app (app.py) or reading settings (config/).

A stop signal (SIGTERM or Ctrl-C) to the main process asks every worker to stop gracefully; a worker still
running `server.stop_timeout` seconds later is killed, and a second signal kills them all at once. See the
"Stopping" section of docs/install.md.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import signal
from types import FrameType
from typing import Any

log = logging.getLogger("rejoinder")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# Set by `_on_stop_signal` in whichever process runs it. A Granian worker is forked from the main process
# and inherits its Python signal handlers: until the worker installs its own (after its app is built, which
# takes seconds), a stop signal reaches the handler of the main process, running in the worker. Granian's
# own handler only sets a flag on the worker's copy of the main process's state, so the signal was lost,
# and the main process waited for that worker forever (#10). Ours records it, and the worker acts on it.
_stop_requested = False


def load_worker_app(target: str) -> Any:
    """Build the app in a Granian worker (`target` is "module:factory").

    The first thing a worker does: give SIGTERM and SIGINT their default action again, so a stop signal
    that arrives while the app is being built ends the worker at once (nothing is open yet), and quit if
    one already arrived since the fork. Granian installs the worker's graceful handlers once the app is
    built; from then on a signal lets the lifespan shutdown run.
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    if _stop_requested:
        raise SystemExit(0)
    module, _, name = target.partition(":")
    app = getattr(importlib.import_module(module), name)()
    # Everything built so far (modules, routes, settings: ~200,000 objects) lives as long as the worker:
    # moved out of the collector's reach, a full collection walks only what requests create. Under load
    # that was ~30 % of an uncached thread read's CPU (bench/README.md, "Why targets are missed").
    gc.collect()
    gc.freeze()
    return app


# Requests a Granian worker serves at once besides its live streams (which are requests that stay open).
REQUESTS_PER_WORKER = 512


def serve_granian(
    factory: str, *, host: str, port: int, workers: int, stop_timeout: int, streams: int = 0
) -> None:
    """Serve the ASGI app built by `factory` with Granian until a stop signal; returns when every worker
    has exited (at most `stop_timeout` seconds after the first signal, at once after a second one).
    `streams`: the live streams one worker may hold (live.max_streams), on top of its ordinary requests."""
    from granian import Granian
    from granian.constants import Interfaces

    server = Granian(
        factory,
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        log_access=False,  # rejoinder writes its own access log (web/access.py)
        # Granian's own lines go through the root logger, so they look like rejoinder's (logs.py).
        log_dictconfig={
            "loggers": {
                "_granian": {"level": "INFO", "propagate": True},
                "granian.access": {"level": "WARNING", "propagate": True},
            }
        },
        # Granian waits this long for each worker to stop after asking it to, then kills it. Without it, the
        # main process waits as long as a worker takes: forever for one that never saw the signal.
        workers_kill_timeout=stop_timeout,
        # Granian serves at most `backpressure` requests at once per worker (by default 1024 / workers), and
        # an open live stream is one of them: without room for the streams, 512 readers following a thread
        # on one worker would leave no room for anyone else's request (and stream 513 would wait).
        backpressure=streams + REQUESTS_PER_WORKER,
        backlog=2048,  # connections waiting to be accepted: a thousand readers reconnecting at once
    )

    main_pid = os.getpid()

    def on_stop_signal(signum: int, frame: FrameType | None) -> None:
        global _stop_requested
        again = _stop_requested
        _stop_requested = True
        if os.getpid() != main_pid:
            return  # a worker that has not installed its own handlers yet: load_worker_app quits
        if again:
            log.warning("[rejoinder] second stop signal: killing the workers")
            for worker in list(server.wrks):
                worker.kill()  # type: ignore[no-untyped-call]
        server.signal_handler_interrupt(signum, frame)  # type: ignore[no-untyped-call]

    def install_handlers() -> None:
        # Called by Granian after it installs its own handlers and before it forks the workers, so that
        # every worker inherits this one (see `_stop_requested`).
        for sig in STOP_SIGNALS:
            signal.signal(sig, on_stop_signal)

    server.on_startup(install_handlers)
    server.serve(target_loader=load_worker_app)


def serve_uvicorn(
    factory: str, *, host: str, port: int, workers: int, stop_timeout: int, streams: int = 0
) -> None:
    """Serve with uvicorn: open connections get `stop_timeout` seconds to finish after a stop signal.
    `streams` is unused: uvicorn sets no limit on concurrent requests."""
    import uvicorn

    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        log_config=None,  # uvicorn's own lines go through rejoinder's handler (logs.py)
        access_log=False,  # rejoinder writes its own (web/access.py)
        timeout_graceful_shutdown=stop_timeout,
    )
