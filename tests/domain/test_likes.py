"""domain/likes.py and domain/sites.py: visitor ids and site names."""

from __future__ import annotations

import pytest

from rejoinder.domain.likes import check_visitor
from rejoinder.domain.sites import check_site_name
from rejoinder.errors import Invalid


@pytest.mark.parametrize("visitor", ["a" * 16, "A-z_0-9" * 3, "x" * 128])
def test_visitor_ids_accepted(visitor: str) -> None:
    assert check_visitor(visitor) == visitor


@pytest.mark.parametrize(
    ("visitor", "code"),
    [
        (None, "visitor-required"),
        ("", "visitor-required"),
        ("a" * 15, "visitor-invalid"),
        ("a" * 129, "visitor-invalid"),
        ("a" * 15 + " ", "visitor-invalid"),
        ("a" * 15 + "/", "visitor-invalid"),
        ("a" * 15 + "\x00", "visitor-invalid"),
        ("é" * 16, "visitor-invalid"),
    ],
)
def test_visitor_ids_refused(visitor: str | None, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_visitor(visitor)
    assert caught.value.code == code
    assert caught.value.errors[0].field == "Rejoinder-Visitor"


def test_site_names() -> None:
    for good in ("blog", "my-site.example", "a", "site_2"):
        assert check_site_name(good) == good
    for bad in ("", "Blog", "-x", "a b", "x" * 101, "é"):
        with pytest.raises(Invalid):
            check_site_name(bad)
