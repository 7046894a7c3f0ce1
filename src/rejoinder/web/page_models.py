"""What the HTML templates receive: the thread page's comments, links and form, built from a ThreadView, and
the signed token that ties a rendered form to its thread. No HTTP here; web/pages.py renders and routes."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from rejoinder.domain.comments import Comment, CommentStatus
from rejoinder.domain.threads import Sort
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import CommenterWarned, Forbidden, RejoinderError
from rejoinder.i18n import Translator
from rejoinder.services import moderation
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef, ThreadView
from rejoinder.services.webmentions import comment_page
from rejoinder.web.feeds import thread_feed_href
from rejoinder.web.wire import avatar_url, image_url, rfc3339

FORM_TOKEN_MAX_AGE = 24 * 3600  # seconds a rendered form stays postable
FORM_FIELDS = {"text": "text", "author.name": "name", "author.email": "email", "author.website": "website"}
# The bot trap's field (docs/moderation.md): a name form-filling bots like to fill in, hidden from people.
HONEYPOT_FIELD = "homepage"


# --- the signed form token ---------------------------------------------------------------------------


def form_token(secret: bytes, lookup: str, issued: int) -> str:
    """`<issued unix time>.<HMAC>`, bound to one thread: proves the form came from a page we rendered."""
    mac = hmac.new(secret, f"rejoinder-noscript-form\x00{lookup}\x00{issued}".encode(), hashlib.sha256)
    return f"{issued}.{base64.urlsafe_b64encode(mac.digest()[:18]).decode('ascii')}"


def check_form_token(keys: Sequence[bytes], lookup: str, token: str, now: int) -> None:
    """Raises Forbidden when the token is not signed by one of `keys` (the current secret first), is for
    another thread, or is too old."""
    issued, _, _ = token.partition(".")
    given = token.encode("utf-8", "replace")
    if not (issued.isascii() and issued.isdigit() and len(issued) <= 12) or not any(
        hmac.compare_digest(form_token(key, lookup, int(issued)).encode(), given) for key in keys
    ):
        raise Forbidden(
            "This form did not come from this discussion's page; reload the page and post again",
            code="form-token-invalid",
        )
    age = now - int(issued)
    if age > FORM_TOKEN_MAX_AGE or age < -300:
        raise Forbidden(
            "This form was opened too long ago; check your comment and post it again",
            code="form-expired",
        )


# --- view models -------------------------------------------------------------------------------------


@dataclass
class FormView:
    hidden: list[tuple[str, str]]
    values: dict[str, str]
    errors: dict[str, str]
    general: list[str]
    heading: str
    cancel_href: str | None
    require_email: bool
    max_text_length: int
    max_name_length: int
    honeypot: str = HONEYPOT_FIELD
    # A moderator's warning the post was refused with: (its id, the moderator's words); the form asks the
    # commenter to confirm they read it (the `acknowledge` checkbox), and the next post acknowledges it.
    warning: tuple[str, str] | None = None


@dataclass
class CommentView:
    id: str
    name: str
    website: str | None
    avatar: str
    html: Markup
    iso: str
    when: str
    edited_iso: str | None
    edited_when: str | None
    likes: int
    deleted: bool
    indent: int
    in_reply_to: str | None
    reply_href: str
    notice_href: str  # the form to notify illegal content (web/notices.py)
    form: FormView | None = None
    staff: bool = False  # written by a moderator or admin of the site: a "Staff" badge
    pinned: bool = False  # pinned by a moderator: a "Pinned" marker (pinned top-level comments come first)
    featured: bool = False  # featured by a moderator: a "Featured" marker
    moderator_edited: bool = False  # a moderator changed its text: "Edited by a moderator"
    moderator_note: str | None = None  # with their public note, if any
    # After the last comment shown of a conversation whose page or batch leaves replies out: the link to
    # the next batch, "Show N more replies" (docs/noscript.md).
    more_text: str | None = None
    more_href: str | None = None
    # Attached images: (url, width, height, alt), shown after the text (docs/embedding.md#images).
    images: list[tuple[str, int, int, str]] = field(default_factory=list)
    # microformats2 (docs/federation.md#webmention): the comment's permalink (its h-entry's u-url), and
    # what it answers (u-in-reply-to): the article for a top-level comment, the parent's permalink else.
    permalink: str = ""
    reply_of: str | None = None


@dataclass(frozen=True)
class ReplyBatch:
    """The page shows one conversation: its top-level comment `root` and `shown` of its replies from
    `offset`, with `more` after them (GET /thread?replies=ROOT&offset=K)."""

    root: str
    offset: int
    shown: int
    more: int
    per_page: int


@dataclass
class FormInput:
    """What the reader typed (kept on errors), and where the form sits."""

    text: str = ""
    name: str = ""
    email: str = ""
    website: str = ""
    parent: str | None = None
    errors: list[RejoinderError] = field(default_factory=list)


def thread_query(ref: ThreadRef, title: str | None = None, **extra: Any) -> str:
    params: list[tuple[str, str]] = []
    if ref.uri is not None:
        params.append(("url", ref.uri))
    if ref.key is not None:
        params.append(("key", ref.key))
    if title:
        params.append(("title", title))
    for name, value in extra.items():
        if (
            value is None
            or value == ""
            or (name == "sort" and value is Sort.OLDEST)
            or (name == "page" and value == 1)
            or (name == "offset" and value == 0)
        ):
            continue  # defaults stay out of the URL, so each page has one address
        params.append((name, str(value)))
    return urlencode(params)


def safe_website(url: str | None) -> str | None:
    """Stored websites are validated on the way in; checked again here because the href is live."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def absolute(base: str, path: str) -> str:
    return base + path if path.startswith("/") else path


