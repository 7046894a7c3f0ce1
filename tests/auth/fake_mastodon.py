"""A loopback server speaking the parts of Mastodon's API that sign-in uses (4.3-style metadata,
POST /api/v1/apps, the token endpoint with PKCE, verify_credentials), for the Mastodon-specific branch."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit


@dataclass
class FakeMastodon:
    url: str = ""
    apps: list[dict[str, str]] = field(default_factory=list)  # registrations received
    codes: dict[str, str] = field(default_factory=dict)  # code -> code_challenge
    tokens: set[str] = field(default_factory=set)
    # When set, verify_credentials answers this (status, content type, body) instead of the account.
    account_reply: tuple[int, str, bytes] | None = None
    avatar: bytes = b""  # when set, the account has an avatar_static served at /avatars/ann.png

    def authorize(self, authorize_url: str) -> str:
        """What a reader approving the app does: returns the code for this authorization request."""
        q = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert q["code_challenge_method"] == "S256" and q["client_id"] == self.apps[-1]["client_id"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = q["code_challenge"]
        return code


def _handler(fake: FakeMastodon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/.well-known/oauth-authorization-server":
                self._json(
                    200,
                    {
                        "issuer": fake.url + "/",
                        "authorization_endpoint": fake.url + "/oauth/authorize",
                        "token_endpoint": fake.url + "/oauth/token",
                        "app_registration_endpoint": fake.url + "/api/v1/apps",
                        "scopes_supported": ["read", "write", "profile", "read:accounts"],
                    },
                )
            elif self.path == "/api/v1/accounts/verify_credentials":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in fake.tokens:
                    self._json(401, {"error": "The access token is invalid"})
                    return
                if fake.account_reply is not None:
                    status, kind, body = fake.account_reply
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self._json(
                    200,
                    {
                        "id": "109",
                        "username": "ann",
                        "acct": "ann",
                        "display_name": "Ann of the Fediverse",
                        "url": fake.url + "/@ann",
                        "avatar": fake.url + "/avatars/original/missing.png",
                        **({"avatar_static": fake.url + "/avatars/ann.png"} if fake.avatar else {}),
                    },
                )
            elif self.path == "/avatars/ann.png" and fake.avatar:
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(fake.avatar)))
                self.end_headers()
                self.wfile.write(fake.avatar)
            else:
                self._json(404, {"error": "Record not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if self.path == "/api/v1/apps":
                app = {
                    **form,
                    "client_id": secrets.token_urlsafe(8),
                    "client_secret": secrets.token_urlsafe(16),
                }
                fake.apps.append(app)
                self._json(200, {"id": "1", "name": form.get("client_name"), **app})
            elif self.path == "/oauth/token":
                challenge = fake.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
                app = fake.apps[-1] if fake.apps else {}
                if (
                    challenge is None
                    or expected.decode() != challenge
                    or form.get("client_id") != app.get("client_id")
                    or form.get("client_secret") != app.get("client_secret")
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                token = secrets.token_urlsafe(16)
                fake.tokens.add(token)
                self._json(
                    200, {"access_token": token, "token_type": "Bearer", "scope": form.get("scope", "")}
                )
            else:
                self._json(404, {"error": "Record not found"})

    return Handler


@contextmanager
def fake_mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
