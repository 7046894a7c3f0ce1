"""Server-rendered HTML for readers without JavaScript (and for crawlers): the thread page with a plain
form that posts without JavaScript, the thread fragment for static site generators and their stylesheet.
Templates live in rejoinder/templates/. Not here: the demo article page (demo.py registers it)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

import jinja2
import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import FromQuery, QueryParameter

from rejoinder.domain.sites import Site, SiteGuard
from rejoinder.domain.threads import Page, Sort
from rejoinder.errors import BadRequest, CommentNotFound, NotFound, RejoinderError
from rejoinder.i18n import Translator, choose, supported, translator
from rejoinder.services import comments as comment_service
from rejoinder.services import standing
from rejoinder.services import threads as thread_service
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef, ThreadView
from rejoinder.web import static
from rejoinder.web.page_models import (
    HONEYPOT_FIELD,
    FormInput,
    ReplyBatch,
    ThreadContext,
    build_thread,
    check_form_token,
    clean_reply,
    clean_title,
    thread_query,
)
from rejoinder.web.params import THREAD, ThreadQuery
from rejoinder.web.problems import fallback_for
from rejoinder.web.wire import check_origin, client_ip, ctx_of, public_base

HTML = "text/html"  # Litestar adds "; charset=utf-8" to every text/ type


# --- templates and static files -------------------------------------------------------------------


@cache
def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=True,  # every template, whatever its name: reader text is hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def static_href(name: str, base: str = "") -> str:
    return static.href(f"/static/{name}", base)


def security_headers(ctx: Context, *, scripts: bool = False) -> dict[str, str]:
    """A strict CSP: no inline script or style anywhere; our own stylesheet, images and form target only."""
    img = "'self' data:"
    public = ctx.settings.server.public_url
    if public:
        parts = urlsplit(public)
        img += f" {parts.scheme}://{parts.netloc}"
    policy = [
        "default-src 'none'",
        "style-src 'self'",
        f"img-src {img}",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
    if scripts:  # the demo article loads the widget from this same server
        policy += ["script-src 'self'", "connect-src 'self'", "font-src 'self'"]
    return {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


def html_response(
    ctx: Context, template: str, status: int = 200, cache_control: str = "no-store", **values: Any
) -> Response[str]:
    body = templates().get_template(template).render(**values)
    headers = {
        **security_headers(ctx, scripts=bool(values.get("with_scripts"))),
        "Cache-Control": cache_control,
    }
    thread = values.get("t")
    if isinstance(thread, ThreadContext):
        headers["Content-Language"] = thread.tr.lang
    return Response(content=body, status_code=status, media_type=HTML, headers=headers)


def wants_html(request: Request[Any, Any, Any]) -> bool:
    return "text/html" in request.headers.get("accept", "")


def page_language(request: Request[Any, Any, Any], lang: str | None) -> Translator:
    """The page's language: `lang` when supported, else the browser's Accept-Language, else the server's
    default (`server.language`)."""
    ctx: Context | None = request.app.state.get("ctx")
    default = ctx.settings.server.language if ctx is not None else "en"
    return translator(choose(lang, accept_language=request.headers.get("accept-language"), default=default))


def page_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Browsers get a small HTML page with the error's status; API clients the usual problem+json."""
    parts = fallback_for(request, exc)
    if not wants_html(request):
        return parts.response
    ctx: Context | None = request.app.state.get("ctx")
    lang = request.query_params.get("lang")
    tr = page_language(request, lang if isinstance(lang, str) else None)
    title = tr("page.problem") if tr.lang != "en" else parts.title
    body = (
        templates()
        .get_template("noscript/error.html")
        .render(
            status=parts.status,
            code=parts.code,
            title=title,
            detail=tr.error(parts.code, parts.detail),
            css_href=static_href("noscript.css"),
            tr=tr,
        )
    )
    headers = {"Cache-Control": "no-store", "Content-Language": tr.lang}
    if ctx is not None:
        headers.update(security_headers(ctx))
    return Response(content=body, status_code=parts.status, media_type=HTML, headers=headers)


PAGE_ERRORS: dict[Any, Any] = {RejoinderError: page_error_handler, HTTPException: page_error_handler}


async def render_page(
    request: Request[Any, Any, Any],
    ref: ThreadRef,
    *,
    sort: Sort,
    page: int,
    title: str | None,
    given: FormInput,
    lang: str | None,
    status: int = 200,
    replies: str | None = None,
    offset: int = 0,
) -> Response[str]:
    """A page of the thread, or with `replies` one conversation's batch of replies from `offset`."""
    ctx = ctx_of(request)
    batch = None
    if replies is not None:
        view, batch = await read_batch(ctx, ref, replies, page=page, offset=offset)
    else:
        view = await thread_service.read_thread(
            ctx, ref, sort=sort, page=page, limit=ctx.settings.comments.page_size
        )
    loaded = await thread_service.load_comments(view)
    thread = build_thread(
        ctx,
        view,
        loaded,
        sort=sort,
        title=title,
        base="",
        given=given,
        tr=page_language(request, lang),
        lang=supported(lang),
        batch=batch,
    )
    return html_response(
        ctx,
        "noscript/page.html",
        status=status,
        t=thread,
        tr=thread.tr,
        css_href=static_href("noscript.css"),
        with_scripts=False,
    )


