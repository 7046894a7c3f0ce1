"""Which addresses sign-in links go to: checked and normalized before anything is stored or mailed."""

from __future__ import annotations

import pytest

from rejoinder.domain.email_links import PendingLink, check_address
from rejoinder.errors import Invalid


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("ann@example.org", "ann@example.org"),
        ("  Ann.Example+comments@Example.ORG ", "ann.example+comments@example.org"),
        ("o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"),
        ("ann@example.org.", "ann@example.org"),
        ("ann@bücher.example", "ann@xn--bcher-kva.example"),
        ("x_y-z!#$%&*/=?^`{|}~@a-b.example", "x_y-z!#$%&*/=?^`{|}~@a-b.example"),
    ],
)
def test_addresses_are_normalized(typed: str, normalized: str) -> None:
    assert check_address(typed) == normalized


@pytest.mark.parametrize(
    "typed",
    [
        "ann",
        "@example.org",
        "ann@",
        "ann@@example.org",
        "ann@example",  # one label: no public mail domain
        "ann@localhost",
        "ann@192.0.2.1",  # an IP address, not a domain
        "ann@[192.0.2.1]",
        '"ann smith"@example.org',
        "ann smith@example.org",
        "ann@exa mple.org",
        ".ann@example.org",
        "ann.@example.org",
        "an..n@example.org",
        "ann@-example.org",
        "ann@example-.org",
        "ann@exa_mple.org",
        "ann@example..org",
        "ann\r\nBcc: all@example.org@example.org",  # header injection
        "ann@example.org\nBcc: x@example.org",
        "ann\x00@example.org",
        "änn@example.org",  # non-ASCII local parts need SMTPUTF8, which rejoinder does not ask for
        "a" * 65 + "@example.org",
        "ann@" + "a" * 64 + ".example",
        "ann@" + ("a" * 60 + ".") * 5 + "example",  # over 254 characters
    ],
)
def test_bad_addresses_are_refused(typed: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_address(typed)
    assert caught.value.code == "email-invalid"
    assert [e.field for e in caught.value.errors] == ["email"]


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_a_missing_address_is_named(typed: str | None) -> None:
    with pytest.raises(Invalid) as caught:
        check_address(typed, field="address")
    assert caught.value.code == "email-required"
    assert caught.value.errors[0].field == "address"


def test_a_link_works_until_its_deadline() -> None:
    link = PendingLink(
        provider="email", site="blog", email="ann@example.org", return_url="https://b.example/", deadline=100
    )
    assert not link.expired(99)
    assert link.expired(100) and link.expired(101)
