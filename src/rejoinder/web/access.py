"""The access log and request ids, outermost in the app (app.py): each request gets an id (a trusted
proxy's `X-Request-Id` when it sends a sane one, else a new one) that every log line written while serving
it carries (logs.REQUEST_ID), and, when `server.access_log` is on, one `rejoinder.access` line once the
response has gone: method, path (never the query string: it may hold sign-in tokens), status, bytes,
milliseconds, and the client's network (its /24 or /56, as comments store it; never the whole address)."""

from __future__ import annotations

import functools
import itertools
import re
import secrets
import time
from typing import Any

from rejoinder import logs
from rejoinder.domain.identity import anonymize_ip
from rejoinder.logs import REQUEST_ID
from rejoinder.metrics import RequestRecorder
from rejoinder.ratelimit import TrustedProxies, client_address, parse_ip
from rejoinder.web.metrics import ROUTE, unrouted

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class AccessLog:
    """`recorder`: counts each request for /metrics (web/metrics.py) with the same timing and status as
    the log line, so that counting adds no second wrapper."""

    def __init__(self, app: Any, trusted: TrustedProxies, recorder: RequestRecorder | None = None) -> None:
        self.app = app
        self.trusted = trusted
        self.recorder = recorder
        # Request ids: this process's random prefix and a counter (unique across workers and restarts,
        # without a system call per request as a fresh random id would cost).
        self._prefix = secrets.token_hex(4)
        self._counter = itertools.count(1)

    def _request_id(self, scope: dict[str, Any]) -> str:
        client = scope.get("client")
        if client and self.trusted.networks and parse_ip(str(client[0])) in self.trusted:
            for key, value in scope["headers"]:
                if key == b"x-request-id":
                    given: str = value.decode("latin-1")
                    if _SANE_ID.match(given):
                        return given
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFF:08x}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        token = REQUEST_ID.set(request_id)
        sink = logs.ACCESS.sink
        recorder = self.recorder
        if sink is None and recorder is None:
            try:
                await self.app(scope, receive, send)
            finally:
                REQUEST_ID.reset(token)
            return
        started = time.perf_counter()
        status = 0
        sent = 0
        route: list[str] = []
        scope[ROUTE] = route  # filled by RouteTemplate, around Litestar, with the template that answered

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            REQUEST_ID.reset(token)
            seconds = time.perf_counter() - started
            if recorder is not None:
                recorder.record(
                    scope["method"], route[0] if route else unrouted(scope["path"]), status or 500, seconds
                )
            if sink is not None:
                self._write(sink, scope, status, sent, seconds, request_id)

    def _write(
        self, sink: Any, scope: dict[str, Any], status: int, sent: int, seconds: float, request_id: str
    ) -> None:
        client = scope.get("client")
        forwarded = tuple((k, v) for k, v in scope["headers"] if k in _WANTED)
        sink.write(
            method=scope["method"],
            path=scope.get("path", ""),
            status=status,
            sent=sent,
            ms=seconds * 1000,
            client=self._network(str(client[0]) if client else None, forwarded),
            request_id=request_id,
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one AccessLog per app, living as long as it)
    def _network(self, peer: str | None, forwarded: tuple[tuple[bytes, bytes], ...]) -> str:
        """The client's network as comments store it; parsing addresses is the costly part of a line, and
        a busy server sees the same few clients and proxies over and over."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in forwarded}
        return anonymize_ip(client_address(peer, headers, self.trusted)) or "-"


_WANTED = frozenset({b"forwarded", b"x-forwarded-for"})
