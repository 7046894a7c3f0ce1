"""Disqus XML export: `<thread>`s (permalink, title, deleted) and then `<post>`s pointing at a thread and
maybe a parent post by `dsq:id`. Posts of a thread deleted on Disqus are skipped with that reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec

from rejoinder.importers import xml
from rejoinder.importers.base import ImportedComment, Record, Skipped, SourceStatus
from rejoinder.importers.dates import parse_iso

_DSQ_ID = "{http://disqus.com/disqus-internals}id"
_FLAGS = {"true": True, "false": False, "": False}


class _Thread(msgspec.Struct, frozen=True):
    link: str
    title: str | None
    deleted: bool


class DisqusImporter:
    name = "disqus"
    label = "Disqus XML"

    def detect(self, head: bytes) -> bool:
        return b"<disqus" in head and b"disqus.com" in head

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        threads: dict[str, _Thread] = {}  # what posts need of each thread (tens of bytes each)
        for element in xml.ends(stream, frozenset({"thread", "post"})):
            parent = element.getparent()
            if parent is None or xml.local(parent.tag) != "disqus":
                continue  # the <thread dsq:id> reference inside a <post>
            if xml.local(element.tag) == "thread":
                fields = xml.children(element)
                thread_id = element.get(_DSQ_ID)
                if thread_id:
                    threads[thread_id] = _Thread(
                        link=xml.text_of(fields.get("link")).strip(),
                        title=" ".join(xml.text_of(fields.get("title")).split()) or None,
                        deleted=xml.text_of(fields.get("isDeleted")).strip().lower() == "true",
                    )
            else:
                yield _post(element, threads)


def _post(element: Any, threads: dict[str, _Thread]) -> Record:
    position = f"line {element.sourceline}"
    source_id = (element.get(_DSQ_ID) or "").strip()
    if not source_id:
        return Skipped(position, "no-id", "the <post> has no dsq:id")
    f = xml.children(element)
    deleted = _FLAGS.get(xml.text_of(f.get("isDeleted")).strip().lower())
    spam = _FLAGS.get(xml.text_of(f.get("isSpam")).strip().lower())
    if deleted is None or spam is None:
        return Skipped(position, "bad-value", "isDeleted and isSpam must be true or false", source_id)
    created = parse_iso(xml.text_of(f.get("createdAt")))
    if created is None:
        raw = xml.text_of(f.get("createdAt")).strip()
        return Skipped(position, "bad-date", f"unreadable createdAt {raw!r}", source_id)
    ref = f.get("thread")
    thread = threads.get(ref.get(_DSQ_ID) or "") if ref is not None else None
    if thread is None:
        return Skipped(position, "no-thread", "its thread is not in the file (before it)", source_id)
    if thread.deleted:
        return Skipped(position, "thread-deleted", "its thread was deleted on Disqus", source_id)
    parent = f.get("parent")
    parent_id = (parent.get(_DSQ_ID) or "").strip() if parent is not None else ""
    author = xml.children(f["author"]) if "author" in f else {}
    name = xml.text_of(author.get("name")).strip() or xml.text_of(author.get("username")).strip()
    status = SourceStatus.DELETED if deleted else SourceStatus.SPAM if spam else SourceStatus.PUBLIC
    return ImportedComment(
        source_id=source_id,
        position=position,
        thread_url=thread.link,
        thread_title=thread.title,
        parent_source_id=parent_id or None,
        author_name=name,
        author_email=xml.text_of(author.get("email")).strip() or None,
        author_website=None,  # Disqus exports no author website
        author_ip=xml.text_of(f.get("ipAddress")).strip() or None,
        created=created,
        status=status,
        html=xml.text_of(f.get("message")).strip(),
    )
