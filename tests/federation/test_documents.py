"""The pure parts of ActivityPub: a remote Note's HTML kept as text only, remote actor documents read
defensively, and draft-cavage signatures that verify only what was signed."""

from __future__ import annotations

import pytest

from rejoinder.domain import text
from rejoinder.federation.activitypub import documents as docs
from rejoinder.federation.activitypub import signatures as sig

NOW = 1_800_000_000_000_000


def test_remote_html_becomes_plain_text_that_renders_inert() -> None:
    hostile = (
        '<p>Hi <a href="javascript:alert(1)">there</a><script>alert(2)</script></p>'
        "<p><img src=x onerror=alert(3)>**not bold** [link](javascript:x)<br>next</p>"
    )
    plain = docs.note_text(hostile)
    assert plain == "Hi there\n\n\\*\\*not bold\\*\\* \\[link\\](javascript:x)  \nnext"
    html = text.render(plain)
    assert "<script" not in html and "onerror" not in html and "<strong>" not in html and "<img" not in html
    assert "href" not in html and "javascript:x" in html  # shown as text, never a link
    assert "<br" in html and "next" in html


def test_a_remote_actor_document_is_read_defensively() -> None:
    doc = {
        "id": "https://social.example/users/ann",
        "inbox": "https://social.example/users/ann/inbox",
        "preferredUsername": "ann",
        "name": "Ann\u202e\n <x>",
        "icon": {"type": "Image", "url": "https://social.example/a.png"},
        "publicKey": {
            "id": "https://social.example/users/ann#k",
            "owner": "https://social.example/users/ann",
            "publicKeyPem": "PEM",
        },
    }
    actor = docs.read_actor(doc, fetched_from="https://social.example/users/ann", allow_http=False)
    assert actor.handle == "@ann@social.example" and actor.name == "Ann <x>" and actor.icon.endswith("a.png")
    with pytest.raises(docs.DocumentInvalid, match="another host"):
        docs.read_actor(doc, fetched_from="https://evil.example/users/ann", allow_http=False)
    with pytest.raises(docs.DocumentInvalid):
        docs.read_actor(
            {**doc, "inbox": "http://social.example/inbox"}, fetched_from=doc["id"], allow_http=False
        )
    stolen = {**doc, "publicKey": {**doc["publicKey"], "owner": "https://social.example/users/bob"}}
    with pytest.raises(docs.DocumentInvalid, match="public key"):
        docs.read_actor(stolen, fetched_from=doc["id"], allow_http=False)


def test_a_signature_verifies_only_what_was_signed() -> None:
    public, private = sig.new_key_pair()
    body = b'{"type":"Like"}'
    headers = sig.sign(
        "post", "rejoinder.test", "/ap/inbox", key_id="k", private_pem=private, now_us=NOW, body=body
    )
    params = sig.parse_signature(headers["signature"])
    sig.check_signed_headers(params, has_body=True)
    sig.check_digest(headers["digest"], body)
    sig.check_date(headers["date"], NOW + 59 * 60 * 1_000_000, 3600)
    assert sig.verify(params, "POST", "/ap/inbox", headers, public)
    assert not sig.verify(params, "POST", "/ap/sites/blog/inbox", headers, public)
    assert not sig.verify(params, "POST", "/ap/inbox", {**headers, "host": "evil.test"}, public)
    with pytest.raises(sig.SignatureInvalid) as expired:
        sig.check_date(headers["date"], NOW + 61 * 60 * 1_000_000, 3600)
    assert expired.value.code == "signature-expired"
    with pytest.raises(sig.SignatureInvalid) as changed:
        sig.check_digest(headers["digest"], body + b" ")
    assert changed.value.code == "digest-mismatch"
    with pytest.raises(sig.SignatureInvalid, match="must cover"):
        sig.check_signed_headers(sig.SignatureParams("k", "rsa-sha256", ("date",), b"x"), has_body=True)


def test_a_private_key_never_shows_in_a_repr() -> None:
    from rejoinder.federation.activitypub.client import Signer
    from rejoinder.store.activitypub import SiteKey

    public, private = sig.new_key_pair()
    shown = (
        repr(SiteKey(1, public, private))
        + repr(Signer("https://x.example/k", private))
        + str(SiteKey(1, public, private))
    )
    assert "PRIVATE" not in shown and private[40:80] not in shown
