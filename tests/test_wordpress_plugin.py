"""The WordPress plugin's PHP without WordPress: every file parses (`php -l`), and the SSO token it signs is
one rejoinder accepts (checked with joserfc, as auth/providers/sso.py checks it). The plugin in a running
WordPress is tested in tests/e2e/test_wordpress.py."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from joserfc import jws
from joserfc.jwk import OctKey

from tests.fixtures.wordpress import PLUGIN, require_php

FILES = sorted(PLUGIN.rglob("*.php"))
SECRET = "a-secret-of-at-least-thirty-two-bytes-0123456789"

# Just enough of WordPress for includes/sso.php's signing functions.
STUBS = """<?php
define( 'ABSPATH', '/nonexistent/' );
function add_action() {}
function wp_json_encode( $data, $flags = 0 ) { return json_encode( $data, $flags ); }
require %(sso)s;
$spec = json_decode( file_get_contents( 'php://stdin' ), true );
echo rejoinder_jwt_hs256( $spec['claims'], $spec['secret'], $spec['kid'] );
"""


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(PLUGIN).as_posix() for p in FILES])
def test_php_parses(path: Path) -> None:
    require_php()
    done = subprocess.run(["php", "-l", str(path)], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


@pytest.mark.parametrize("kid", ["wp1", ""])
def test_the_token_is_a_jws_rejoinder_verifies(tmp_path: Path, kid: str) -> None:
    require_php()
    script = tmp_path / "sign.php"
    script.write_text(STUBS % {"sso": json.dumps(str(PLUGIN / "includes" / "sso.php"))})
    now = int(time.time())
    claims = {"sub": "wp-1-2", "aud": "blog", "iat": now, "exp": now + 300, "name": 'Zoë "<b>" Ødegård/ü'}
    spec = {"claims": claims, "secret": SECRET, "kid": kid}
    done = subprocess.run(
        ["php", str(script)], input=json.dumps(spec).encode(), capture_output=True, timeout=30
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    token = done.stdout.decode()
    verified = jws.deserialize_compact(token, OctKey.import_key(SECRET.encode()), algorithms=["HS256"])
    assert json.loads(verified.payload) == claims
    assert verified.headers() == (
        {"alg": "HS256", "typ": "JWT", "kid": kid} if kid else {"alg": "HS256", "typ": "JWT"}
    )
    with pytest.raises(Exception, match="signature"):
        jws.deserialize_compact(
            token, OctKey.import_key(b"another-secret-of-thirty-two-bytes-at-least"), algorithms=["HS256"]
        )
