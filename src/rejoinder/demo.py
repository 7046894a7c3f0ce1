"""`rejoinder demo`: the sample article, its seeded discussion, and the app factory that serves /demo/.

The article and comments are fiction written for this project. Seeding goes through the services, the
same code the HTTP API runs, and happens once per database (a restart finds the thread and leaves it).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Request, Response, get

from rejoinder.config import Settings
from rejoinder.domain.sites import SiteOptions
from rejoinder.domain.threads import Sort
from rejoinder.domain.urls import is_loopback
from rejoinder.errors import NotFound
from rejoinder.i18n import translator
from rejoinder.notify.mailbox import read_mailbox
from rejoinder.runtime import open_context
from rejoinder.services import comments as comment_service
from rejoinder.services import likes as like_service
from rejoinder.services import sites as site_service
from rejoinder.services import threads as thread_service
from rejoinder.services.admin_auth import hash_password
from rejoinder.services.context import Context, now_us
from rejoinder.web.page_models import build_thread
from rejoinder.web.pages import PAGE_ERRORS, html_response, static_href
from rejoinder.web.wire import ctx_of, rfc3339

if TYPE_CHECKING:
    from rejoinder.app import Rejoinder

SITE = "demo"
DB_FILE = "rejoinder-demo.db"
HOUR = 3600 * 1_000_000


class DemoArticle(msgspec.Struct, frozen=True):
    """The article page's content. `blocks` are (kind, text) with kind one of p, h2, quote."""

    url: str
    title: str
    masthead: str
    section: str
    standfirst: str
    author: str
    blocks: tuple[tuple[str, str], ...]


MAILBOX_DIR = "rejoinder-demo-mailbox"
MODERATOR = "moderator"
DEMO_PROVIDERS = {"email": {"preset": "email"}, "passkey": {"preset": "passkey"}}


@dataclasses.dataclass(frozen=True)
class Own:
    """What the demo sets itself, as CLI flags (strings, handed to the workers through the environment):
    the public URL on `localhost` (passkeys want a host name, and browsers treat localhost as secure), the
    mailbox directory instead of SMTP, and a moderator account with a password made for this run. Nothing
    the configuration already sets is changed."""

    flags: dict[str, dict[str, Any]]
    username: str = ""
    password: str = ""  # made now; empty when the configuration names its own admin

    @classmethod
    def prepare(cls, settings: Settings, directory: Path, *, host: str, port: int) -> Own:
        flags: dict[str, dict[str, Any]] = {}
        if not settings.server.public_url:
            name = "localhost" if is_loopback(host) else (f"[{host}]" if ":" in host else host)
            flags["server"] = {"public_url": f"http://{name}:{port}"}
        if not settings.email.host and not settings.email.mailbox:
            flags["email"] = {"mailbox": str(directory / MAILBOX_DIR), "sender": "demo@localhost"}
        if settings.admin.username:
            return cls(flags)
        password = secrets.token_urlsafe(12)
        flags["admin"] = {"username": MODERATOR, "password_hash": hash_password(password)}
        return cls(flags, MODERATOR, password)


def providers(settings: Settings) -> dict[str, Any]:
    """The configured sign-in providers plus email links and passkeys (unless the configuration already
    has providers of those kinds), as `auth.providers` overrides."""
    configured: dict[str, Any] = msgspec.to_builtins(settings.auth.providers)
    presets = {p.get("preset") or name for name, p in configured.items()}
    extra = {
        name: p for name, p in DEMO_PROVIDERS.items() if p["preset"] not in presets and name not in configured
    }
    if not settings.server.public_url.startswith(("https://", "http://localhost")):
        extra.pop("passkey", None)  # browsers allow passkeys only in a secure context
    return {**configured, **extra}


def article_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/demo/"


