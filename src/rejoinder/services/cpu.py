"""Where the CPU-heavy steps of a write run: Markdown rendering, the text's hash, and the moderation pipeline's
local checks and classifier. Not here: anything that touches the database (SQLite's single writer and every
transaction stay on the event loop).

In the server they run in one thread beside the event loop (`CpuPool`), so that a burst of long comments does
not hold up the reads a worker is answering: the loop only waits for its turn at the GIL, a few milliseconds,
instead of for every write's rendering in turn (#10, measured in docs/benchmarks.md). Scripts and the CLI,
which have no readers to protect, run them inline (`INLINE`).

    html = await ctx.cpu.run(markdown.render, text)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# One thread: the steps are pure Python and hold the GIL, so a second thread would not finish them sooner;
# it would only take more turns at the GIL away from the event loop.
THREADS = 1


class Inline:
    """Runs each step at once, in the caller's thread."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return fn(*args)

    def close(self) -> None:
        pass


class CpuPool:
    """Runs each step in a bounded pool of threads (`THREADS`), in the order they were asked for."""

    def __init__(self, threads: int = THREADS) -> None:
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        if self._executor is None:  # started on first use, again after close() (an app restarted in tests)
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="rejoinder-cpu")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


INLINE = Inline()
