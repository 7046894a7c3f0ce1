"""The problem+json answers problems.py builds for errors no route raises on purpose (bad UTF-8, crashes)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from rejoinder.web.problems import PROBLEM, internal_error_handler, unicode_error_handler


def _request(path: str) -> Request[Any, Any, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [],
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
        "app": None,
        "state": {},
        "path_params": {},
    }
    return Request(scope)  # type: ignore[arg-type]


def test_a_body_that_is_not_utf8_is_malformed_json() -> None:
    exc = UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
    response = unicode_error_handler(_request("/api/comments"), exc)
    assert response.status_code == 400
    assert response.media_type == PROBLEM
    assert response.headers["Cache-Control"] == "no-store"
    assert msgspec.json.decode(response.content) == {
        "type": "https://rejoinder.dev/docs/errors#malformed-json",
        "title": "Malformed JSON",
        "status": 400,
        "detail": "The request body is not valid UTF-8 (byte 0)",
        "code": "malformed-json",
        "instance": "/api/comments",
    }


def test_a_crash_answers_500_with_a_request_id_to_quote() -> None:
    response = internal_error_handler(_request("/api/threads"), RuntimeError("boom"))
    body = msgspec.json.decode(response.content)
    request_id = body["request_id"]
    assert len(request_id) == 16
    assert response.status_code == 500
    assert body == {
        "type": "https://rejoinder.dev/docs/errors#internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": f"Something went wrong on our side; quote request id {request_id} when reporting it",
        "code": "internal-error",
        "instance": "/api/threads",
        "request_id": request_id,
    }
