"""Teaching the learning classifier from moderators' decisions, shared by every host through the database:
a decision becomes a row (store/classifier.py); every `train_every` new rows of a site its model is fitted
again and the new version recorded; a host whose model is older than the recorded version loads the newer
file (a shared model_dir) or fits that same version from the same rows (the fit is deterministic).
Not here: fitting and scoring (moderation/classifier.py). docs/adr/0005-classifier-storage.md says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rejoinder.config import Settings
from rejoinder.moderation.actions import ApproveReason, ModAction
from rejoinder.services.context import Context
from rejoinder.services.moderation.runtime import Decision
from rejoinder.store import classifier as store
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as site_store

log = logging.getLogger("rejoinder.moderation")

ABUSIVE_REASONS = frozenset({"abuse", "harassment", "hate"})
DEFAULT_MODEL_DIR = "rejoinder-models"  # under the working directory when the database is not a SQLite file


def model_directory(settings: Settings) -> Path:
    """Where the classifier's model files live: [moderation] model_dir, else beside a SQLite file
    (`<file>.models`), else `rejoinder-models` in the working directory. Never the temp directory: a
    model is worth keeping, and hosts that share a directory share their models' files."""
    if settings.moderation.model_dir:
        return Path(settings.moderation.model_dir)
    url = settings.database.url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///") + ".models")
    return Path.cwd() / DEFAULT_MODEL_DIR


class Learner(Protocol):
    """What teaching needs of the classifier (moderation.classifier.Classifier implements it)."""

    max_decisions: int
    directory: Path | None

    def site_version(self, site_id: int | str, *, reload: bool = False) -> int: ...

    async def train_site(
        self,
        site_id: int | str,
        items: Sequence[Any],
        *,
        decisions_seen: int,
        version: int,
        trained_at: datetime | None = None,
    ) -> Any: ...


def label_of(action: ModAction, reason: str | None) -> str | None:
    """The training label of a decision: approve is ham ("politics" when approved as political speech:
    not abuse, learned with more weight), spam is spam, a rejection as abuse, harassment or hate is abuse;
    other rejections teach nothing (None)."""
    if action is ModAction.APPROVE:
        return "politics" if reason == ApproveReason.POLITICAL_SPEECH else "ham"
    if action is ModAction.SPAM:
        return "spam"
    if action is ModAction.REJECT and reason in ABUSIVE_REASONS:
        return "abuse"
    return None


def labelled(rows: Sequence[store.StoredDecision]) -> list[Any]:
    """Decision rows as the classifier's labelled examples, keyed by comment."""
    from rejoinder.moderation.classifier import Example, Label  # numpy loads only with the classifier
    from rejoinder.moderation.training import Labelled

    return [
        Labelled(Example(r.text, author_name=r.author_name, website=r.website), Label(r.label), r.comment_id)
        for r in rows
    ]


def _datetime(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, UTC)


def _microseconds(at: Any) -> int:
    try:
        return int(datetime.fromisoformat(str(at)).timestamp() * 1_000_000)
    except ValueError:
        return 0