async def read_batch(
    ctx: Context, ref: ThreadRef, root: str, *, page: int, offset: int
) -> tuple[ThreadView, ReplyBatch]:
    """One conversation of `ref`'s thread as a view: its top-level comment and a batch of its replies
    (`comments.replies_per_page` from `offset`). A root of another thread is not found, like an unknown id."""
    per_page = ctx.settings.comments.replies_per_page
    found = await thread_service.find_comment_thread(ctx, root)
    if ref.lookup not in thread_service.cache_keys(found.site_id, found.uri, found.key):
        raise CommentNotFound()
    got = await thread_service.read_replies(ctx, found, root, offset=offset, limit=per_page)
    view = ThreadView(
        ref=ref,
        thread=found,
        stubs=[got.root, *got.stubs],
        likers=[],
        page=Page(number=page, size=ctx.settings.comments.page_size, pages=1, roots=1),
        load=got.load,
    )
    batch = ReplyBatch(root=root, offset=offset, shown=len(got.stubs), more=got.more, per_page=per_page)
    return view, batch


# --- routes ------------------------------------------------------------------------------------------

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
ReplyOffset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]


class PageQuery(msgspec.Struct, frozen=True):
    """Which page of which thread a request asks to see, as given: the thread, the article's `title`, the
    `sort` order, the `page` number and the `lang`uage. The handler resolves and cleans them."""

    thread: ThreadQuery
    title: str | None
    sort: Sort
    page: int
    lang: str | None


async def page_query(
    thread: NamedDependency[ThreadQuery],
    title: FromQuery[str | None] = None,
    sort: FromQuery[Sort] = Sort.OLDEST,
    page: PageNumber = 1,
    lang: FromQuery[str | None] = None,
) -> PageQuery:
    return PageQuery(thread=thread, title=title, sort=sort, page=page, lang=lang)


# `dependencies=PAGE` on a handler gives it `asked`, the PageQuery of its query string.
PAGE = {**THREAD, "asked": Provide(page_query)}


@get("/thread", include_in_schema=False, exception_handlers=PAGE_ERRORS, dependencies=PAGE)
async def thread_page(
    request: Request[Any, Any, Any],
    *,
    asked: NamedDependency[PageQuery],
    reply: FromQuery[str | None] = None,
    replies: FromQuery[str | None] = None,
    offset: ReplyOffset = 0,
) -> Response[str]:
    """The whole discussion as a plain HTML page with a form that works without JavaScript; with
    `replies`, one conversation and the batch of its replies from `offset` ("Show N more replies"). In
    the language of `lang` (else the browser's, else `server.language`)."""
    ctx = ctx_of(request)
    ref = await asked.thread.resolve(ctx)
    given = FormInput(parent=clean_reply(reply))
    root = clean_reply(replies) if replies is not None else None
    if replies is not None and root is None:
        raise CommentNotFound()
    return await render_page(
        request,
        ref,
        sort=asked.sort,
        page=asked.page,
        title=clean_title(asked.title),
        given=given,
        lang=asked.lang,
        replies=root,
        offset=offset,
    )


@get("/thread/fragment", include_in_schema=False, exception_handlers=PAGE_ERRORS, dependencies=PAGE)
async def thread_fragment(
    request: Request[Any, Any, Any], *, asked: NamedDependency[PageQuery]
) -> Response[str]:
    """Just the thread's HTML (no <html>), for a static site generator to include at build time. Replying
    happens on the full page it links to. Links are absolute with server.public_url; without it they are
    paths, never built from the request's Host header: this answer is publicly cacheable. In the language
    of `lang`, else `server.language` (a build tool's Accept-Language says nothing about the readers)."""
    ctx = ctx_of(request)
    ref = await asked.thread.resolve(ctx)
    view = await thread_service.read_thread(
        ctx, ref, sort=asked.sort, page=asked.page, limit=ctx.settings.comments.page_size
    )
    base = public_base(ctx)
    loaded = await thread_service.load_comments(view)
    code = supported(asked.lang)
    model = build_thread(
        ctx,
        view,
        loaded,
        sort=asked.sort,
        title=clean_title(asked.title),
        base=base,
        given=None,
        tr=translator(code or ctx.settings.server.language),
        lang=code,
    )
    return html_response(
        ctx,
        "noscript/fragment.html",
        cache_control=f"public, max-age={ctx.settings.cache.max_age}",
        t=model,
        with_scripts=False,
    )


