"""Deterministic, realistic Markdown discussions: the same threads are seeded into rejoinder and Isso.

A comment is 1–4 short paragraphs with emphasis, links, inline code, and now and then a fenced code
block, a quote or a list. About a quarter of the comments are replies, mostly to recent comments.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

ORIGIN = "http://bench.example"
SIZES = (10, 1000, 10000)
COUNT_FILLERS = 17  # small threads so that a counts request asks for 20 URLs that all exist
WRITE_PATH = "/write"
REPLY_SHARE = 0.25
MAX_DEPTH = 6  # replies to a comment this deep go to its parent instead
START = 1_700_000_000.0  # seconds since the epoch of the first seeded comment

PROSE = (
    "the article makes a fair point about caching but I think it skips over how invalidation "
    "works when several workers share one database file and a write lands in the middle of a "
    "read which is exactly the case that bit us last spring after we moved the blog to a "
    "smaller server with two cores and far less memory than before so every request mattered "
    "and every query counted I would love to see numbers for the cold path too because that is "
    "what a reader hits after someone posts a reply and the page is busy anyway thanks for "
    "writing this up so clearly it helped me explain the trade off to my team who kept asking "
    "why we render markdown once at write time instead of on every read which sounds obvious "
    "now but was not at the time"
)
WORDS = tuple(PROSE.split())
FIRST = ("Ada", "Brook", "Chidi", "Dana", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kaya", "Luis")
LAST = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Byrne", "Kowalski", "Reyes")
SNIPPETS = (
    "cache.get(key)",
    "PRAGMA journal_mode=WAL",
    "SELECT count(*) FROM comments",
    "await conn.execute(query)",
    "gzip -9 thread.json",
)
BLOCKS = (
    "```python\nasync def read(url):\n    return await cache.get(url) or await load(url)\n```",
    "```sh\nwrk -t1 -c32 -d10s http://127.0.0.1:8080/api/threads\n```",
    '```json\n{"comments": 1000, "bytes": 640000}\n```',
)


@dataclass
class SeedComment:
    index: int  # position in the thread, oldest first
    parent: int | None  # index of the comment replied to
    created: float  # seconds since the epoch
    name: str
    email: str | None
    website: str | None
    text: str


@dataclass
class SeedThread:
    path: str  # the article path; the URL is ORIGIN + path
    title: str
    comments: list[SeedComment]

    @property
    def url(self) -> str:
        return ORIGIN + self.path


def _sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(6, 16))
    roll = rng.random()
    if roll < 0.25:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    elif roll < 0.4:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    elif roll < 0.55:
        i = rng.randrange(len(words) - 1)
        words[i : i + 2] = [f"[{words[i]} {words[i + 1]}](https://example.org/notes/{rng.randint(1, 999)})"]
    elif roll < 0.65:
        words.insert(rng.randrange(len(words)), f"`{rng.choice(SNIPPETS)}`")
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", "?", "!"))


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))


def comment_text(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.12:
        parts.append("> " + _sentence(rng))
    parts.append(_paragraph(rng))
    for _ in range(rng.randint(0, 2)):
        roll = rng.random()
        if roll < 0.12:
            parts.append(rng.choice(BLOCKS))
        elif roll < 0.25:
            bullet = rng.choice(("-", "*", "1."))
            parts.append("\n".join(f"{bullet} {_sentence(rng)}" for _ in range(rng.randint(2, 4))))
        else:
            parts.append(_paragraph(rng))
    return "\n\n".join(parts)


def make_thread(path: str, title: str, size: int, seed: int) -> SeedThread:
    rng = random.Random(seed)
    comments: list[SeedComment] = []
    depth: list[int] = []
    created = START + seed * 1_000_000
    for index in range(size):
        created += rng.uniform(5, 600)
        parent = None
        if index and rng.random() < REPLY_SHARE:
            parent = max(0, index - 1 - int(rng.expovariate(1 / 15)))
            while depth[parent] >= MAX_DEPTH:
                parent = comments[parent].parent or 0
        depth.append(0 if parent is None else depth[parent] + 1)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}@mail.example" if rng.random() < 0.6 else None
        website = f"https://{last.lower()}.example/" if rng.random() < 0.2 else None
        comments.append(
            SeedComment(
                index=index,
                parent=parent,
                created=round(created, 6),
                name=f"{first} {last}",
                email=email,
                website=website,
                text=comment_text(rng),
            )
        )
    return SeedThread(path=path, title=title, comments=comments)


def read_path(size: int) -> str:
    return f"/t{size}"


def filler_paths() -> list[str]:
    return [f"/f{i:02d}" for i in range(COUNT_FILLERS)]


def count_paths() -> list[str]:
    return [read_path(n) for n in SIZES] + filler_paths()


def build() -> list[SeedThread]:
    """Every thread both servers get: one per benchmarked size, small ones for counts, the write target."""
    threads = [make_thread(read_path(n), f"A thread with {n} comments", n, seed=n) for n in SIZES]
    threads += [make_thread(p, f"Filler {p}", 3, seed=100 + i) for i, p in enumerate(filler_paths())]
    threads.append(make_thread(WRITE_PATH, "Where the write benchmark posts", 1, seed=99))
    return threads


def write_comment_text() -> str:
    """The text every benchmarked write posts (a counter is appended per request)."""
    return comment_text(random.Random(7))


def dump(threads: list[SeedThread], path: Path) -> None:
    path.write_text(json.dumps([asdict(t) for t in threads]), encoding="utf-8")


def load(path: Path) -> list[SeedThread]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        SeedThread(path=t["path"], title=t["title"], comments=[SeedComment(**c) for c in t["comments"]])
        for t in raw
    ]
