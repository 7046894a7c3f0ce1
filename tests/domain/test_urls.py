"""domain/urls.py: article URL normalisation, origins and commenters' websites."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejoinder.domain.urls import check_website, normalize_origin, normalize_url, origin_of
from rejoinder.errors import Invalid


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://blog.example/a", "https://blog.example/a"),
        ("HTTPS://BLOG.Example/Path/Case", "https://blog.example/Path/Case"),
        ("https://blog.example:443/a", "https://blog.example/a"),
        ("http://blog.example:80/a", "http://blog.example/a"),
        ("https://blog.example:8443/a", "https://blog.example:8443/a"),
        ("http://blog.example:443/a", "http://blog.example:443/a"),
        ("https://blog.example/a#comments", "https://blog.example/a"),
        ("https://blog.example/a?#", "https://blog.example/a"),
        ("https://blog.example", "https://blog.example/"),
        ("  https://blog.example/a  ", "https://blog.example/a"),
        ("https://blog.example/a?utm_source=x&utm_MEDIUM=y&UTM_campaign=z", "https://blog.example/a"),
        ("https://blog.example/a?fbclid=1&gclid=2&b=2&a=1", "https://blog.example/a?b=2&a=1"),
        ("https://blog.example/a?page=2&utm_term=q&sort=new", "https://blog.example/a?page=2&sort=new"),
        ("https://blog.example/a?empty=&x=1", "https://blog.example/a?empty=&x=1"),
        ("https://blog.example/a?q=a+b", "https://blog.example/a?q=a+b"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/a"),
    ],
)
def test_normalize_url(raw: str, canonical: str) -> None:
    assert normalize_url(raw) == canonical
    assert normalize_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "url-required"),
        ("   ", "url-required"),
        ("ftp://blog.example/a", "url-scheme"),
        ("javascript:alert(1)", "url-scheme"),
        ("mailto:ann@blog.example", "url-scheme"),
        ("//blog.example/a", "url-scheme"),
        ("/a/relative/path", "url-scheme"),
        ("blog.example/a", "url-scheme"),
        ("https:///a", "url-malformed"),
        ("https://blog.example:99999/a", "url-malformed"),
        ("https://blog.example:port/a", "url-malformed"),
        ("https://[::1/a", "url-malformed"),
        ("https://blog.example/a\x00", "nul-byte"),
        ("https://blog.example/\ud800", "invalid-unicode"),
        ("https://blog.example/" + "a" * 2100, "url-too-long"),
    ],
)
def test_normalize_url_refuses(raw: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalize_url(raw)
    assert caught.value.code == code
    assert [e.field for e in caught.value.errors] == ["url"]


def test_normalize_url_names_the_field_it_checks() -> None:
    with pytest.raises(Invalid) as caught:
        normalize_url("ftp://x", field="origin")
    assert caught.value.errors[0].field == "origin"
    with pytest.raises(Invalid):
        normalize_url("https://blog.example/abcdef", max_length=20)


@settings(max_examples=300, database=None, deadline=None)
@given(
    path=st.text(alphabet="abcXYZ/-_.~%20", max_size=30),
    query=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "utm_source", "UTM_x", "fbclid", "q", "gclid"]),
            st.text(alphabet="xyz01 +&=", max_size=5),
        ),
        max_size=5,
    ),
    fragment=st.text(alphabet="abc#?", max_size=5),
    port=st.sampled_from(["", ":443", ":8443"]),
)
def test_normalize_url_is_idempotent_and_drops_tracking(
    path: str, query: list[tuple[str, str]], fragment: str, port: str
) -> None:
    from urllib.parse import urlencode

    raw = f"https://Blog.Example{port}/{path}?{urlencode(query)}#{fragment}"
    once = normalize_url(raw)
    assert normalize_url(once) == once
    assert "#" not in once
    lowered = once.lower()
    assert "utm_" not in lowered and "fbclid" not in lowered and "gclid" not in lowered
    assert once.startswith("https://blog.example")


def test_origins() -> None:
    assert origin_of("https://blog.example:8443/a?b") == "https://blog.example:8443"
    assert origin_of(normalize_url("HTTPS://Blog.Example:443/x")) == "https://blog.example"
    assert normalize_origin("HTTPS://Blog.Example:443/") == "https://blog.example"
    assert normalize_origin("http://localhost:8000") == "http://localhost:8000"
    for bad, code in (
        ("https://blog.example/path", "origin-malformed"),
        ("https://blog.example/?q=1", "origin-malformed"),
        ("ftp://blog.example", "url-scheme"),
    ):
        with pytest.raises(Invalid) as caught:
            normalize_origin(bad)
        assert caught.value.code == code, bad


@pytest.mark.parametrize(
    "website", ["https://ann.example", "http://ann.example/blog?x=1#top", "  https://ann.example/  "]
)
def test_check_website_accepts_http_urls(website: str) -> None:
    assert check_website(website) == website.strip()


@pytest.mark.parametrize(
    ("website", "code"),
    [
        ("javascript:alert(1)", "website-scheme"),
        ("JAVASCRIPT:alert(1)", "website-scheme"),
        (" javascript:alert(1)", "website-scheme"),
        ("data:text/html,<script>alert(1)</script>", "website-scheme"),
        ("vbscript:msgbox(1)", "website-scheme"),
        ("ftp://ann.example", "website-scheme"),
        ("ann.example", "website-scheme"),
        ("//ann.example", "website-scheme"),
        ("https://", "website-malformed"),
        ("https://ann.example:99999", "website-malformed"),
        ("https://ann example", "website-malformed"),
        ('https://ann.example/"><script>', "website-malformed"),
        ("https://ann.example/`x`", "website-malformed"),
        ("https://ann.example/\nx", "website-malformed"),
        ("https://ann.example/\x00", "nul-byte"),
        ("https://ann.example/" + "a" * 2100, "website-too-long"),
    ],
)
def test_check_website_refuses(website: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_website(website)
    assert caught.value.code == code
    assert caught.value.errors[0].field == "author.website"