async def read_form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The urlencoded body as {name: first value}; refuses other encodings and undecodable bytes."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise HTTPException(
            status_code=415, detail="Send the form as application/x-www-form-urlencoded, as browsers do"
        )
    body = await request.body()
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=40, encoding="utf-8", errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The form could not be read: it is not valid UTF-8 or has too many fields") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def same_site(site: Site) -> SiteGuard:
    """A warning acknowledged from a site's form must be one given on that site."""

    def guard(other: Site) -> None:
        if other.id != site.id:
            raise NotFound("There is no open warning with this id", code="warning-not-found")

    return guard


@post("/thread", include_in_schema=False, exception_handlers=PAGE_ERRORS, status_code=303)
async def post_thread_form(request: Request[Any, Any, Any]) -> Response[str]:
    """The no-JS form: the same service and validation as POST /api/comments, then 303 to the new
    comment's anchor; on error the page again, with what was typed and each message by its field."""
    ctx = ctx_of(request)
    form = await read_form(request)
    ref = await thread_service.resolve_ref(
        ctx, url=form.get("url") or None, key=form.get("key") or None, site=form.get("site") or None
    )
    try:
        sort = Sort(form.get("sort") or Sort.OLDEST)
    except ValueError:
        sort = Sort.OLDEST
    raw_page = form.get("page", "")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 6 else 1
    page = max(page, 1)
    title = clean_title(form.get("title"))
    lang = form.get("lang") or None
    given = FormInput(
        text=form.get("text", ""),
        name=form.get("name", ""),
        email=form.get("email", ""),
        website=form.get("website", ""),
        parent=form.get("parent") or None,
    )
    try:
        check_origin(request, ref)
        check_form_token(ctx.verify_keys, ref.lookup, form.get("token", ""), ctx.clock() // 1_000_000)
        if form.get("acknowledge"):
            # The commenter ticked "I have read it" under the warning their last post was refused with. An
            # id that names no open warning here (sent twice, made up) acknowledges nothing: the post
            # below is then refused again, with the warning, if the commenter is still warned.
            with contextlib.suppress(NotFound):
                await standing.acknowledge_warning(ctx, form["acknowledge"], site_guard=same_site(ref.site))
        posted = await comment_service.post_comment(
            ctx,
            ref,
            comment_service.NewComment(
                text=given.text,
                parent=given.parent,
                name=given.name,
                email=given.email or None,
                website=given.website or None,
                title=title,
                honeypot=form.get(HONEYPOT_FIELD) or None,
                form_token=form.get("form_token") or None,
            ),
            visitor=None,
            ip=client_ip(request),
        )
    except RejoinderError as exc:
        given.errors.append(exc)
        where = None
        if given.parent is not None:
            where = await where_is(ctx, given.parent, sort)
        return await render_page(
            request,
            ref,
            sort=sort,
            page=where.page if where else page,
            title=title,
            given=given,
            lang=lang,
            status=exc.status,
            replies=where.replies if where else None,
            offset=where.offset if where else 0,
        )
    where = await where_is(ctx, posted.comment.id, sort)
    extra: dict[str, Any] = {"page": where.page if where else 1}
    if where is not None and where.replies is not None:
        extra.update(replies=where.replies, offset=where.offset)
    query = thread_query(ref, title, lang=supported(lang), sort=sort, **extra)
    location = f"/thread?{query}#comment-{posted.comment.id}"
    return Response(
        content="",
        status_code=303,
        media_type=HTML,
        headers={"Location": location, "Cache-Control": "no-store"},
    )


@dataclass(frozen=True)
class Where:
    """Which view of the no-JS page shows a comment: a page, and for a reply beyond what the page shows,
    the batch of its conversation's replies (`replies`, `offset`) that holds it."""

    page: int
    replies: str | None = None
    offset: int = 0


async def where_is(ctx: Context, comment_id: str, sort: Sort) -> Where | None:
    """The view that shows a public comment (None when it is not public). The batch is the one the "Show
    N more replies" links of its page lead to: they start where the page stops, `replies_per_page` apiece."""
    try:
        found = await thread_service.locate_comment(
            ctx, comment_id, sort=sort, limit=ctx.settings.comments.page_size
        )
    except RejoinderError:
        return None
    if found.on_page or found.reply_offset is None:
        return Where(page=found.page)
    per_page = ctx.settings.comments.replies_per_page
    beyond = found.reply_offset - found.shown_replies
    return Where(
        page=found.page, replies=found.root, offset=found.shown_replies + beyond // per_page * per_page
    )


ROUTES: list[Any] = [thread_page, thread_fragment, post_thread_form]
