"""Incremental, hostile-input-safe XML reading for the XML importers (WXR, Disqus).

lxml's `iterparse` reads the file in chunks; elements are cleared once handled, so memory stays flat.
Exports never carry a DTD, so a document with one is refused before anything is read: that stops
billion-laughs (entity expansion) and XXE (external entities) whatever the parser would have done. Entities
are not resolved and the network is never used in any case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree

from rejoinder.importers.base import UnreadableExport

CHUNK = 64 * 1024  # bytes fed to the parser at a time


def local(tag: Any) -> str:
    """`{namespace}name` → `name` (WXR 1.0, 1.1 and 1.2 use different `wp:` namespaces)."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def ends(stream: BinaryIO, names: frozenset[str]) -> Iterator[Any]:
    """Each element whose local name is in `names`, complete, in document order (nested ones too: the
    caller picks what it needs). The element and what came before it are freed after the caller's turn.

    Raises:
        UnreadableExport: a DTD, or not well-formed XML (with line and column).
    """
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
    )
    checked = False
    while True:
        chunk = stream.read(CHUNK)
        failed: Any = None
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            failed = exc  # the records completed before the error are still handed out first
        for event, element in parser.read_events():
            if not checked:
                checked = True
                _refuse_dtd(element)
            if event == "start":
                continue
            if isinstance(element.tag, str) and local(element.tag) in names:
                yield element
                parent = element.getparent()
                if parent is not None and local(parent.tag) not in names:
                    # Done with it (it is not part of a bigger record): free it and its earlier siblings.
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:
                        del parent[0]
        if failed is not None:
            line, column = failed.position if failed.position else (0, 0)
            raise UnreadableExport(_syntax_message(failed), f"line {line}, column {column}")
        if not chunk:
            return


def _refuse_dtd(element: Any) -> None:
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise UnreadableExport(
            "the file declares a DTD (<!DOCTYPE …>); exports never do, and entities could expand without "
            "bound or read other files, so it is refused",
            "line 1",
        )


def _syntax_message(exc: Any) -> str:
    msg = str(getattr(exc, "msg", "") or exc)
    msg = msg.split(", line ")[0]
    if "not proper UTF-8" in msg or "Invalid bytes in character encoding" in msg:
        return f"bytes that are not valid UTF-8 ({msg})"
    return f"not well-formed XML: {msg}"


def children(element: Any) -> dict[str, Any]:
    """Child elements by local name (the first of each name)."""
    out: dict[str, Any] = {}
    for child in element:
        if isinstance(child.tag, str):
            out.setdefault(local(child.tag), child)
    return out


def text_of(element: Any | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext())
