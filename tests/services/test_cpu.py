"""services/cpu.py: the CPU-heavy steps of a write (rendering, the moderation pipeline's local checks and
classifier) run beside the event loop, so a worker answers reads while a long comment is being processed.

Checked without timing anything: the app is given a pool whose steps wait for the test's go-ahead; while a
POST's step is held, a GET must still be answered (had the step run on the event loop, the loop would be
stuck in it and the GET with it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.services.cpu import CpuPool
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings

T = TypeVar("T")


class HeldPool(CpuPool):
    """A CpuPool whose steps wait for `go`; records each step's name, its thread and the event loop's."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()
        self.started = threading.Event()
        self.ran: list[tuple[str, int, int]] = []

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        loop_thread = threading.get_ident()

        def held(*inner: Any) -> T:
            self.ran.append((fn.__qualname__, threading.get_ident(), loop_thread))
            self.started.set()
            assert self.go.wait(timeout=60), "the test never let the step go"
            return fn(*inner)

        return await super().run(held, *args)


def test_reads_are_answered_while_a_write_is_rendered_and_checked(site_db: str) -> None:
    pool = HeldPool()
    settings = make_settings(site_db, classifier=True, database={"auto_migrate": False})
    body = {"url": ARTICLE, "author": {"name": "Ann"}}
    with TestClient(app=create_app(settings, cpu=pool), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        pool.go.set()
        first = client.post(
            "/api/comments", json={**body, "text": "The *first* one"}, headers={"Origin": ORIGIN}
        )
        assert first.status_code == 201, first.text
        pool.go.clear()
        pool.started.clear()
        pool.ran.clear()

        answers: dict[str, Any] = {}

        def post() -> None:
            answers["post"] = client.post(
                "/api/comments",
                json={**body, "text": "A long **second** one " * 400},
                headers={"Origin": ORIGIN},
            )

        def read() -> None:
            answers["read"] = client.get("/api/threads", params={"url": ARTICLE})

        writer = threading.Thread(target=post)
        writer.start()
        assert pool.started.wait(timeout=60), "the write's CPU step did not go through the pool"
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=60)
        held_while_read = not pool.go.is_set()
        pool.go.set()  # let the write finish whatever happened
        writer.join(timeout=60)

        assert not reader.is_alive(), "a read waited for a write's CPU step: it ran on the event loop"
        assert held_while_read
        read_answer = answers["read"]
        assert read_answer.status_code == 200
        assert [c["html"] for c in read_answer.json()["comments"]] == ["<p>The <em>first</em> one</p>"]
        assert answers["post"].status_code == 201, answers["post"].text
        assert answers["post"].json()["html"].startswith("<p>A long <strong>second</strong> one")

    steps = {name for name, _, _ in pool.ran}
    assert {"render", "Pipeline.run_local"} <= steps, steps
    assert all(step_thread != loop_thread for _, step_thread, loop_thread in pool.ran)
