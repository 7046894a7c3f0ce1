"""schemathesis hooks for tests/test_api_fuzz.py (loaded by the schemathesis process through
SCHEMATHESIS_HOOKS, not by pytest).

Random strings almost never name the fuzzed site's articles or carry a valid publisher token, so every
write would stop at the first check and the stateful phase would never get a comment or a session to
follow its links with. Each hook keeps schemathesis's own value one time in four and otherwise sends a
variant that passes those first checks (an article URL of the site, a signed SSO token, a well-formed visitor
id, no random Authorization, a report reason) while the rest of the request stays generated: text, names,
websites, parents, sort, limits, the ids and tokens the links carry."""

from __future__ import annotations

import os
import time
from typing import Any

import schemathesis
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import OctKey

ORIGIN = os.environ.get("REJOINDER_FUZZ_ORIGIN", "http://127.0.0.1")
SITE = os.environ.get("REJOINDER_FUZZ_SITE", "fuzz")
SSO_SECRET = os.environ.get("REJOINDER_FUZZ_SSO_SECRET", "")
ARTICLES = [f"{ORIGIN}/posts/{n}" for n in range(3)]
VISITORS = ["fuzz-visitor-0000000000000001", "fuzz-visitor-0000000000000002"]
_VISITOR_OPERATIONS = {
    ("POST", "/api/comments"),
    ("POST", "/api/comments/{comment_id}/report"),
    ("PUT", "/api/threads/like"),
    ("DELETE", "/api/threads/like"),
    ("PUT", "/api/comments/{comment_id}/like"),
    ("DELETE", "/api/comments/{comment_id}/like"),
    ("GET", "/api/viewer"),
}
_URL_QUERIES = {"/api/threads", "/api/viewer", "/api/counts", "/api/threads/like"}


def _label(ctx: Any) -> tuple[str, str]:
    operation = ctx.operation
    return (operation.method.upper(), operation.path) if operation is not None else ("", "")


def _visible_text() -> st.SearchStrategy[str]:
    """Comment text that is not blank: arbitrary Unicode, Markdown and HTML-looking bits."""
    markup = st.sampled_from(
        ["**b**", "_i_", "`c`", "> q", "- l", "[a](https://example.org)", "<script>x</script>", "\n\n"]
    )
    return st.lists(st.one_of(st.text(min_size=1, max_size=40), markup), min_size=1, max_size=6).map(
        lambda parts: "x " + "".join(parts)
    )


def _sso_token(sub: str, name: str) -> str:
    now = int(time.time())
    key = OctKey.import_key(SSO_SECRET.encode(), {"kid": "k1"})
    claims = {"sub": sub, "name": name, "aud": SITE, "iat": now, "exp": now + 120}
    return jwt.encode({"alg": "HS256", "kid": "k1"}, claims, key, algorithms=["HS256"])


def _either(value: Any, variant: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The generated value one time in four, else the variant (the stateful phase needs many successes
    to follow links from; the coverage phase, untouched by these hooks, sends the malformed requests)."""
    return st.integers(0, 3).flatmap(lambda n: st.just(value) if n == 0 else variant)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    method, path = _label(ctx)
    if not isinstance(body, dict):
        return st.just(body)
    if (method, path) == ("POST", "/api/comments"):

        def on_article(url: str, text: str, name: str) -> Any:
            author = body.get("author") if isinstance(body.get("author"), dict) else {}
            author = {k: v for k, v in author.items() if k in ("email", "website") and isinstance(v, str)}
            valid = {**body, "url": url, "text": text, "key": None, "site": None, "honeypot": None}
            valid["form_token"] = None  # [moderation] min_seconds is 0 in the test: no token needed
            valid["author"] = {**author, "name": name}
            if not isinstance(body.get("parent"), str) or len(body["parent"]) % 3:
                valid["parent"] = None  # a random parent is refused; keep one in three to probe it
            return valid

        names = st.text(min_size=1, max_size=30).map(lambda name: "n" + name)
        return _either(body, st.builds(on_article, st.sampled_from(ARTICLES), _visible_text(), names))
    if (method, path) == ("PATCH", "/api/comments/{comment_id}"):
        return _either(body, _visible_text().map(lambda text: {**body, "text": text}))
    if (method, path) == ("POST", "/api/comments/{comment_id}/report"):
        reasons = st.sampled_from(["spam", "abuse", "off-topic", "illegal", "other"])
        return _either(body, reasons.map(lambda reason: {**body, "reason": reason}))
    if (method, path) == ("POST", "/api/auth/sso") and SSO_SECRET:
        names = st.text(min_size=1, max_size=30).filter(str.strip)
        signed = st.builds(
            lambda sub, name: {"site": SITE, "token": _sso_token(sub, name)},
            st.sampled_from(["reader-1", "reader-2"]),
            names,
        )
        return _either(body, signed)
    return st.just(body)


@schemathesis.hook
def flatmap_query(ctx: Any, query: Any) -> st.SearchStrategy[Any]:
    _, path = _label(ctx)
    if path not in _URL_QUERIES or not isinstance(query, dict):
        return st.just(query)
    kept = {k: v for k, v in query.items() if k not in ("url", "key", "site")}
    return _either(query, st.sampled_from(ARTICLES).map(lambda url: {**kept, "url": url}))


@schemathesis.hook
def flatmap_headers(ctx: Any, headers: Any) -> st.SearchStrategy[Any]:
    """A variant without a random Authorization (a guest) and, where the operation takes one, with one of
    two well-formed visitor ids."""
    label = _label(ctx)
    if headers is not None and not isinstance(headers, dict):
        return st.just(headers)
    kept = {
        k: v for k, v in (headers or {}).items() if k.lower() not in ("authorization", "rejoinder-visitor")
    }
    if label not in _VISITOR_OPERATIONS:
        return _either(headers, st.just(kept)) if headers else st.just(headers)
    return _either(headers, st.sampled_from(VISITORS).map(lambda v: {**kept, "Rejoinder-Visitor": v}))
