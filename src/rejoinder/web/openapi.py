"""The OpenAPI document as served (/api/openapi.json, /api/docs): Litestar's generated schema, corrected in
this one place to say what the server sends: errors as application/problem+json, and the links a client
follows from a posted comment or a session to the operations that take its id or token."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin

from rejoinder.web.problems import PROBLEM, Problem

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Every error, whatever its status, is a problem document (web/problems.py); "4XX"/"5XX" are OpenAPI's
# ranges for the statuses an operation does not list one by one.
_RANGES = {
    "4XX": "A problem: the request was refused (the `code` member says why; see docs/errors.md)",
    "5XX": "A problem: the server could not answer (`internal-error` with a request id, or `unavailable`)",
}
# Statuses that never carry content (RFC 9110 §15.3.5, §15.4.5).
_NO_CONTENT = ("204", "304")

_POSTED = "$response.body#/id"
_TOKEN = "$response.body#/edit_token"  # noqa: S105 - a runtime expression, not a secret
_BEARER = {"header.Authorization": "Bearer {$response.body#/token}"}
# (path, method, status) of a response → {link name: (path, method of the target, its parameters)}.
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, str]]]] = {
    ("/api/comments", "post", "201"): {
        "EditComment": (
            "/api/comments/{comment_id}",
            "patch",
            {"path.comment_id": _POSTED, "header.Rejoinder-Edit-Token": _TOKEN},
        ),
        "DeleteComment": (
            "/api/comments/{comment_id}",
            "delete",
            {"path.comment_id": _POSTED, "header.Rejoinder-Edit-Token": _TOKEN},
        ),
        "LocateComment": ("/api/comments/{comment_id}/page", "get", {"path.comment_id": _POSTED}),
        "LikeComment": ("/api/comments/{comment_id}/like", "put", {"path.comment_id": _POSTED}),
        "UnlikeComment": ("/api/comments/{comment_id}/like", "delete", {"path.comment_id": _POSTED}),
        "ReportComment": ("/api/comments/{comment_id}/report", "post", {"path.comment_id": _POSTED}),
        "NoticeComment": ("/api/comments/{comment_id}/legal-notice", "post", {"path.comment_id": _POSTED}),
        "AppealComment": (
            "/api/comments/{comment_id}/appeal",
            "post",
            {"path.comment_id": _POSTED, "header.Rejoinder-Edit-Token": _TOKEN},
        ),
    },
    ("/api/auth/sso", "post", "200"): {
        "GetMe": ("/api/me", "get", _BEARER),
        "EditMe": ("/api/me", "patch", _BEARER),
        "LinkTicket": ("/api/me/link-ticket", "post", _BEARER),
        "PostComment": ("/api/comments", "post", _BEARER),
        "LikeArticle": ("/api/threads/like", "put", _BEARER),
        "Viewer": ("/api/viewer", "get", _BEARER),
        "Inbox": ("/api/me/inbox", "get", _BEARER),
        "Logout": ("/api/logout", "post", _BEARER),
    },
}


def problem_components() -> dict[str, Any]:
    """JSON Schemas of Problem and ProblemField, as components of the document."""
    _, components = msgspec.json.schema_components((Problem,), ref_template="#/components/schemas/{name}")
    return components


def _problem_content() -> dict[str, Any]:
    return {PROBLEM: {"schema": dict(_PROBLEM_REF)}}


def _operation_ids(paths: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (path, method): op["operationId"]
        for path, item in paths.items()
        for method, op in item.items()
        if method in _METHODS and isinstance(op, dict) and "operationId" in op
    }


def correct(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of Litestar's generated document that says what the server sends.

    Litestar documents the errors it knows of as `application/json` objects with `status_code` and
    `detail`; rejoinder answers every error with an `application/problem+json` Problem. Each documented
    4xx/5xx response, and a 4XX and 5XX range on every operation, carries the Problem schema. A 204 has
    no content. Responses that create something link to the operations that use it.
    """
    doc = copy.deepcopy(schema)
    doc.setdefault("components", {}).setdefault("schemas", {}).update(problem_components())
    paths: dict[str, Any] = doc.get("paths", {})
    ids = _operation_ids(paths)
    for item in paths.values():
        for method, op in item.items():
            if method not in _METHODS or not isinstance(op, dict):
                continue
            responses: dict[str, Any] = op.setdefault("responses", {})
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = _problem_content()
                elif status in _NO_CONTENT:
                    response.pop("content", None)
            for status, description in _RANGES.items():
                responses.setdefault(status, {"description": description, "content": _problem_content()})
    for (path, method, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        response["links"] = {
            name: {"operationId": ids[(target, target_method)], "parameters": parameters}
            for name, (target, target_method, parameters) in links.items()
            if (target, target_method) in ids
        }
    return doc


def document(app: Litestar) -> dict[str, Any]:
    """The corrected document of `app`, built once (Litestar caches the generated schema too)."""
    cached = app.state.get("openapi_document")
    if cached is None:
        cached = correct(app.openapi_schema.to_schema())
        app.state["openapi_document"] = cached
    return cached


class CorrectedJson(JsonRenderPlugin):
    """/api/docs/openapi.json: the corrected document rather than Litestar's own."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, document(request.app))
