"""domain/comments.py: validation of text and guest authors, the edit window and reply rules."""

from __future__ import annotations

import pytest

from rejoinder.domain.comments import (
    Author,
    Comment,
    CommentLimits,
    CommentStatus,
    check_edit_window,
    check_parent,
    clean_author,
    clean_text,
)
from rejoinder.errors import Forbidden, Invalid

LIMITS = CommentLimits(max_text_length=30, max_name_length=10, max_depth=3)


def comment(thread_id: int = 1, status: CommentStatus = CommentStatus.PUBLISHED, depth: int = 0) -> Comment:
    return Comment(
        id="c1",
        thread_id=thread_id,
        parent=None,
        text="t",
        html="<p>t</p>",
        author=Author(name="Ann", email=None, website=None, key="k"),
        status=status,
        created=0,
        edited=None,
        likes=0,
        depth=depth,
    )


def codes(exc: Invalid) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.errors]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Hello", "Hello"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("\n\nkeep  inner   spaces\n\n", "keep  inner   spaces"),
        ("  indented code", "  indented code"),
        ("tab\there", "tab\there"),
        ("bell\x07 and \x1b escape \x7f", "bell and  escape "),
        ("émoji 🎉", "émoji 🎉"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw, LIMITS) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "text-empty"),
        (" \n\t\r\n ", "text-empty"),
        ("\x01\x02", "text-empty"),
        ("x" * 31, "text-too-long"),
        ("a\x00b", "nul-byte"),
        ("a\ud800b", "invalid-unicode"),
    ],
)
def test_clean_text_refuses(raw: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_text(raw, LIMITS)
    assert codes(caught.value) == [("text", code)]


def test_text_limit_counts_characters_not_bytes() -> None:
    assert clean_text("é" * 30, LIMITS) == "é" * 30
    assert clean_text("🎉" * 30, LIMITS) == "🎉" * 30


def test_clean_author() -> None:
    assert clean_author("  Ann   \t Smith ", None, None, LIMITS) == ("Ann Smith", None, None)
    assert clean_author("Ann", " ann@example.org ", " https://ann.example ", LIMITS) == (
        "Ann",
        "ann@example.org",
        "https://ann.example",
    )
    assert clean_author("Ann", "", "  ", LIMITS) == ("Ann", None, None)
    assert clean_author("N" * 10, None, None, LIMITS)[0] == "N" * 10


@pytest.mark.parametrize(
    ("name", "email", "website", "expected"),
    [
        (None, None, None, [("author.name", "name-required")]),
        ("  ", None, None, [("author.name", "name-required")]),
        ("N" * 11, None, None, [("author.name", "name-too-long")]),
        ("A\x00", None, None, [("author.name", "nul-byte")]),
        ("Ann", "not-an-email", None, [("author.email", "email-invalid")]),
        ("Ann", "ann@example", None, [("author.email", "email-invalid")]),
        ("Ann", "<ann@example.org>", None, [("author.email", "email-invalid")]),
        ("Ann", "a\ud800@example.org", None, [("author.email", "invalid-unicode")]),
        ("Ann", None, "javascript:alert(1)", [("author.website", "website-scheme")]),
        (
            "",
            "bad",
            "data:x",
            [
                ("author.name", "name-required"),
                ("author.email", "email-invalid"),
                ("author.website", "website-scheme"),
            ],
        ),
    ],
)
def test_clean_author_refuses(
    name: str | None, email: str | None, website: str | None, expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(Invalid) as caught:
        clean_author(name, email, website, LIMITS)
    assert codes(caught.value) == expected  # every problem at once, so a form can mark every field
    assert caught.value.code == expected[0][1]


def test_email_required_per_site() -> None:
    strict = CommentLimits(require_email=True)
    with pytest.raises(Invalid) as caught:
        clean_author("Ann", None, None, strict)
    assert codes(caught.value) == [("author.email", "email-required")]
    assert clean_author("Ann", "ann@example.org", None, strict)[1] == "ann@example.org"


def test_edit_window() -> None:
    minute = 60 * 1_000_000
    check_edit_window(created=0, now=15 * minute, window_seconds=900)  # the last microsecond still counts
    with pytest.raises(Forbidden) as caught:
        check_edit_window(created=0, now=15 * minute + 1, window_seconds=900)
    assert caught.value.code == "edit-window-closed"
    assert "15 minutes" in caught.value.detail
    with pytest.raises(Forbidden):
        check_edit_window(created=0, now=1, window_seconds=0)


def test_check_parent() -> None:
    assert check_parent(None, 1, LIMITS) == 0
    assert check_parent(comment(depth=0), 1, LIMITS) == 1
    assert check_parent(comment(depth=2), 1, LIMITS) == 3
    with pytest.raises(Invalid) as caught:
        check_parent(comment(depth=3), 1, LIMITS)
    assert codes(caught.value) == [("parent", "too-deep")]
    with pytest.raises(Invalid) as caught:
        check_parent(comment(thread_id=2), 1, LIMITS)
    other_thread = caught.value
    # Another thread's comment and a hidden one get one answer (no existence oracle for ids).
    assert codes(other_thread) == [("parent", "parent-not-public")]
    for status in (CommentStatus.DELETED, CommentStatus.PENDING, CommentStatus.SPAM):
        with pytest.raises(Invalid) as caught:
            check_parent(comment(status=status), 1, LIMITS)
        assert codes(caught.value) == [("parent", "parent-not-public")], status
        assert caught.value.errors == other_thread.errors
