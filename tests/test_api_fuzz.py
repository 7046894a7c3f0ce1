"""Property-based requests generated from our own OpenAPI document (schemathesis) against a real server:
whatever the input, the answer is never a server error, and errors are problem+json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fixtures.app import run_cli


def test_no_generated_request_causes_a_server_error(
    sqlite_url: str, server_factory: Any, tmp_path: Path
) -> None:
    run_cli(sqlite_url, "site", "add", "fuzz", "--origin", "http://127.0.0.1")
    server = server_factory(sqlite_url)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{server.url}/api/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "12",
            "--generation-deterministic",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Internal error" not in server.log.read_text(errors="replace")
