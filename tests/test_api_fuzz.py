"""Property-based requests generated from our own OpenAPI document (schemathesis) against a real
`rejoinder serve` process: examples, coverage, fuzzing and the stateful phase (the document's links from a
posted comment and from an SSO session). Whatever the input, the answer is never a server error, its
Content-Type is one the document gives for its status (errors: application/problem+json), and its body
matches the documented schema. tests/fuzz_hooks.py makes part of the requests reach past the first checks.

On each database, 2,000-3,000 cases (the stateful phase's count depends on the answers). Measured on SQLite:
40 s of CPU in all (pytest, schemathesis and the server), so about that long on a quiet 2-core machine;
135-210 s of wall time on the shared machine under a load of 15-20. REJOINDER_FUZZ_SEED picks another seed
to explore; REJOINDER_FUZZ_EXAMPLES (default 50 per operation and phase, four times that for stateful
scenarios) raises the count."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest

from rejoinder import config
from tests.fixtures.app import run_cli

HOOKS = Path(__file__).with_name("fuzz_hooks.py")
ORIGIN = "http://127.0.0.1"
SSO_SECRET = "fuzzing-publisher-secret-0123456789-abcdefghij"
CHECKS = "not_a_server_error,content_type_conformance,response_schema_conformance"
MIN_CASES = 2000


def generous_limits() -> dict[str, str]:
    """Every rate limit of the configuration, whatever its name, set far above what the run sends."""
    env = {}
    for section, cls in config.SECTIONS.items():
        for field in msgspec.structs.fields(cls):
            if "limit" in field.name and isinstance(field.default, str):
                env[f"REJOINDER_{section.upper()}__{field.name.upper()}"] = "1000000/minute"
    return env


@pytest.mark.timeout(900)  # 135-210 s measured under a load of 15-20; the default 300 s is too close
def test_generated_requests_get_documented_answers(db_url: str, server_factory: Any, tmp_path: Path) -> None:
    run_cli(db_url, "site", "add", "fuzz", "--origin", ORIGIN)
    (tmp_path / "rejoinder.toml").write_text(
        '[auth.providers.press]\npreset = "sso"\nlabel = "Press"\n'
        '[[auth.providers.press.keys]]\nkid = "k1"\nsecret_env = "REJOINDER_FUZZ_SSO_SECRET"\n'
    )
    server = server_factory(
        db_url,
        env={
            **generous_limits(),
            "REJOINDER_CONFIG": str(tmp_path / "rejoinder.toml"),
            "REJOINDER_FUZZ_SSO_SECRET": SSO_SECRET,
            "REJOINDER_MODERATION__MIN_SECONDS": "0",
        },
    )
    # Per phase: the stateful phase gets more scenarios than the default so that it follows most links.
    examples = int(os.environ.get("REJOINDER_FUZZ_EXAMPLES", "50"))
    (tmp_path / "schemathesis.toml").write_text(
        f'[generation]\nmax-examples = {examples}\ndatabase = "none"\n\n'
        f"[phases.stateful.generation]\nmax-examples = {examples * 4}\n"
    )
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "REJOINDER_FUZZ_ORIGIN": ORIGIN,
        "REJOINDER_FUZZ_SITE": "fuzz",
        "REJOINDER_FUZZ_SSO_SECRET": SSO_SECRET,
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{server.url}/api/openapi.json",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--seed",
            os.environ.get("REJOINDER_FUZZ_SEED", "10"),
            "--request-timeout",
            "10",
            # A live stream answers for minutes by design; its parameters are the thread read's (fuzzed
            # there) and tests/web/test_live.py covers its own answers and bad input.
            "--exclude-path",
            "/api/threads/live",
            "--workers",
            "1",
            "--no-color",
            "--report",
            "har",
            "--report-har-path",
            str(tmp_path / "requests.har"),
        ],
        capture_output=True,
        text=True,
        timeout=840,
        cwd=tmp_path,
        env=env,
    )
    out = result.stdout
    assert result.returncode == 0, out[-6000:] + result.stderr[-2000:]
    generated = re.search(r"(\d+) generated", out)
    assert generated is not None and int(generated.group(1)) >= MIN_CASES, out[-3000:]
    links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", out)
    assert links is not None and int(links.group(1)) >= 5, out[-3000:]
    # The stateful phase followed the document's links from real 201s and sessions: the operations that
    # take a posted comment's id and edit token, or a session, answered 2xx to some of its requests.
    succeeded = successes(tmp_path / "requests.har")
    assert {"POST /api/comments", "POST /api/auth/sso"} <= succeeded, sorted(succeeded)
    followed = succeeded & {
        "PATCH /api/comments/{id}",
        "DELETE /api/comments/{id}",
        "POST /api/comments/{id}/report",
        "PUT /api/comments/{id}/like",
        "GET /api/comments/{id}/page",
        "GET /api/me",
        "POST /api/logout",
    }
    # At least one operation reached through a link succeeded. Since the hardening merges (one 404 for
    # hidden comments, sessions bound to their sites, JSON-only writes) far fewer generated posts succeed
    # (13 of ~300 in one run) and only the report is reached reliably; more successes need better hooks
    # (tests/fuzz_hooks.py), noted on issue #10.
    assert len(followed) >= 1, sorted(succeeded)
    log = server.log.read_text(errors="replace")
    assert "Internal error" not in log and "Traceback" not in log, log[-4000:]


def successes(har: Path) -> set[str]:
    """`METHOD /path` (ids as {id}) of the requests in a HAR file that were answered 2xx."""
    entries = json.loads(har.read_text())["log"]["entries"]
    done = set()
    for entry in entries:
        if 200 <= entry["response"]["status"] < 300 and entry["request"]["method"] != "OPTIONS":
            path = urlsplit(entry["request"]["url"]).path
            path = re.sub(r"^/api/comments/[^/]+", "/api/comments/{id}", path)
            done.add(f"{entry['request']['method']} {path}")
    return done
