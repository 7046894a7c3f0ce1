"""The local learning spam and abuse classifier: scores a comment with the words and signals that drove
the score, and fits a per-site model from moderators' decisions in the background, with the built-in
model (trained from the data the project ships) as every site's fallback.

Not here: when to hold or reject (the pipeline compares the scores with its thresholds), and where the
app keeps decisions (rows of the database, store/classifier.py; services/moderation/learning.py hands
them to `fit_site`). Usage:

    classifier = Classifier(Path("/var/lib/rejoinder/models"))
    await classifier.warm_up()                          # load the built-in model off the loop
    score = classifier.score(Example(text, author_name=name), site_id=site.id)
    if score.spam >= 0.9: ...                           # reasons: score.reasons
    info = await classifier.train_site(site.id, decisions, decisions_seen=last_row_id, version=3)
    classifier.learn(1, example, Label.SPAM); classifier.train_blocking(1)   # scripts: decisions in memory

See docs/moderation.md ("Classifier") for the design and the measured numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec

import msgspec
import numpy as np

from rejoinder.moderation.features import SIGNALS, Example, ReasonKind, featurize
from rejoinder.moderation.training import (
    BUILTIN_DATA,
    BUILTIN_MODEL,
    Label,
    Labelled,
    LinearModel,
    ModelFileError,
    ModelInfo,
    builtin_matrix,
    featurize_all,
    file_digest,
    fit,
    fit_builtin,
    latest_per_key,
    load_model,
    save_model,
)

__all__ = [
    "SIGNALS",
    "Classifier",
    "Example",
    "Label",
    "ModelInfo",
    "Reason",
    "ReasonKind",
    "Score",
    "Target",
]

log = logging.getLogger(__name__)

MIN_DECISIONS: Final = 30
SITE_WEIGHT: Final = 4.0
_SAFE_KEY: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_P = ParamSpec("_P")


class Target(StrEnum):
    """What a score or a reason is about."""

    SPAM = "spam"
    ABUSE = "abuse"


class Reason(msgspec.Struct, frozen=True):
    """One thing that pushed a score up.

    Attributes:
        target: the score it pushed.
        kind: word, phrase (two words), link (a linked domain, with the signals about it: URL shortener,
            risky top-level domain, known spam domain), name (a word of the author's name) or signal.
        feature: the word, phrase or domain as normalised (lower case, look-alikes mapped: "v1agra" reads
            "viagra"), or the signal's name (features.SIGNALS explains each in words).
        value: how often the word occurs, or the signal's value in [0, 1].
        contribution: what it added to the target's log-odds; the score is the logistic of their sum
            plus the model's baseline, so +2.2 alone turns even odds into 9 to 1.
    """

    target: Target
    kind: ReasonKind
    feature: str
    value: float
    contribution: float


class Score(msgspec.Struct, frozen=True):
    """Probabilities that a comment is spam and that it is abusive (insults, harassment), each in
    [0, 1] and independent of the other, the reasons behind them (largest first, at most a few per
    target), and the model that scored it."""

    spam: float
    abuse: float
    reasons: tuple[Reason, ...]
    model: ModelInfo


def _in_turn(
    fit: Callable[Concatenate[Classifier, int | str, _P], ModelInfo],
) -> Callable[Concatenate[Classifier, int | str, _P], Awaitable[ModelInfo]]:
    """`fit` made a coroutine: it runs in the classifier's worker thread (the event loop keeps serving), one
    training per site at a time."""

    async def in_turn(
        self: Classifier, site_id: int | str, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> ModelInfo:
        return await self._train_in_turn(_site_key(site_id), partial(fit, self, site_id, *args, **kwargs))

    return in_turn


def _site_key(site_id: int | str) -> str:
    """A directory name for a site: its id if safe, else a digest (ids come from our own tables, but a
    path must never be built from something like "../x")."""
    key = str(site_id)
    if _SAFE_KEY.fullmatch(key) and ".." not in key:
        return key
    return "h-" + hashlib.sha256(str(site_id).encode()).hexdigest()[:32]


class _Cached:
    __slots__ = ("checked", "model", "stamp")

    def __init__(self, model: LinearModel | None, stamp: tuple[int, int] | None, checked: float) -> None:
        self.model = model
        self.stamp = stamp
        self.checked = checked


class Classifier:
    """Scores comments, records moderators' decisions and trains per-site models.

    Files under `directory` (None keeps models in memory, for tests and scripts): `builtin.npz` (the
    built-in model, only when the one shipped in the package does not fit the data in use) and
    `sites/<site>/model.npz`. Several processes may share the directory: training holds a per-site file
    lock, models are replaced atomically, and a process notices another's new model within
    `reload_after` seconds (or at once through `reload`). Decisions given to `learn` stay in memory
    (scripts and tests); the app keeps them in the database and trains with `train_site`.

    Args:
        directory: where models and decisions live, e.g. beside the database.
        min_decisions: a site with fewer decisions uses the built-in model.
        site_weight: how much one of the site's decisions weighs against one built-in example.
        reload_after: seconds between checks for a model file changed by another process.
        max_site_models: per-site models kept in memory (least recently used ones are dropped).
        max_decisions: a training uses at most this many of the site's latest decisions.
        clock: the time recorded with decisions and models.
        data: the built-in labelled data (the shipped file by default).
    """

    def __init__(
        self,
        directory: Path | None,
        *,
        min_decisions: int = MIN_DECISIONS,
        site_weight: float = SITE_WEIGHT,
        reload_after: float = 5.0,
        max_site_models: int = 32,
        max_decisions: int = 20_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        data: Path = BUILTIN_DATA,
    ) -> None:
        self.directory = directory
        self.min_decisions = min_decisions
        self.site_weight = site_weight
        self.reload_after = reload_after
        self.max_site_models = max_site_models
        self.max_decisions = max_decisions
        self.clock = clock
        self.data = data
        self._lock = threading.RLock()
        self._builtin: LinearModel | None = None
        self._builtin_lock = threading.Lock()
        self._sites: OrderedDict[str, _Cached] = OrderedDict()
        self._memory_decisions: dict[str, list[Labelled]] = {}
        self._train_locks: dict[str, asyncio.Lock] = {}
        self._queued: dict[str, asyncio.Future[ModelInfo]] = {}
        # One worker: trainings queue up instead of competing with request handling for both cores.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rejoinder-spam")

    # -------------------------------------------------------------------------------------------------
    # Scoring
    # -------------------------------------------------------------------------------------------------

    def score(
        self,
        example: Example,
        site_id: int | str | None = None,
        *,
        blocked_domains: frozenset[str] = frozenset(),
        max_reasons: int = 5,
    ) -> Score:
        """Score one comment with the site's model, or the built-in one when the site has none yet.

        Args:
            example: the comment.
            site_id: the site it was posted on; None scores with the built-in model.
            blocked_domains: the site's block list; a link to one sets the known_spam_domain signal.
            max_reasons: reasons kept per target.

        The first call loads the built-in model if `warm_up` has not (a few milliseconds; several seconds of CPU
        in the rare case it has to be fitted, see `builtin`). A site model saved by an older FEATURE_VERSION is not used (the site falls back to the
        built-in model, with a warning) until the site is trained again.
        """
        model = self.model_for(site_id)
        f = featurize(
            example, model.known_domains | blocked_domains if blocked_domains else model.known_domains
        )
        contrib = model.contributions(f)
        z = contrib.sum(axis=0) + model.bias
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        reasons: list[Reason] = []
        if max_reasons > 0 and len(f.owners):
            # Sum the entries of each owner (a word's n-grams add up to the word), per target.
            for col, target in enumerate((Target.SPAM, Target.ABUSE)):
                column = np.bincount(f.owner, weights=contrib[:, col], minlength=len(f.owners))
                top = np.argsort(-column)[:max_reasons]
                for i in top:
                    if column[i] <= 0.05:
                        break
                    kind, feature, value = f.owners[int(i)]
                    reasons.append(Reason(target, kind, feature, value, round(float(column[i]), 3)))
        return Score(spam=float(p[0]), abuse=float(p[1]), reasons=tuple(reasons), model=model.info)

    def model_for(self, site_id: int | str | None) -> LinearModel:
        """The model that scores the site's comments: its own if trained, else the built-in one."""
        if site_id is None:
            return self.builtin()
        return self._site_model(_site_key(site_id)) or self.builtin()

    def _site_model(self, key: str) -> LinearModel | None:
        now = time.monotonic()
        with self._lock:
            cached = self._sites.get(key)
            if cached is not None:
                self._sites.move_to_end(key)
                if now - cached.checked < self.reload_after or self.directory is None:
                    return cached.model
        return self._load_site(key, cached, now)

    def _load_site(self, key: str, cached: _Cached | None, now: float) -> LinearModel | None:
        if self.directory is None:
            return None
        path = self._site_dir(key) / "model.npz"
        try:
            st = path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if cached is not None and cached.stamp == stamp:
            cached.checked = now
            return cached.model
        model = None
        if stamp is not None:
            try:
                model = load_model(path)
            except ModelFileError as exc:
                log.warning("spam model for site %s unusable, using the built-in one: %s", key, exc)
        with self._lock:
            self._sites[key] = _Cached(model, stamp, now)
            self._sites.move_to_end(key)
            while len(self._sites) > self.max_site_models:
                self._sites.popitem(last=False)
        return model

    def builtin(self) -> LinearModel:
        """The built-in model: the shipped one (or one saved in the directory) if fitted from the data in
        use, else fitted now (and saved)."""
        model = self._builtin
        if model is not None:
            return model
        # Its own lock: site models stay reachable while the built-in one is being fitted.
        with self._builtin_lock:
            if self._builtin is None:
                self._builtin = self._load_or_fit_builtin()
            return self._builtin

    def _load_or_fit_builtin(self) -> LinearModel:
        """The model saved in the directory, else the one shipped in the package, if either was fitted from
        the data in use with the current features (load_model checks the features); else fit one now and
        save it in the directory."""
        digest = file_digest(self.data)
        candidates = [self.directory / "builtin.npz"] if self.directory is not None else []
        for path in [*candidates, BUILTIN_MODEL]:
            if not path.is_file():
                continue
            try:
                model = load_model(path)
            except ModelFileError as exc:
                log.warning("built-in spam model unusable, trying the next: %s", exc)
                continue
            if model.info.corpus == digest:
                return model
        log.info("fitting the built-in spam model from %s", self.data)
        model = fit_builtin(self.data, trained_at=self.clock())
        if candidates:
            save_model(model, candidates[0])
        return model

    async def warm_up(self) -> ModelInfo:
        """Load or fit the built-in model in the worker thread, so the first score is fast."""
        loop = asyncio.get_running_loop()
        model = await loop.run_in_executor(self._executor, self.builtin)
        return model.info

    # -------------------------------------------------------------------------------------------------
    # Learning
    # -------------------------------------------------------------------------------------------------

    def learn(self, site_id: int | str, example: Example, label: Label, *, key: str | None = None) -> int:
        """Record a moderator's decision as a labelled example for the site, in memory (scripts and tests;
        the app stores decisions in the database and calls `train_site`). No model changes until `train`.

        Args:
            site_id: the site.
            example: the comment as it was decided on.
            label: HAM for approve, SPAM for spam, ABUSE for a rejection as insulting or harassing.
            key: the comment's id: a later decision with the same key replaces this one in training.

        Returns:
            Decisions recorded since the site's current model was trained (all of them if it has none),
            so a caller can retrain every N decisions.
        """
        site = _site_key(site_id)
        with self._lock:
            items = self._memory_decisions.setdefault(site, [])
            items.append(Labelled(example, label, key))
            total = len(items)
        # The site's own model only: the built-in one may not be loaded yet, and learning must not fit it.
        current = self._site_model(site)
        return max(total - (current.info.decisions_seen if current is not None else 0), 0)

    def decisions(self, site_id: int | str) -> list[Labelled]:
        """The site's decisions given to `learn`, a later one per key replacing earlier ones."""
        with self._lock:
            items = list(self._memory_decisions.get(_site_key(site_id), []))
        return latest_per_key(items)

    async def train(self, site_id: int | str) -> ModelInfo:
        """Fit the site's model from the built-in data and its decisions given to `learn`, in the worker
        thread (the event loop keeps serving). One training per site runs at a time; a call made while
        another for the same site waits to start joins that one (it will read the same decisions).
        Cancelling the caller does not cancel the training.

        Returns:
            The info of the model that now scores the site: its new model, or the built-in model's if the
            site has fewer than `min_decisions` decisions.
        """
        site = _site_key(site_id)
        task = self._queued.get(site)
        if task is None:
            task = asyncio.ensure_future(self._train_in_turn(site, self.train_blocking, site_id))
            self._queued[site] = task
        return await asyncio.shield(task)

    async def _train_in_turn(self, site: str, fn: Callable[..., ModelInfo], *args: Any) -> ModelInfo:
        lock = self._train_locks.setdefault(site, asyncio.Lock())
        async with lock:
            # Started: decisions recorded from now on need a later training.
            self._queued.pop(site, None)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, fn, *args)

    def train_blocking(self, site_id: int | str) -> ModelInfo:
        """`train` without the thread: blocks for about a second of CPU. For scripts and tests."""
        site = _site_key(site_id)
        with self._lock:
            items = list(self._memory_decisions.get(site, []))
        current = self._site_model(site)
        version = current.info.version + 1 if current is not None else 1
        return self.fit_site(site_id, items, decisions_seen=len(items), version=version)

    def fit_site(
        self,
        site_id: int | str,
        items: Sequence[Labelled],
        *,
        decisions_seen: int,
        version: int,
        trained_at: datetime | None = None,
    ) -> ModelInfo:
        """Fit the site's model, version `version`, from the built-in data and `items` (a later item per
        key replaces an earlier one; the latest `max_decisions` count), save it under the directory and
        score the site with it. Blocks for about a second of CPU. The fit is deterministic: the same items
        and version give the same model on every host.

        Returns:
            The new model's info, or the built-in model's if there are fewer than `min_decisions` items
            (the site keeps the model it has).
        """
        site = _site_key(site_id)
        with self._site_lock(site):
            chosen = latest_per_key(items)[-self.max_decisions :]
            if len(chosen) < self.min_decisions:
                return self.builtin().info
            site_rows = featurize_all(chosen)
            model = fit(
                [(builtin_matrix(self.data), 1.0), (site_rows, self.site_weight)],
                site_id=str(site_id),
                version=version,
                trained_at=trained_at or self.clock(),
                corpus=self.builtin().info.corpus,
                decisions_seen=decisions_seen,
                site_part=site_rows,
            )
            stamp = None
            if self.directory is not None:
                path = self._site_dir(site) / "model.npz"
                save_model(model, path)
                st = path.stat()
                stamp = (st.st_mtime_ns, st.st_size)
            with self._lock:
                self._sites[site] = _Cached(model, stamp, time.monotonic())
                self._sites.move_to_end(site)
            return model.info

    # The app's way to train from the decisions it keeps in the database: `fit_site`, same arguments.
    train_site = _in_turn(fit_site)

    def site_version(self, site_id: int | str, *, reload: bool = False) -> int:
        """The version of the site's own model in use (0: it has none and the built-in model scores it).
        With `reload`, the model file is looked at now instead of within `reload_after` seconds."""
        site = _site_key(site_id)
        if reload and self.directory is not None:
            with self._lock:
                cached = self._sites.get(site)
            model = self._load_site(site, cached, time.monotonic())
        else:
            model = self._site_model(site)
        return model.info.version if model is not None else 0

    def close(self) -> None:
        """Stop the worker thread (waits for a running training)."""
        self._executor.shutdown(wait=True)

    # -------------------------------------------------------------------------------------------------

    def _site_dir(self, site: str) -> Path:
        assert self.directory is not None
        return self.directory / "sites" / site

    @contextlib.contextmanager
    def _site_lock(self, site: str) -> Iterator[None]:
        """Only one process trains a site at a time (two would both write version n+1)."""
        if self.directory is None:
            yield
            return
        path = self._site_dir(site) / "train.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
