"""Log lines of a real server: timestamps, levels, request ids, the access log (no query strings, client
networks only), admin sign-ins, text and JSON formats, and the log level setting."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.admin import PASSWORD, csrf_of, password_hash
from tests.fixtures.app import ARTICLE, ORIGIN

TOKEN = "secret-sign-in-token-0123456789"


def _lines(log: Path, until: Any, timeout: float = 10.0) -> list[str]:
    """The server's log lines once `until(lines)` holds (the access line is written after the response)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = log.read_text(errors="replace").splitlines()
        if until(lines):
            return lines
        assert time.monotonic() < deadline, "\n".join(lines[-30:])
        time.sleep(0.05)


def _sign_in(base: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base, headers={"Accept": "text/html"}) as http:
        page = http.get("/admin/login")
        return http.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "username": "root", "password": password, "next": "/admin"},
            headers={"Origin": base},
        )


def test_json_lines_with_request_ids_and_no_secrets(site_db: str, server_factory: Any) -> None:
    env = {
        "REJOINDER_SERVER__LOG_FORMAT": "json",
        "REJOINDER_ADMIN__USERNAME": "root",
        "REJOINDER_ADMIN__PASSWORD_HASH": password_hash(),
    }
    server = server_factory(site_db, env=env)
    read = httpx.get(server.url + "/api/threads", params={"url": ARTICLE, "token": TOKEN})
    assert read.status_code == 200
    refused = _sign_in(server.url, "not the password at all")
    assert refused.status_code == 401
    assert _sign_in(server.url, PASSWORD).status_code == 303

    def done(lines: list[str]) -> bool:  # access lines are written in batches, within a second
        signed = sum('"admin-sign-in"' in line for line in lines)
        return signed == 2 and sum("POST /admin/login" in line for line in lines) == 2

    lines = _lines(server.log, done)
    records = [json.loads(line) for line in lines if line.startswith("{")]
    access = [r for r in records if r["logger"] == "rejoinder.access"]
    [thread_read] = [r for r in access if r["path"] == "/api/threads"]
    assert thread_read["method"] == "GET" and thread_read["status"] == 200 and thread_read["bytes"] > 0
    assert thread_read["client"] == "127.0.0.0/24"  # the network, as comments store it
    assert re.fullmatch(r"[0-9a-f]{16}", thread_read["request_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", thread_read["time"])
    assert thread_read["level"] == "info"
    ids = [r["request_id"] for r in access]
    assert len(set(ids)) == len(ids)  # one id per request
    sign_ins = [r for r in records if r.get("event") == "admin-sign-in"]
    assert [r["level"] for r in sign_ins] == ["warning", "info"]
    assert "'root'" in sign_ins[0]["message"] and "127.0.0.0/24" in sign_ins[0]["message"]
    # Each sign-in line carries the id of the request it was written in, as its access line does.
    login_posts = [r for r in access if r["path"] == "/admin/login" and r["method"] == "POST"]
    assert [r["request_id"] for r in sign_ins] == [r["request_id"] for r in login_posts]
    whole = server.log.read_text()
    for secret in (TOKEN, PASSWORD, "not the password at all"):
        assert secret not in whole, secret
    for record in [*access, *sign_ins]:
        assert "127.0.0.1" not in json.dumps(record), record  # the client's network, never its address


def test_text_lines_are_timestamped_and_the_level_is_honoured(site_db: str, server_factory: Any) -> None:
    fast = {"REJOINDER_MODERATION__MIN_SECONDS": "0"}  # the minimum form age: no form here
    quiet = server_factory(site_db, env={**fast, "REJOINDER_SERVER__LOG_LEVEL": "warning"})
    noisy = server_factory(site_db, env=fast)
    for server, text in ((quiet, "Not logged"), (noisy, "Logged")):
        posted = httpx.post(
            server.url + "/api/comments",
            json={"url": ARTICLE, "text": text, "author": {"name": "Ann"}},
            headers={"Origin": ORIGIN},
        )
        assert posted.status_code == 201, posted.text
    lines = _lines(noisy.log, lambda ls: any("POST /api/comments 201" in line for line in ls))
    [line] = [line for line in lines if "POST /api/comments 201" in line]
    assert re.match(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO rejoinder\.access req=[0-9a-f]{16} "
        r"POST /api/comments 201 \d+B [\d.]+ms client=127\.0\.0\.0/24$",
        line,
    ), line
    # The quiet server answered too (its access line would have been written before the noisy one's).
    assert "rejoinder.access" not in quiet.log.read_text()
