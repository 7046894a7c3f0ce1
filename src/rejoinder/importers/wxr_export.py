"""Writing WordPress eXtended RSS 1.2 (what WordPress's importer reads): one post `<item>` per thread with
its `<wp:comment>`s. Pure text building; services/exports.py streams the rows in.

Comments are numbered from 1 in the file (WordPress ids are numbers); a reply names its parent's number.
Statuses: published and approved → `1`, pending → `0`, spam → `spam`, rejected and deleted → `trash`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

WXR = "http://wordpress.org/export/1.2/"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 Char
_STATUS = {
    "published": "1",
    "approved": "1",
    "pending": "0",
    "spam": "spam",
    "rejected": "trash",
    "deleted": "trash",
}


def _text(value: Any) -> str:
    return escape(_NOT_XML.sub("", "" if value is None else str(value)))


def _el(name: str, value: Any) -> str:
    return f"<{name}>{_text(value)}</{name}>"


def _date(us: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(us / 1_000_000, tz=zone).strftime("%Y-%m-%d %H:%M:%S")


def header(site_name: str, origin: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:wp="{WXR}">\n<channel>\n'
        f"{_el('title', site_name)}{_el('link', origin)}<description></description>\n"
        f"<wp:wxr_version>1.2</wp:wxr_version>{_el('wp:base_site_url', origin)}"
        f"{_el('wp:base_blog_url', origin)}\n<generator>rejoinder</generator>\n"
    ).encode()


def footer() -> bytes:
    return b"</channel>\n</rss>\n"


class Items:
    """Opens a thread's `<item>` at its first comment and closes it at the next thread's; numbers the
    comments (the parent map is one thread's: memory stays flat)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.items = 0
        self.current: int | None = None
        self.numbers: dict[str, int] = {}
        self.next_number = 1

    def comment(self, thread_id: int, thread: dict[str, Any], row: dict[str, Any]) -> bytes:
        out = ""
        if thread_id != self.current:
            out += self.close().decode()
            out += self._open(thread)
            self.current = thread_id
            self.numbers = {}
        number = self.numbers[row["id"]] = self.next_number
        self.next_number += 1
        parent = self.numbers.get(row["parent_id"] or "", 0)
        out += (
            "<wp:comment>"
            f"{_el('wp:comment_id', number)}"
            f"{_el('wp:comment_author', row['author_name'])}"
            f"{_el('wp:comment_author_email', row['author_email'])}"
            f"{_el('wp:comment_author_url', row['author_website'])}"
            f"{_el('wp:comment_author_IP', row['ip'])}"
            f"{_el('wp:comment_date', _date(row['created'], self.zone))}"
            f"{_el('wp:comment_date_gmt', _date(row['created'], UTC))}"
            f"{_el('wp:comment_content', row['html'])}"
            f"{_el('wp:comment_approved', _STATUS.get(row['status'], '0'))}"
            "<wp:comment_type>comment</wp:comment_type>"
            f"{_el('wp:comment_parent', parent)}"
            "<wp:comment_user_id>0</wp:comment_user_id>"
            "</wp:comment>\n"
        )
        return out.encode()

    def _open(self, thread: dict[str, Any]) -> str:
        self.items += 1
        created = datetime.fromtimestamp(thread["created"] / 1_000_000, tz=UTC)
        link = thread["uri"] or ""
        return (
            f"<item>{_el('title', thread['title'] or link)}{_el('link', link)}"
            f"{_el('pubDate', format_datetime(created))}"
            f"<guid isPermaLink={quoteattr('true' if link else 'false')}>{_text(link)}</guid>"
            "<description></description><content:encoded></content:encoded>"
            "<excerpt:encoded></excerpt:encoded>\n"
            f"{_el('wp:post_id', self.items)}"
            f"{_el('wp:post_date', _date(thread['created'], self.zone))}"
            f"{_el('wp:post_date_gmt', _date(thread['created'], UTC))}"
            f"{_el('wp:comment_status', 'closed' if thread['closed'] else 'open')}"
            "<wp:ping_status>closed</wp:ping_status>"
            f"{_el('wp:post_name', thread['key'] or '')}"
            "<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>"
            "<wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type>"
            "<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>\n"
        )

    def close(self) -> bytes:
        if self.current is None:
            return b""
        self.current = None
        return b"</item>\n"
