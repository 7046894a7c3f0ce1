"""Akismet's comment-check, for sites with a key (https://akismet.com/developers/detailed-docs/comment-check/).
An external check: it runs last, and only when no local check refused the comment or asked for a revision.
"""

from __future__ import annotations

import logging
import time

import httpx

from rejoinder.moderation.checks.base import Answer, Check, failure
from rejoinder.moderation.rules import Action, Case, Finding, Policy

log = logging.getLogger("rejoinder.moderation")


class Akismet:
    """Akismet's comment-check (https://akismet.com/developers/detailed-docs/comment-check/), for sites
    with a key. "true" holds the comment, "true" with `X-akismet-pro-tip: discard` refuses it."""

    name = "akismet"

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    def applies(self, policy: Policy) -> bool:
        return bool(policy.akismet_key)

    async def check(self, case: Case) -> Answer:
        sub, policy = case.sub, case.policy
        form = {
            "api_key": policy.akismet_key,
            "blog": _origin(sub.thread_url) or "",
            "user_ip": sub.ip or "",
            "user_agent": sub.user_agent or "",
            "referrer": sub.referrer or "",
            "permalink": sub.thread_url or "",
            "comment_type": "reply" if sub.parent else "comment",
            "comment_author": sub.author_name,
            "comment_author_email": sub.email or "",
            "comment_author_url": sub.website or "",
            "comment_content": sub.text,
            "comment_date_gmt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sub.now / 1_000_000)),
        }
        if sub.edit_of:
            form["recheck_reason"] = "edit"
        try:
            response = await self.http.post(
                policy.akismet_url.rstrip("/") + "/1.1/comment-check",
                data=form,
                timeout=policy.external_timeout,
            )
        except httpx.HTTPError as exc:
            return failure(self.name, policy, type(exc).__name__)
        body = response.text.strip()
        if response.status_code != 200 or body not in ("true", "false"):
            help_text = response.headers.get("x-akismet-debug-help", "")
            log.warning("[rejoinder] Akismet answered %s %r %s", response.status_code, body[:40], help_text)
            return failure(self.name, policy, f"answer {response.status_code} {body[:40]!r}")
        discard = response.headers.get("x-akismet-pro-tip", "") == "discard"
        record = {"spam": body == "true", "discard": discard}
        if body == "false":
            return Answer((), record)
        if discard:
            return Answer((Finding(self.name, Action.REJECT, "akismet-discard", _REFUSED_SPAM),), record)
        detail = "Our spam filter is unsure about this comment; a moderator will check it."
        return Answer((Finding(self.name, Action.HOLD, "akismet-spam", detail),), record)


_REFUSED_SPAM = "This comment looks like spam and was not posted."


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else None


CHECK = Check.external(
    Akismet,
    settings=("akismet_key", "akismet_url", "external_timeout_ms", "external_failure"),
    site_overrides=("akismet_key",),
)
