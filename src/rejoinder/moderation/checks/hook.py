"""A publisher's own check over HTTP: the comment POSTed as signed JSON, the answer one finding. An external
check: it runs last, and only when no local check refused the comment or asked for a revision.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx
import msgspec

from rejoinder.moderation.checks.base import Answer, Check, failure
from rejoinder.moderation.rules import Action, Case, Finding, Policy


class HookAnswer(msgspec.Struct):
    action: str
    reason: str | None = None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hook signature: HMAC-SHA256 over `<timestamp>.<body>`, hex, as `sha256=<hex>`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Hook:
    """A publisher's own check: POST the comment as JSON, signed (Rejoinder-Signature, Rejoinder-Timestamp);
    the answer {"action": pass|flag|hold|nudge|reject, "reason": "..."} is one finding."""

    name = "hook"

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    def applies(self, policy: Policy) -> bool:
        return bool(policy.hook_url and policy.hook_secret)

    async def check(self, case: Case) -> Answer:
        sub, policy = case.sub, case.policy
        payload = {
            "event": "comment.edit" if sub.edit_of else "comment.new",
            "site_id": sub.site_id,
            "comment": {
                "id": sub.edit_of,
                "text": sub.text,
                "html": sub.html,
                "parent": sub.parent,
                "author": {
                    "name": sub.author_name,
                    "email": sub.email,
                    "website": sub.website,
                    "identity": sub.identity_id,
                },
                "ip": sub.ip,
            },
            "thread": {"url": sub.thread_url, "title": sub.thread_title},
            "findings": [msgspec.to_builtins(f) for f in case.findings_so_far],
        }
        body = msgspec.json.encode(payload)
        stamp = str(sub.now // 1_000_000)
        headers = {
            "Content-Type": "application/json",
            "Rejoinder-Timestamp": stamp,
            "Rejoinder-Signature": sign(policy.hook_secret, stamp, body),
        }
        try:
            response = await self.http.post(
                policy.hook_url, content=body, headers=headers, timeout=policy.external_timeout
            )
        except httpx.HTTPError as exc:
            return failure(self.name, policy, type(exc).__name__)
        if response.status_code != 200:
            return failure(self.name, policy, f"status {response.status_code}")
        try:
            answer = msgspec.json.decode(response.content, type=HookAnswer)
            action = Action(answer.action)
        except (msgspec.DecodeError, ValueError):
            return failure(self.name, policy, "unreadable answer")
        reason = " ".join((answer.reason or "").split())[:300]
        record = {"action": action.value, "reason": reason}
        if action is Action.PASS:
            return Answer((), record)
        detail = (
            reason
            or {
                Action.FLAG: "Flagged by the site's own check.",
                Action.HOLD: "A moderator will check this comment.",
                Action.NUDGE: "Please revise your comment before posting it.",
                Action.REJECT: "This comment was not accepted.",
            }[action]
        )
        return Answer((Finding(self.name, action, "external-hook", detail),), record)


CHECK = Check.external(
    Hook,
    settings=("hook_url", "hook_secret", "external_timeout_ms", "external_failure"),
    site_overrides=("hook_url", "hook_secret"),
)
