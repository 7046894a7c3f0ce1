"""Email throughput of the notification sender (issue 13): N confirmed subscribers of one thread, one new
comment, and the time from its batch closing to the last email taken by an SMTP server on loopback
(aiosmtpd). The fan-out, the outbox deliveries (one per address) and the SMTP sends are the product's own;
the clock is moved by hand so that the batch minute is not waited for.

    .venv/bin/python bench/scenarios/mail.py --subscribers 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


class Clock:
    """The app's clock: real time plus what the benchmark skipped."""

    def __init__(self) -> None:
        self.skipped = 0

    def __call__(self) -> int:
        return time.time_ns() // 1000 + self.skipped


def run(subscribers: int, log: Any = print) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from aiosmtpd.controller import Controller
    from litestar.testing import TestClient
    from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, run_cli
    from tests.fixtures.servers import free_port

    from rejoinder.app import create_app
    from rejoinder.domain.subscriptions import DeliveryMode, SubscriptionKind
    from rejoinder.store import engine as store_engine
    from rejoinder.store import subscriptions as store
    from rejoinder.store import threads as thread_store

    received = 0
    done = threading.Event()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            nonlocal received
            received += 1
            if received >= subscribers:
                done.set()
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
        settings = make_settings(
            db_url,
            email={"host": "127.0.0.1", "port": port, "sender": "comments@bench.test", "starttls": False},
            server={"public_url": "http://bench.test"},
            moderation={"rate_limits": False, "min_seconds": 0, "repeat_window": 0},
        )
        clock = Clock()
        app = create_app(settings, clock=clock)
        try:
            with TestClient(app=app, base_url="http://bench.test") as client:
                ctx = app.ctx
                assert ctx is not None and app.dispatcher is not None

                def post(text: str) -> None:
                    answer = client.post(
                        "/api/comments",
                        json={"url": ARTICLE, "text": text, "author": {"name": "Ann"}},
                        headers={"Origin": ORIGIN},
                    )
                    assert answer.status_code == 201, answer.text

                post("The first comment")

                async def seed() -> None:
                    site = await ctx.sites.by_name("blog")
                    assert site is not None
                    async with store_engine.write(ctx.engine) as conn:
                        thread = await thread_store.select_thread(conn, site.id, uri=ARTICLE, key=None)
                        assert thread is not None
                        for n in range(subscribers):
                            address = await store.upsert_address(
                                conn,
                                site.id,
                                f"reader{n}@bench.test",
                                language="en",
                                confirmed=True,
                                now=ctx.clock(),
                            )
                            await store.upsert_subscription(
                                conn,
                                address,
                                SubscriptionKind.THREAD,
                                f"t:{thread.id}",
                                thread_id=thread.id,
                                comment_id=None,
                                mode=DeliveryMode.IMMEDIATE,
                                now=ctx.clock(),
                            )

                with client.portal() as portal:
                    portal.call(seed)
                    clock.skipped += 1_000_000
                    post("News for every subscriber")
                    started = time.perf_counter()
                    portal.call(app.dispatcher.settle)  # the fan-out: a notification and a delivery each
                    fanned = time.perf_counter() - started
                    clock.skipped += 61_000_000  # the batch minute has passed
                    started = time.perf_counter()
                    portal.call(lambda: app.dispatcher.settle(timeout=600))
                    done.wait(timeout=600)
                    sent = time.perf_counter() - started
        finally:
            controller.stop()
    result = {
        "subscribers": subscribers,
        "emails": received,
        "fan_out_s": round(fanned, 3),
        "send_s": round(sent, 3),
        "emails_per_s": round(received / sent, 1) if sent else None,
    }
    log(f"mail: {result}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=200)
    args = ap.parse_args()
    run(args.subscribers)


if __name__ == "__main__":
    main()
