"""Publisher-SSO test kit: mint tokens the way a publisher's backend would (joserfc), configure an sso
provider on an in-process app, and serve a JWKS from a loopback HTTP server the test starts and stops."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import Key, KeySet, OctKey
from litestar.testing import TestClient

from tests.auth.conftest import auth_client
from tests.fixtures.app import ORIGIN

SITE = "blog"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def claims(**overrides: Any) -> dict[str, Any]:
    """A valid claim set for site `blog`; an override of None removes the claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "user-42",
        "name": "Ann Publisher",
        "aud": SITE,
        "iat": now,
        "exp": now + 120,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs_key(secret: str, kid: str) -> OctKey:
    return OctKey.import_key(secret.encode(), {"kid": kid})


def mint(key: Key, body: dict[str, Any], *, alg: str = "HS256", kid: str | None = "use-key") -> str:
    """A token signed by `key`; `kid` defaults to the key's own kid (None: no kid header)."""
    header: dict[str, Any] = {"alg": alg}
    chosen = key.kid if kid == "use-key" else kid
    if chosen is not None:
        header["kid"] = chosen
    with warnings.catch_warnings():  # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864)
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, body, key, algorithms=[alg])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(body: dict[str, Any], kid: str) -> str:
    """An `alg: none` token (what an attacker sends), built by hand: no library makes these."""
    header = b64(json.dumps({"alg": "none", "kid": kid}).encode())
    return f"{header}.{b64(json.dumps(body).encode())}."


def write_secret(tmp_path: Path, secret: str, name: str) -> str:
    path = tmp_path / name
    path.write_text(secret)
    return str(path)


def sso_client(db_url: str, provider: dict[str, Any], name: str = "pub") -> TestClient[Any]:
    """An app with one `[auth.providers.NAME]` of preset sso (use as a context manager)."""
    return auth_client(db_url, auth={"providers": {name: {"preset": "sso", **provider}}})


def exchange(client: TestClient[Any], token: str, *, site: str = SITE, **extra: Any) -> httpx.Response:
    return client.post(
        "/api/auth/sso", json={"site": site, "token": token, **extra}, headers={"Origin": ORIGIN}
    )


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert a precise problem answer and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


@dataclass
class JwksServer:
    """A publisher's JWKS on loopback: `keys` is what it publishes, `fetches` counts requests,
    `status` other than 200 makes it fail."""

    url: str
    keys: list[Key] = field(default_factory=list)
    fetches: int = 0
    status: int = 200


@contextmanager
def serve_jwks(keys: list[Key]) -> Iterator[JwksServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    jwks = JwksServer(url=f"http://127.0.0.1:{server.server_address[1]}/jwks.json", keys=list(keys))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            jwks.fetches += 1
            body = json.dumps(KeySet(jwks.keys).as_dict(private=False)).encode()
            if self.path != "/jwks.json" or jwks.status != 200:
                body = b'{"error": "unavailable"}'
            self.send_response(jwks.status if self.path == "/jwks.json" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield jwks
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
