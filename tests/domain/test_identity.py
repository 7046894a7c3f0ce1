"""domain/identity.py: keyed hashes, author keys, the identicon and IP anonymisation."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import pytest

from rejoinder.domain.identity import anonymize_ip, author_key, identicon_svg, keyed_hash, visitor_hash

SECRET = b"secret-one"
OTHER_SECRET = b"secret-two"


def test_keyed_hash() -> None:
    assert keyed_hash(SECRET, "a", "b") == keyed_hash(SECRET, "a", "b")
    assert keyed_hash(SECRET, "a", "b") != keyed_hash(OTHER_SECRET, "a", "b")
    assert keyed_hash(SECRET, "ab", "c") != keyed_hash(SECRET, "a", "bc")  # parts are separated
    assert len(keyed_hash(SECRET, "a", length=20)) == 20


def test_author_key_is_per_site_and_not_a_plain_hash_of_the_email() -> None:
    email = "Ann@Example.org"
    on_one = author_key(SECRET, 1, email=email, name="Ann", visitor=None)
    assert on_one == author_key(SECRET, 1, email=" ann@example.org ", name="Someone", visitor="v" * 20)
    assert on_one != author_key(SECRET, 2, email=email, name="Ann", visitor=None)
    assert on_one != author_key(OTHER_SECRET, 1, email=email, name="Ann", visitor=None)
    for plain in (hashlib.md5, hashlib.sha1, hashlib.sha256):  # what an attacker would try
        digest = plain(b"ann@example.org").hexdigest()
        assert on_one not in digest and digest[: len(on_one)] != on_one
    by_visitor = author_key(SECRET, 1, email=None, name="Ann", visitor="v" * 20)
    by_name = author_key(SECRET, 1, email=None, name="Ann", visitor=None)
    assert len({on_one, by_visitor, by_name}) == 3
    assert by_name == author_key(SECRET, 1, email=None, name=" ANN ", visitor=None)


def test_visitor_hash() -> None:
    visitor = "visitor-0123456789abcdef"
    hashed = visitor_hash(SECRET, visitor)
    assert hashed == visitor_hash(SECRET, visitor) != visitor_hash(OTHER_SECRET, visitor)
    assert visitor not in hashed and hashed != hashlib.sha256(visitor.encode()).hexdigest()[:40]


def test_identicon_is_deterministic_valid_and_mirrored() -> None:
    svg = identicon_svg("0123456789abcdef0123")
    assert svg == identicon_svg("0123456789abcdef0123")
    assert svg != identicon_svg("0123456789abcdef0124")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    cells = {
        (int(r.get("x", "0")), int(r.get("y", "0")))
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("width") == "8"
    }
    assert cells
    assert cells == {(40 - x, y) for x, y in cells}  # mirrored left to right (cells at x = 4, 12 … 36)
    lowered = svg.lower()
    assert "<script" not in lowered and "href" not in lowered and " on" not in lowered


def test_identicons_vary() -> None:
    assert len({identicon_svg(f"{i:020x}") for i in range(50)}) >= 45


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("127.0.0.1", "127.0.0.0/24"),
        ("2001:db8:abcd:12ff:1:2:3:4", "2001:db8:abcd:1200::/56"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("::1", "::/56"),
        ("not-an-ip", None),
        ("", None),
        (None, None),
    ],
)
def test_anonymize_ip(address: str | None, network: str | None) -> None:
    assert anonymize_ip(address) == network


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a RIFF file, but sound
        (b'<svg xmlns="http://www.w3.org/2000/svg">', None),  # can carry script: never an avatar
        (b"<html><body>", None),
        (b"", None),
    ],
)
def test_sniff_image_goes_by_the_first_bytes(head: bytes, expected: str | None) -> None:
    from rejoinder.domain.identity import sniff_image

    assert sniff_image(head) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://cdn.example/a.png", "https://cdn.example/a.png"),
        ("http://127.0.0.1:8080/a.png", "http://127.0.0.1:8080/a.png"),  # allowed here; refused at fetch time
        ("javascript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("https://user:pw@cdn.example/a.png", None),
        ("https://cdn.example:99999/a.png", None),
        ("https:///a.png", None),
        ("https://cdn.example/a\n.png", None),
        ("https://cdn.example/" + "a" * 2100, None),
        (None, None),
        (42, None),
    ],
)
def test_picture_url_keeps_only_plain_http_urls(raw: object, expected: str | None) -> None:
    from rejoinder.domain.identity import picture_url

    assert picture_url(raw) == expected