def _legacy_records(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """The lines of an old decision log with a label this version learns, each with a digest of the line."""
    out: list[tuple[str, dict[str, Any]]] = []
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a torn last line from a crash mid-append
        if not isinstance(record, dict) or record.get("label") not in ("ham", "spam", "abuse"):
            continue
        if not isinstance(record.get("text"), str):
            continue
        out.append((hashlib.blake2b(line.strip(), digest_size=16).hexdigest(), record))
    return out


class ClassifierSink:
    """Teaches the learning classifier from moderators' decisions through the database (see the module
    docstring). `check_every` seconds at most pass between two looks at the recorded model versions
    (`refresh_if_due`, called as comments are judged); `monotonic` is that clock."""

    def __init__(
        self,
        classifier: Learner,
        *,
        train_every: int = 10,
        check_every: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.classifier = classifier
        self.train_every = train_every
        self.check_every = check_every
        self.monotonic = monotonic
        self._next_check = 0.0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._training: dict[int, asyncio.Lock] = {}
        self._imported = False

    async def decided(self, ctx: Context, decision: Decision) -> bool:
        """Record a decision as a labelled example (once per event); start a training in the background
        when the site has `train_every` decisions its newest model has not seen. True when recorded."""
        label = label_of(decision.action, decision.reason)
        if label is None:
            return False
        site_id = decision.comment.site_id
        async with store_engine.write(ctx.engine) as conn:
            added = await store.insert_decision(
                conn,
                site_id=site_id,
                event_uid=decision.event_uid,
                comment_id=decision.comment.id,
                label=label,
                text=decision.comment.text,
                author_name=decision.comment.author_name,
                website=decision.comment.author_website or "",
                now=ctx.clock(),
            )
            model = await store.select_model(conn, site_id)
            pending = await store.count_decisions_after(conn, site_id, model.decisions_seen if model else 0)
        if added and pending >= self.train_every:
            self._spawn(self.train(ctx, site_id))
        return added

    async def train(self, ctx: Context, site_id: int) -> int:
        """Fit the site's next model version from its decision rows and record it; returns the version
        now recorded (0: too few decisions, the built-in model still scores the site)."""
        lock = self._training.setdefault(site_id, asyncio.Lock())
        async with lock:
            async with store_engine.read(ctx.engine) as conn:
                record = await store.select_model(conn, site_id)
                rows = await store.select_decisions(conn, site_id, limit=self.classifier.max_decisions)
            current = record.version if record else 0
            if not rows or (record is not None and rows[-1].id <= record.decisions_seen):
                return current
            now = ctx.clock()
            info = await self.classifier.train_site(
                site_id,
                labelled(rows),
                decisions_seen=rows[-1].id,
                version=current + 1,
                trained_at=_datetime(now),
            )
            if info.site_id is None:
                return current
            async with store_engine.write(ctx.engine) as conn:
                await store.upsert_model(
                    conn,
                    store.ModelRecord(
                        site_id=site_id,
                        version=current + 1,
                        decisions_seen=rows[-1].id,
                        trained_at=now,
                        feature_version=info.feature_version,
                    ),
                )
            return current + 1

    async def refresh(self, ctx: Context) -> list[int]:
        """Bring every site's model up to the version recorded in the database: load a newer file another
        host wrote into a shared model_dir, else fit that version from the same decision rows. Returns the
        sites whose model changed."""
        if not self._imported:
            self._imported = True
            await self.import_decision_logs(ctx)
        async with store_engine.read(ctx.engine) as conn:
            records = await store.select_models(conn)
        changed: list[int] = []
        for record in records:
            if self.classifier.site_version(record.site_id) >= record.version:
                continue
            changed.append(record.site_id)
            if self.classifier.site_version(record.site_id, reload=True) >= record.version:
                continue
            async with store_engine.read(ctx.engine) as conn:
                rows = await store.select_decisions(
                    conn, record.site_id, up_to=record.decisions_seen, limit=self.classifier.max_decisions
                )
            await self.classifier.train_site(
                record.site_id,
                labelled(rows),
                decisions_seen=record.decisions_seen,
                version=record.version,
                trained_at=_datetime(record.trained_at),
            )
        return changed

    async def import_decision_logs(self, ctx: Context) -> int:
        """Decisions an earlier version appended to `sites/<site id>/decisions.jsonl` under the model
        directory become rows (each line once, whichever host reads it first: its digest is the row's
        event uid); the file is then renamed `decisions.jsonl.imported`. Returns the rows added."""
        directory = self.classifier.directory
        logs = sorted(directory.glob("sites/*/decisions.jsonl")) if directory is not None else []
        if not logs:
            return 0
        async with store_engine.read(ctx.engine) as conn:
            site_ids = {site.id for site in await site_store.select_sites(conn)}
        added = 0
        for path in logs:
            name = path.parent.name
            if not name.isdigit() or int(name) not in site_ids:
                continue  # a digest-named or deleted site: nothing to attach the decisions to
            records = _legacy_records(path.read_bytes())
            async with store_engine.write(ctx.engine) as conn:
                for uid, record in records:
                    added += await store.insert_decision(
                        conn,
                        site_id=int(name),
                        event_uid=uid,
                        comment_id=str(record.get("key") or uid)[:64],
                        label=str(record["label"]),
                        text=str(record["text"]),
                        author_name=str(record.get("name") or "")[:200],
                        website=str(record.get("website") or "")[:500],
                        now=_microseconds(record.get("at")),
                    )
            # Another host sharing the directory may have renamed it first.
            with contextlib.suppress(FileNotFoundError):
                os.replace(path, path.with_name("decisions.jsonl.imported"))
        if added:
            log.info("[rejoinder] imported %d classifier decisions from decision logs", added)
        return added

    def refresh_if_due(self, ctx: Context) -> None:
        """Start a `refresh` in the background when `check_every` seconds have passed since the last."""
        now = self.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.check_every
        self._spawn(self.refresh(ctx))

    async def drain(self) -> None:
        """Wait for the trainings and refreshes started in the background."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel what runs in the background (a fit already in the classifier's thread finishes there)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("[rejoinder] classifier learning failed", exc_info=exc)
