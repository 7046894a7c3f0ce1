"""The request parameters several routers take, declared once: the reader's headers and "which thread".

A handler that acts for a visitor or a signed-in reader declares `who: NamedDependency[ReaderHeaders]` and
`dependencies=WHO` rather than the two headers one by one: it gets both as given, unchecked, and checks the
session where it always did (a route that needs only the session takes `AuthHeader`).

A handler that names a thread by query parameters declares `thread: NamedDependency[ThreadQuery]` and
`dependencies=THREAD`: the `url`, `key` and `site` parameters (and their OpenAPI entries) come from
`thread_query` here, and the handler resolves them with `await thread.resolve(ctx)` where it always did, so
that the order of its checks (and so which error a bad request gets) is the handler's own.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.di import Provide
from litestar.params import FromQuery, HeaderParameter

from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef, resolve_ref

VisitorHeader = Annotated[str | None, HeaderParameter(name="Rejoinder-Visitor")]
AuthHeader = Annotated[str | None, HeaderParameter(name="Authorization")]
EditTokenHeader = Annotated[str | None, HeaderParameter(name="Rejoinder-Edit-Token")]


class ReaderHeaders(msgspec.Struct, frozen=True):
    """Who a request is from, as its headers say: the widget's `Rejoinder-Visitor` id and the `Authorization`
    session, neither of them checked yet."""

    visitor: str | None
    authorization: str | None


async def reader_headers(visitor: VisitorHeader = None, authorization: AuthHeader = None) -> ReaderHeaders:
    return ReaderHeaders(visitor=visitor, authorization=authorization)


class ThreadQuery(msgspec.Struct, frozen=True):
    """Which thread a request names, as given: the article's `url`, or the site's own `key` (with `site`
    where the server has several sites)."""

    url: str | None
    key: str | None
    site: str | None

    async def resolve(self, ctx: Context) -> ThreadRef:
        """The thread, validated and its site found (422 for a bad URL or key, 404 for no such site)."""
        return await resolve_ref(ctx, url=self.url, key=self.key, site=self.site)


async def thread_query(
    url: FromQuery[str | None] = None,
    key: FromQuery[str | None] = None,
    site: FromQuery[str | None] = None,
) -> ThreadQuery:
    return ThreadQuery(url=url, key=key, site=site)


# `dependencies=THREAD` on a handler gives it `thread`, the ThreadQuery of its query string.
THREAD = {"thread": Provide(thread_query)}
# `dependencies=WHO` gives it `who`, the ReaderHeaders of the request.
WHO = {"who": Provide(reader_headers)}
THREAD_AND_WHO = {**THREAD, **WHO}
