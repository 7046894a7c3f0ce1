"""WordPress eXtended RSS (WXR 1.0, 1.1, 1.2; WordPress.com and self-hosted): the `<wp:comment>`s of each
`<item>`, keyed by the item's permalink. Pingbacks and trackbacks are skipped with that reason (rejoinder
has no such kind: links to an article arrive as Webmentions)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from rejoinder.importers import xml
from rejoinder.importers.base import ImportedComment, Record, Skipped, SourceStatus
from rejoinder.importers.dates import parse_wordpress

_STATUS = {
    "1": SourceStatus.APPROVED,
    "approve": SourceStatus.APPROVED,
    "0": SourceStatus.PENDING,
    "hold": SourceStatus.PENDING,
    "spam": SourceStatus.SPAM,
    "trash": SourceStatus.DELETED,
    "post-trashed": SourceStatus.DELETED,
}
_COMMENT_TYPES = {"", "comment"}
_LINE_BREAK = re.compile(r"(?<!>)[ \t]*\n(?![ \t]*<)")


class WxrImporter:
    name = "wxr"
    label = "WordPress WXR"

    def detect(self, head: bytes) -> bool:
        return b"wordpress.org/export/" in head and b"<rss" in head

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        # WordPress numbers comments per blog: the blog's URL (before the first <item>) makes the ids of two
        # blogs imported into one site distinct. WordPress.com's base_site_url is the same for every blog.
        blog = ""
        for element in xml.ends(stream, frozenset({"item", "base_blog_url", "base_site_url"})):
            name = xml.local(element.tag)
            if name == "item":
                yield from _comments_of(element, blog)
            elif name == "base_blog_url" or not blog:
                blog = xml.text_of(element).strip().rstrip("/")


def _comments_of(item: Any, blog: str) -> Iterator[Record]:
    fields = xml.children(item)
    link = xml.text_of(fields.get("link")).strip()
    title = " ".join(xml.text_of(fields.get("title")).split()) or None
    for element in item:
        if not isinstance(element.tag, str) or xml.local(element.tag) != "comment":
            continue
        yield _comment(element, link, title, blog)


def _comment(element: Any, link: str, title: str | None, blog: str) -> Record:
    c = {name: xml.text_of(child) for name, child in xml.children(element).items()}
    position = f"line {element.sourceline}"
    number = c.get("comment_id", "").strip()
    if not number:
        return Skipped(position, "no-id", "the comment has no <wp:comment_id>")
    source_id = f"{blog}#{number}" if blog else number
    kind = c.get("comment_type", "").strip().lower()
    if kind in ("pingback", "trackback"):
        return Skipped(position, kind, "pingbacks and trackbacks are not imported", source_id)
    if kind not in _COMMENT_TYPES:
        return Skipped(position, "other-type", f"comment type {kind!r} is not a reader's comment", source_id)
    status = _STATUS.get(c.get("comment_approved", "").strip().lower())
    if status is None:
        return Skipped(
            position, "bad-status", f"unknown comment_approved {c.get('comment_approved')!r}", source_id
        )
    created = parse_wordpress(c.get("comment_date_gmt", ""))
    if created is None:  # WordPress leaves date_gmt at zero for some held comments: the local date is all
        created = parse_wordpress(c.get("comment_date", ""))  # there is (read as UTC)
    if created is None:
        return Skipped(position, "bad-date", f"unreadable date {c.get('comment_date_gmt')!r}", source_id)
    if not link:
        return Skipped(position, "no-thread", "its <item> has no <link>", source_id)
    parent = c.get("comment_parent", "").strip()
    return ImportedComment(
        source_id=source_id,
        position=position,
        thread_url=link,
        thread_title=title,
        parent_source_id=(f"{blog}#{parent}" if blog else parent) if parent and parent != "0" else None,
        author_name=c.get("comment_author", ""),
        author_email=c.get("comment_author_email") or None,
        author_website=c.get("comment_author_url") or None,
        author_ip=c.get("comment_author_IP") or None,
        created=created,
        status=status,
        html=autop(c.get("comment_content", "")),
    )


def autop(content: str) -> str:
    """What WordPress does when it shows a comment: a blank line starts a paragraph, a newline breaks the
    line (comments are stored with bare newlines)."""
    text = content.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    # A newline between two tags is layout (`</li>\n<li>`); between words it is a line break.
    return "".join(f"<p>{_LINE_BREAK.sub('<br>', p)}</p>" for p in paragraphs)
