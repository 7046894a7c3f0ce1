"""domain/urls.py: article URL normalisation, origins and commenters' websites."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejoinder.domain.urls import (
    CREDENTIAL_PARAMS,
    QueryFilter,
    check_param_pattern,
    check_website,
    is_loopback,
    normalize_origin,
    normalize_url,
    origin_of,
    own_origins,
)
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


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # what an OAuth redirect, an implicit-flow callback or a session-in-URL site leaves on an article
        (
            "https://blog.example/a?code=SplxlOB&state=af0ifjsl&p=5",
            "https://blog.example/a?p=5",
        ),
        (
            "https://blog.example/a?access_token=ya29.x&id_token=eyJh.eyJz.sig&refresh_token=1//0g&x=1",
            "https://blog.example/a?x=1",
        ),
        (
            "https://blog.example/a?TOKEN=t&Auth=a&session=s&SessionId=i&sid=d&PHPSESSID=p&jsessionid=j",
            "https://blog.example/a",
        ),
        (
            "https://blog.example/a?password=hunter2&passwd=x&pwd=y&api_key=k&apikey=k&client_secret=c",
            "https://blog.example/a",
        ),
        ("https://blog.example/a?ticket=ST-1-abc&secret=s&auth_token=t", "https://blog.example/a"),
        # names sites use for their articles stay: they tell threads apart
        (
            "https://blog.example/?p=12&key=intro&id=7&page=2",
            "https://blog.example/?p=12&key=intro&id=7&page=2",
        ),
        (
            "https://blog.example/a?codename=x&tokens=2&state_id=3",
            "https://blog.example/a?codename=x&tokens=2&state_id=3",
        ),
    ],
)
def test_normalize_url_drops_credential_parameters(raw: str, canonical: str) -> None:
    assert normalize_url(raw) == canonical
    assert normalize_url(canonical) == canonical


def test_the_dropped_parameters_are_the_ones_given() -> None:
    only_tracking = QueryFilter(["utm_*", "fbclid"])  # a site whose article URLs carry `state=`
    url = "https://blog.example/a?state=ny&utm_source=x&fbclid=1&code=2"
    assert normalize_url(url, drop=only_tracking) == "https://blog.example/a?state=ny&code=2"
    custom = QueryFilter(["Ref", "campaign_*", "  "])
    assert normalize_url(
        "https://blog.example/a?ref=x&REF=y&campaign_id=1&campaign=2&code=3", drop=custom
    ) == ("https://blog.example/a?campaign=2&code=3")
    assert normalize_url("https://blog.example/a?code=3&utm_x=1", drop=QueryFilter([])) == (
        "https://blog.example/a?code=3&utm_x=1"
    )
    assert {"key", "id", "p", "page"}.isdisjoint(CREDENTIAL_PARAMS)


@pytest.mark.parametrize(
    ("name", "usable"),
    [
        ("code", True),
        ("utm_*", True),
        ("*", False),
        ("", False),
        ("a*b", False),
        ("a b", False),
        ("a=b", False),
    ],
)
def test_check_param_pattern(name: str, usable: bool) -> None:
    assert check_param_pattern(name) is usable


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
    ("typed", "stored"),
    [
        ("HTTPS://Ann.EXAMPLE/Blog/Post?Q=A#Top", "https://ann.example/Blog/Post?Q=A#Top"),
        ("https://ann:hunter2@ann.example/", "https://ann.example/"),
        ("https://bank.example@evil.example/login", "https://evil.example/login"),
        ("http://ann.example:80/a", "http://ann.example/a"),
        ("https://ann.example:443", "https://ann.example"),
        ("https://ann.example:8443/a", "https://ann.example:8443/a"),
        ("http://ann.example:443/a", "http://ann.example:443/a"),
        ("https://Bücher.Example/", "https://xn--bcher-kva.example/"),
        ("https://straße.example/", "https://xn--strae-oqa.example/"),  # as browsers resolve it, not strasse
        ("https://аррӏе.example/", "https://xn--80ak6aa92e.example/"),  # Cyrillic look-alike of "apple"
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("  https://ann.example/a%20b?x=%41  ", "https://ann.example/a%20b?x=%41"),
    ],
)
def test_check_website_stores_a_normal_form(typed: str, stored: str) -> None:
    assert check_website(typed) == stored
    assert check_website(stored) == stored  # idempotent


def test_check_website_refuses_a_host_no_browser_could_resolve() -> None:
    for website in ("https://😀.example/", "https://\u0301a.example/"):
        with pytest.raises(Invalid) as caught:
            check_website(website)
        assert caught.value.code == "website-malformed", website


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


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("comments.example.org", False),
        ("", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_own_origins_come_from_configuration_only() -> None:
    assert own_origins("https://Comments.Example.org:443/prefix/", "0.0.0.0", 8080) == {
        "https://comments.example.org"
    }
    assert own_origins("", "127.0.0.1", 8080) == {
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    }
    assert own_origins("", "::1", 9000) == {
        "http://[::1]:9000",
        "http://127.0.0.1:9000",
        "http://localhost:9000",
    }
    assert own_origins("", "10.0.0.5", 8080) == {"http://10.0.0.5:8080"}


@settings(max_examples=300, database=None, deadline=None)
@given(
    scheme=st.sampled_from(["http", "HTTP", "https", "HttpS"]),
    userinfo=st.sampled_from(["", "ann@", "ann:pw@", "bank.example@", "a%40b:c@"]),
    host=st.sampled_from(
        ["Ann.Example", "ann.example", "BÜCHER.example", "пример.рф", "[2001:DB8::1]", "127.0.0.1"]
    ),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    rest=st.text(alphabet="abcXYZ/-_.~%?=&#", max_size=20),
)
def test_a_stored_website_is_a_fixed_point_without_userinfo(
    scheme: str, userinfo: str, host: str, port: str, rest: str
) -> None:
    from urllib.parse import urlsplit

    stored = check_website(f"{scheme}://{userinfo}{host}{port}/{rest}")
    assert check_website(stored) == stored
    parts = urlsplit(stored)
    assert parts.scheme in ("http", "https") and parts.username is None and "@" not in parts.netloc
    assert parts.netloc == parts.netloc.lower() and parts.netloc.isascii()
    assert parts.port != {"http": 80, "https": 443}[parts.scheme]