@dataclass
class ThreadContext:
    """Everything the thread templates need, built once per render."""

    title: str
    article_url: str | None
    count_text: str
    likes: int
    likes_text: str
    likers: list[tuple[str, str]]
    comments: list[CommentView]
    sorts: list[tuple[str, str, bool]]
    pages: list[tuple[int, str, bool]]
    prev_href: str | None
    next_href: str | None
    page_number: int
    page_count: int
    form: FormView | None
    reply_href: str
    page_href: str
    tr: Translator  # the page's language: its strings, `lang` and `dir`
    back_href: str | None = None  # in a batch of replies: back to the conversation on its page
    earlier_href: str | None = None  # in a batch of replies: the batch before it
    feed_href: str = ""  # the thread's Atom feed (web/feeds.py)
    webmention_href: str | None = None  # the Webmention endpoint, advertised in <head> ([webmention] receive)


def build_form(
    ctx: Context,
    ref: ThreadRef,
    tr: Translator,
    *,
    sort: Sort,
    page: int,
    title: str | None,
    lang: str | None,
    given: FormInput,
    parent_name: str | None,
    cancel_href: str | None,
) -> FormView:
    hidden = [("url", ref.uri or ""), ("key", ref.key or ""), ("site", ref.site.name)]
    hidden += [("sort", sort.value), ("page", str(page)), ("title", title or ""), ("lang", lang or "")]
    if given.parent:
        hidden.append(("parent", given.parent))
    hidden.append(("token", form_token(ctx.secret, ref.lookup, ctx.clock() // 1_000_000)))
    # The same form-age token the widget gets from GET /api/form-token: the minimum-time check.
    hidden.append(("form_token", moderation.issue_form_token(ctx)))
    errors: dict[str, str] = {}
    general: list[str] = []
    warning: tuple[str, str] | None = None
    for exc in given.errors:
        placed = False
        for fe in exc.errors:
            if fe.field in FORM_FIELDS and FORM_FIELDS[fe.field] not in errors:
                errors[FORM_FIELDS[fe.field]] = tr.error(fe.code, fe.message)
                placed = True
            elif fe.field not in FORM_FIELDS:
                general.append(tr.error(fe.code, fe.message))
                placed = True
        if not placed:
            general.append(tr.error(exc.code, exc.detail))
        if isinstance(exc, CommenterWarned):
            warning = (exc.warning_id, exc.message)  # the moderator's own words, to read and acknowledge
    return FormView(
        hidden=[(k, v) for k, v in hidden if v],
        values={"text": given.text, "name": given.name, "email": given.email, "website": given.website},
        errors=errors,
        general=general,
        heading=tr("replyTo", name=parent_name) if parent_name else tr("leave"),
        cancel_href=cancel_href,
        require_email=ref.site.options.require_email,
        max_text_length=ctx.settings.comments.max_text_length,
        max_name_length=ctx.settings.comments.max_name_length,
        warning=warning,
    )


def build_thread(
    ctx: Context,
    view: ThreadView,
    loaded: list[Comment],
    *,
    sort: Sort,
    title: str | None,
    base: str,
    given: FormInput | None,
    tr: Translator,
    lang: str | None = None,
    batch: ReplyBatch | None = None,
) -> ThreadContext:
    """The thread as template values, in `tr`'s language. `base` prefixes every link (empty on our own
    page, the server's origin in the fragment); `given` is None when no form is wanted (fragment, demo
    summary); `lang` is the language asked for in the URL, kept in every link and the form; `batch` when
    the page shows one conversation's batch of replies instead of a page of the thread."""
    ref = view.ref
    thread = view.thread
    page = view.page.number
    depth_limit = max(1, ref.site.options.display_depth)
    names = {c.id: c for c in loaded}

    def href(**extra: Any) -> str:
        return f"{base}/thread?{thread_query(ref, title, lang=lang, **extra)}"

    def permalink(comment_id: str) -> str:
        return comment_page(ctx, uri=ref.uri, key=ref.key, site_name=ref.site.name, comment_id=comment_id)

    # Where this view is: reply links and the form come back to it.
    here: dict[str, Any] = {"sort": sort, "page": page}
    if batch is not None:
        here.update(replies=batch.root, offset=batch.offset)

    def form_for(given: FormInput, parent_name: str | None, cancel_href: str | None) -> FormView:
        """The comment form of this view: under a comment (with its author and a cancel link) or at the end."""
        return build_form(
            ctx,
            ref,
            tr,
            sort=sort,
            page=page,
            title=title,
            lang=lang,
            given=given,
            parent_name=parent_name,
            cancel_href=cancel_href,
        )

    parent_here = given is not None and given.parent is not None and given.parent in names
    comments: list[CommentView] = []
    for c in loaded:
        deleted = c.status is CommentStatus.DELETED
        parent = names.get(c.parent) if c.parent else None
        in_reply_to = None
        if c.depth > depth_limit and parent is not None:
            in_reply_to = tr("someone") if parent.status is CommentStatus.DELETED else parent.author.name
        item = CommentView(
            id=c.id,
            name="" if deleted else c.author.name,
            website=None if deleted else safe_website(c.author.website),
            avatar="" if deleted else absolute(base, avatar_url(ctx, c.author.key)),
            html=Markup("" if deleted else c.html),  # noqa: S704 - sanitised by domain/text.py on the way in
            iso=rfc3339(c.created),
            when=tr.datetime(c.created),
            edited_iso=rfc3339(c.edited) if c.edited else None,
            edited_when=tr.datetime(c.edited) if c.edited else None,
            likes=c.likes,
            deleted=deleted,
            indent=min(c.depth, depth_limit),
            in_reply_to=in_reply_to,
            reply_href=href(**here, reply=c.id) + "#reply",
            notice_href=f"{base}/legal-notice?{urlencode({'comment': c.id, 'lang': tr.lang})}",
            staff=c.staff and not deleted,
            pinned=c.pinned and not deleted,
            featured=c.featured and not deleted,
            images=[]
            if deleted
            else [(absolute(base, image_url(ctx, i.name)), i.width, i.height, i.alt) for i in c.images],
            moderator_edited=c.moderator_edited is not None and not deleted,
            moderator_note=None if deleted else c.moderator_note,
            permalink=permalink(c.id),
            reply_of=permalink(c.parent) if c.parent else ref.uri,
        )
        if given is not None and parent_here and given.parent == c.id and not deleted:
            cancel = href(**here) + ("#reply" if batch is None else f"#comment-{c.id}")
            item.form = form_for(given, c.author.name, cancel)
        comments.append(item)
    _link_more_replies(
        comments,
        view.more,
        batch,
        lambda root, offset: href(**{**here, "replies": root, "offset": offset}),
        lambda n: tr.plural("moreReplies", n),
    )
    form = None
    if given is not None and not parent_here and batch is None:
        given.parent = None if given.parent not in names else given.parent
        form = form_for(given, None, None)
    count = thread.comment_count if thread else 0
    likes = thread.like_count if thread else 0
    pages = view.page.pages
    window = range(max(1, page - 3), min(pages, page + 3) + 1)
    page_links = [(n, href(sort=sort, page=n), n == page) for n in window]
    if window and window[0] > 1:
        page_links.insert(0, (1, href(sort=sort, page=1), False))
    if window and window[-1] < pages:
        page_links.append((pages, href(sort=sort, page=pages), False))
    back_href = earlier_href = None
    if batch is not None:
        back_href = href(sort=sort, page=page) + f"#comment-{batch.root}"
        if batch.offset > 0:
            earlier = max(0, batch.offset - batch.per_page)
            earlier_href = href(sort=sort, page=page, replies=batch.root, offset=earlier or None)
    return ThreadContext(
        title=(thread.title if thread and thread.title else None) or title or ref.uri or ref.key or "",
        article_url=ref.uri,
        count_text=tr("page.noResponses") if count == 0 else tr.plural("responses", count),
        likes=likes,
        likes_text=tr.plural("likes", likes) if likes else "",
        likers=[(lk.name, absolute(base, avatar_url(ctx, lk.avatar_key))) for lk in view.likers],
        comments=comments,
        sorts=[(tr(s.value), href(sort=s), s is sort) for s in Sort],
        pages=page_links if pages > 1 and batch is None else [],
        prev_href=href(sort=sort, page=page - 1) if 1 < page <= pages else None,
        next_href=href(sort=sort, page=page + 1) if page < pages else None,
        page_number=page,
        page_count=pages,
        form=form,
        reply_href=href(sort=sort, page=page) + "#reply",
        page_href=href(sort=sort, page=page),
        tr=tr,
        back_href=back_href,
        earlier_href=earlier_href,
        feed_href=thread_feed_href(base, uri=ref.uri, key=ref.key, site_name=ref.site.name),
        webmention_href=f"{base}/webmention" if ctx.settings.webmention.receive else None,
    )


def _link_more_replies(
    comments: list[CommentView],
    more: dict[str, int],
    batch: ReplyBatch | None,
    href: Any,
    more_text: Callable[[int], str],
) -> None:
    """Put "Show N more replies" (`more_text`, in the page's language) after the last comment shown of each conversation that has more: on a
    page, the conversations its top-level comments (the keys of `more`) start; in a batch, the one."""
    if batch is not None:
        if batch.more and comments:
            comments[-1].more_text = more_text(batch.more)
            comments[-1].more_href = href(batch.root, batch.offset + batch.shown)
        return
    root: str | None = None
    shown = 0
    for index, c in enumerate(comments):
        if c.id in more:
            root, shown = c.id, 0
        else:
            shown += 1
        last = index + 1 == len(comments) or comments[index + 1].id in more
        if last and root is not None and more.get(root, 0) > 0:
            c.more_text = more_text(more[root])
            c.more_href = href(root, shown)


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    check_text_field(title, "title")
    return " ".join(title.split())[:500] or None


def clean_reply(reply: str | None) -> str | None:
    """A comment id from a reply link; anything that cannot be an id is ignored (the form goes last)."""
    if reply and len(reply) <= 64 and reply.isascii() and reply.replace("-", "").replace("_", "").isalnum():
        return reply
    return None