def demo_origins(host: str, port: int) -> list[str]:
    origins = {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
    if host not in ("127.0.0.1", "localhost", "0.0.0.0", "::", ""):
        origins.add(f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}")
    return sorted(origins)


TITLE = "The Weir Lane footbridge reopens, with lights that dim for the bats"

BLOCKS: tuple[tuple[str, str], ...] = (
    (
        "p",
        "The footbridge over the Lissom at Weir Lane reopened to walkers and cyclists on Tuesday morning, a "
        "little over fourteen months after engineers fenced it off when a routine inspection found rot in two "
        "of its timber cross-beams. By nine o'clock a small queue had formed at the allotment end: dog "
        "walkers, a primary school class with clipboards, and at least one delivery rider checking his watch.",
    ),
    (
        "p",
        "The rebuilt bridge follows the old line across the river, but little else survives. The deck is now "
        "a ribbed composite that the council says will not turn slick with algae the way the old planks did "
        "every autumn. The handrails are a few centimetres higher, to meet current guidance for cyclists, and "
        "the approach on the allotment side has been regraded into a gentler slope.",
    ),
    ("h2", "Lights that dim at ten"),
    (
        "p",
        "The part most likely to start arguments is the lighting. The old bridge was dark, which kept it quiet "
        "for the pipistrelle bats that feed along this stretch of river, but it also meant that many people, "
        "particularly those walking home from the station, avoided it after sunset. The new bridge has low, "
        "warm-coloured lamps set into the handrail posts. They run at full brightness from dusk until 10 p.m. "
        "and then drop to a fraction of that until dawn, and they point down at the deck rather than out over "
        "the water.",
    ),
    (
        "quote",
        "We tried to find the point where people feel safe crossing and the bats still have a dark corridor "
        "to hunt in. We don't think we have it exactly right yet, and that is why we are asking. "
        "— Anwen Price, chair of the council's environment committee",
    ),
    (
        "p",
        "The lighting is on a six-month trial. Residents can send their views until the end of March, and the "
        "committee will decide in April whether to keep the schedule, move the dimming time, or change the "
        "brightness.",
    ),
    ("h2", "What is still to come"),
    (
        "p",
        "Not everything is finished. The ramp at the Weir Lane end is still steeper than the council would "
        "like. A wider, shallower one is due in the summer, once a drainage problem under the lane has been "
        "dealt with. Until then, the council suggests that wheelchair users and people with pushchairs use the "
        "level crossing at Mill Road, about four hundred metres downstream.",
    ),
    (
        "p",
        "The repairs cost £612,000, a little over the original estimate of £580,000. The council puts the "
        "difference down to the steel substructure, which had to be ordered twice after the first batch "
        "failed its inspection.",
    ),
    (
        "p",
        "Have you crossed the bridge since it reopened? Tell us what you make of the lights, the new deck or "
        "anything else below. Please keep it civil.",
    ),
)


def article(port: int) -> DemoArticle:
    return DemoArticle(
        url=article_url(port),
        title=TITLE,
        masthead="The Millbrook Ledger",
        section="Town & River",
        standfirst=(
            "After fourteen months behind fences, the crossing between Weir Lane and the allotments is open "
            "again. The council wants to hear from the people who use it before it settles the lighting plan."
        ),
        author="Nell Ashworth",
        blocks=BLOCKS,
    )


class SeedComment(msgspec.Struct, frozen=True):
    ref: str  # a local name, so replies can point at their parent
    parent: str | None
    hours_ago: float
    name: str
    email: str | None
    website: str | None
    text: str
    likes: int


DISCUSSION: tuple[SeedComment, ...] = (
    SeedComment(
        "priya",
        None,
        44,
        "Priya Natarajan",
        "priya@example.org",
        None,
        "Crossed it this morning with the dog. The new deck is **so much better** than the old planks: no more "
        "sliding about on the green stuff every October. Thank you to whoever finally sorted it.",
        5,
    ),
    SeedComment(
        "tom",
        "priya",
        42,
        "Tom Okafor",
        "tom@example.org",
        "https://tom-rides.example/",
        "Agreed on the deck. The ramp at the Weir Lane end is another story, though: I watched someone with a "
        "double buggy give up halfway and turn back. Is there a date for the new one?",
        1,
    ),
    SeedComment(
        "marcus",
        "tom",
        39,
        "Marcus Bell",
        None,
        None,
        "There's a date of sorts in the committee papers from January:\n\n"
        "1. drainage repairs under Weir Lane first (booked for May),\n"
        "2. then the new ramp, *at 1 in 20* instead of roughly 1 in 12 now,\n"
        "3. and the signs pointing to Mill Road come down when it opens.\n\n"
        "So, realistically, late summer.",
        3,
    ),
    SeedComment(
        "tom-again",
        "marcus",
        37,
        "Tom Okafor",
        "tom@example.org",
        "https://tom-rides.example/",
        "Thanks, Marcus: that's more than the council's own page says. I'll save my grumbling for August.",
        0,
    ),
    SeedComment(
        "hedda",
        None,
        30,
        "Hedda Lindqvist",
        "hedda@example.org",
        "https://hedda-at-dusk.example/",
        "On the lights:\n\n> they point down at the deck rather than out over the water\n\n"
        "This is the important bit. I lead bat walks along the Lissom every summer, and the pipistrelles fed "
        "right under the old bridge. Low, warm, downward light is "
        "[what the bat groups recommend](https://bats.example/lighting), so I'm cautiously pleased.",
        7,
    ),
    SeedComment(
        "june",
        "hedda",
        26,
        "June Achterberg",
        None,
        None,
        "Cautiously pleased here too. I walk back from the station around eleven on Thursdays, and even dimmed "
        "there's enough light to see the edges of the deck. Before, I went the long way round by Mill Road.",
        2,
    ),
    SeedComment(
        "sam",
        None,
        20,
        "Sam Kowalski",
        "sam@example.org",
        None,
        "Genuine question: is anyone counting how many people use it after 10 p.m.? If the trial is meant to "
        "settle the schedule, it would help to have numbers and not only comments like ours.",
        1,
    ),
    SeedComment(
        "priya-again",
        "sam",
        18,
        "Priya Natarajan",
        "priya@example.org",
        None,
        "There's a little grey box on the post at the allotment end that looks like a counter. Whether anyone "
        "reads it is another matter!",
        0,
    ),
)

NAMED_LIKERS = ("Ines Duarte", "Dolores", "Sam K.", "Rafe Whitcombe")
ANONYMOUS_LIKES = 7


def _fixed(at: int) -> Callable[[], int]:
    return lambda: at


def _visitor(n: int) -> str:
    return f"demo-reader-{n:04d}"


async def seed(settings: Settings, *, host: str, port: int) -> bool:
    """Create or update the demo site and, on a new database, the article's discussion.

    Returns:
        True when the discussion was seeded now, False when it was already there.
    """
    async with open_context(settings, migrate=False) as runtime:
        origins = demo_origins(host, port)
        existing = {s.name: s for s in await site_service.list_sites(runtime.engine)}
        if SITE in existing:
            missing = [o for o in origins if o not in existing[SITE].origins]
            if missing:
                await site_service.update_site(
                    runtime.engine, SITE, add_origins=missing, remove_origins=[], options=None
                )
        else:
            await site_service.add_site(runtime.engine, SITE, origins, SiteOptions(display_depth=3), now_us())
        ctx = runtime.ctx
        await ctx.sites.load()
        ref = await thread_service.resolve_ref(ctx, url=article_url(port), key=None, site=SITE)
        view = await thread_service.read_thread(ctx, ref, sort=Sort.OLDEST, page=1, limit=1)
        if view.thread is not None:
            return False
        await _seed_discussion(ctx, ref)
        return True


async def _seed_discussion(ctx: Context, ref: thread_service.ThreadRef) -> None:
    now = ctx.clock()
    ids: dict[str, str] = {}
    for c in DISCUSSION:
        at = now - int(c.hours_ago * HOUR)
        posted = await comment_service.post_comment(
            dataclasses.replace(ctx, clock=_fixed(at)),
            ref,
            comment_service.NewComment(
                text=c.text,
                parent=ids[c.parent] if c.parent else None,
                name=c.name,
                email=c.email,
                website=c.website,
                title=TITLE,
            ),
            visitor=None,
            ip=None,
        )
        ids[c.ref] = posted.comment.id
    readers = 0
    for c in DISCUSSION:
        for _ in range(c.likes):
            readers += 1
            await like_service.like_comment(ctx, ids[c.ref], visitor=_visitor(readers), like=True)
    for n in range(ANONYMOUS_LIKES + len(NAMED_LIKERS)):
        name = NAMED_LIKERS[n - ANONYMOUS_LIKES] if n >= ANONYMOUS_LIKES else None
        later = dataclasses.replace(ctx, clock=_fixed(now - (40 - 4 * n) * HOUR))
        await like_service.like_thread(later, ref, visitor=_visitor(100 + n), like=True, name=name)


# --- the demo article's pages (registered by app_factory only) ------------------------------------------


@get(["/demo", "/demo/"], include_in_schema=False, exception_handlers=PAGE_ERRORS)
async def demo_article(request: Request[Any, Any, Any]) -> Response[str]:
    """The sample article with the widget under it."""
    article = request.app.state.get("demo")
    if not isinstance(article, DemoArticle):
        raise NotFound(f"Nothing is served at {request.url.path}", code="not-found")
    ctx = ctx_of(request)
    ref = await thread_service.resolve_ref(ctx, url=article.url, key=None)
    view = await thread_service.read_thread(ctx, ref, sort=Sort.OLDEST, page=1, limit=1)
    tr = translator("en")  # the sample article is written in English
    thread = build_thread(ctx, view, [], sort=Sort.OLDEST, title=article.title, base="", given=None, tr=tr)
    # The article "appeared" a few hours before its first comment (seeded relative to the first start).
    published = view.stubs[0].created - 4 * 3600 * 1_000_000 if view.stubs else None
    return html_response(
        ctx,
        "demo/article.html",
        a=article,
        t=thread,
        published=tr.date(published) if published else "",
        published_iso=rfc3339(published) if published else "",
        css_href=static_href("noscript.css"),
        demo_css_href=static_href("demo.css"),
        with_scripts=True,
    )


@get(["/demo/mailbox", "/demo/mailbox/"], include_in_schema=False, exception_handlers=PAGE_ERRORS)
async def demo_mailbox(request: Request[Any, Any, Any]) -> Response[str]:
    """The demo's mailbox: the emails the demo would have sent (sign-in links), newest first."""
    ctx = ctx_of(request)
    folder = ctx.settings.email.mailbox
    if not isinstance(request.app.state.get("demo"), DemoArticle) or not folder:
        raise NotFound(f"Nothing is served at {request.url.path}", code="not-found")
    mails = read_mailbox(Path(folder))
    return html_response(
        ctx,
        "demo/mailbox.html",
        mails=[(m, _linked(m.text)) for m in mails],
        demo_css_href=static_href("demo.css"),
    )


def _linked(text: str) -> list[tuple[str, str]]:
    """A message's text as (kind, text) parts, kind "a" for an http(s) URL: the template links those."""
    import re

    parts: list[tuple[str, str]] = []
    at = 0
    for found in re.finditer(r"https?://[^\s<>\"']+", text):
        parts.append(("t", text[at : found.start()]))
        parts.append(("a", found.group(0)))
        at = found.end()
    parts.append(("t", text[at:]))
    return parts


@get("/", include_in_schema=False, exception_handlers=PAGE_ERRORS)
async def demo_home(request: Request[Any, Any, Any]) -> Response[str]:
    """In demo mode the server's root leads to the sample article."""
    return Response(content="", status_code=307, headers={"Location": "/demo/"})


ROUTES: list[Any] = [demo_article, demo_mailbox, demo_home]


def app_factory() -> Rejoinder:
    """The normal app plus the demo article at /demo/ (granian/uvicorn call this in each worker)."""
    from rejoinder import config, logs
    from rejoinder.app import create_app

    settings = config.load()
    settings = config.load(overrides={"auth": {"providers": providers(settings)}})
    logs.configure(settings.server)
    app = create_app(settings, routes=ROUTES)
    app.litestar.state["demo"] = article(settings.server.port)
    return app
