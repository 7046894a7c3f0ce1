"""Fitting and storing the linear spam/abuse models: labelled examples → sparse matrix → two logistic
regressions (scikit-learn SGD) → weights saved as plain arrays. No pickle anywhere: a model file is an
.npz of numbers and a JSON header, loaded with allow_pickle=False, so a writable model directory cannot
run code. Blocking CPU work: callers run it in a thread (see spam.Classifier.train).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgspec
import numpy as np
import numpy.typing as npt

from rejoinder.moderation.features import (
    FEATURE_VERSION,
    N_FEATURES,
    SIGNAL_COLUMN,
    Example,
    Features,
    featurize,
)

if TYPE_CHECKING:
    import scipy.sparse as sp

# scipy and scikit-learn are imported where training needs them: scoring with a saved model needs
# numpy only, and importing scikit-learn costs about a second at startup.

BUILTIN_DATA: Final = Path(__file__).resolve().parent / "data" / "builtin.jsonl.gz"
# The built-in model fitted from BUILTIN_DATA at build time by scripts/make_spam_data.py.
BUILTIN_MODEL: Final = Path(__file__).resolve().parent / "data" / "builtin.npz"
# trained_at of the shipped model: it is data, rebuilt only when the data or the features change.
BUILTIN_TRAINED_AT: Final = datetime(2026, 1, 1, tzinfo=UTC)
KNOWN_COLUMN: Final = SIGNAL_COLUMN["known_spam_domain"]
# Regularisation, passes and the weight of a spam (abuse) example against a non-spam (non-abuse) one in its
# head, chosen on a validation split of the training data alone (the hard kinds' third templates left out
# of the fit; docs/moderation.md, "Every language and the hard cases"): strong regularisation spreads
# the weight over a word's n-grams, which is what carries a word to its other forms and languages.
# The weight raises every score a little (an ordinary comment scores about 0.1 for abuse instead of 0.02):
# a larger one caught more on the validation split but pushed ordinary comments towards the flag threshold.
ALPHA: Final = 1e-4
EPOCHS: Final = 8
POSITIVE_WEIGHT: Final = 4.0
POLITICS_WEIGHT: Final = 2.0


class Label(StrEnum):
    """What a moderator decided a comment is. Approve → HAM (as political speech → POLITICS); mark as spam →
    SPAM; reject as insulting or harassing → ABUSE. Rejections for other reasons (off-topic, duplicate, legal) teach nothing here."""

    HAM = "ham"
    SPAM = "spam"
    ABUSE = "abuse"
    # Approved as "not abuse: political speech": legitimate, like HAM, and weighing POLITICS_WEIGHT times
    # as much, because the moderator said in so many words that the strong language is not abuse.
    POLITICS = "politics"


class Labelled(msgspec.Struct, frozen=True):
    """A labelled example; `key` (e.g. the comment id) lets a later decision on the same comment replace
    an earlier one."""

    example: Example
    label: Label
    key: str | None = None


class ModelInfo(msgspec.Struct, frozen=True):
    """Which model scored a comment, and what it learned from.

    Attributes:
        site_id: the site of a per-site model; None for the built-in model every site falls back to.
        version: 1 for the built-in model; a per-site model counts its trainings from 1.
        trained_at: when it was fitted (UTC).
        examples: training examples in all (built-in data plus the site's decisions).
        decisions: the site's moderator decisions included, by label (empty for the built-in model).
        decisions_seen: the last decision row (classifier_decisions.id) this training read; for decisions
            given to Classifier.learn, how many there were.
        feature_version: features.FEATURE_VERSION at training; a model of another version is refitted.
        corpus: SHA-256 of the built-in data it was trained with.
    """

    site_id: str | None
    version: int
    trained_at: datetime
    examples: int
    decisions: dict[str, int]
    decisions_seen: int
    feature_version: int
    corpus: str

    @property
    def name(self) -> str:
        """A short label for logs and the moderation UI: "built-in v1", "site 3 v7"."""
        return f"built-in v{self.version}" if self.site_id is None else f"site {self.site_id} v{self.version}"


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Two logistic regressions over the same features: column 0 scores spam, column 1 abuse."""

    weights: npt.NDArray[np.float32]  # (N_FEATURES, 2)
    bias: npt.NDArray[np.float64]  # (2,)
    known_domains: frozenset[str]
    info: ModelInfo

    def contributions(self, f: Features) -> npt.NDArray[np.float64]:
        """Per feature entry, its additive part of each log-odds: shape (entries, 2)."""
        out: npt.NDArray[np.float64] = self.weights[f.index].astype(np.float64) * f.value[:, None]
        return out

    def probabilities(self, f: Features) -> tuple[float, float]:
        z = self.contributions(f).sum(axis=0) + self.bias
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        return float(p[0]), float(p[1])


# -----------------------------------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------------------------------


def _decode_record(line: bytes) -> Labelled:
    raw = json.loads(line)
    example = Example(
        text=str(raw["text"]),
        author_name=str(raw.get("name") or ""),
        website=str(raw.get("website") or ""),
        new_author=bool(raw.get("new_author", False)),
    )
    key = raw.get("key")
    return Labelled(example, Label(raw["label"]), None if key is None else str(key))


def load_examples(path: Path) -> list[Labelled]:
    """Labelled examples from JSON lines (gzip'd if the name ends in .gz): text, label, name, website,
    new_author, key. A later line with the same key replaces the earlier one."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return parse_examples(fh.read())


def parse_examples(data: bytes) -> list[Labelled]:
    """`load_examples` from bytes already read."""
    items: list[Labelled] = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            items.append(_decode_record(line))
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line from a crash mid-append; the rest stays usable
    return latest_per_key(items)


def latest_per_key(items: Iterable[Labelled]) -> list[Labelled]:
    """The items in order, a later item with the same key replacing the earlier one in its place."""
    out: list[Labelled] = []
    where: dict[str, int] = {}
    for item in items:
        if item.key is not None and item.key in where:
            out[where[item.key]] = item
            continue
        if item.key is not None:
            where[item.key] = len(out)
        out.append(item)
    return out


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class Matrix:
    """Featurised examples: the rows (without the known-domain signal, which depends on the whole
    training set), the labels and each row's linked domains."""

    rows: sp.csr_matrix
    labels: tuple[Label, ...]
    domains: tuple[frozenset[str], ...]

    def __len__(self) -> int:
        return len(self.labels)


def fit_builtin(data: Path = BUILTIN_DATA, trained_at: datetime = BUILTIN_TRAINED_AT) -> LinearModel:
    """Fit the built-in model from the labelled data (about 2.5 s of CPU, scikit-learn's import included)."""
    return fit(
        [(builtin_matrix(data), 1.0)],
        site_id=None,
        version=1,
        trained_at=trained_at,
        corpus=file_digest(data),
    )


def featurize_all(items: Sequence[Labelled]) -> Matrix:
    import scipy.sparse as sp

    indptr = [0]
    indices: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float64]] = []
    domains = []
    for item in items:
        f = featurize(item.example)
        indices.append(f.index)
        values.append(f.value)
        indptr.append(indptr[-1] + len(f.index))
        domains.append(f.domains)
    rows = sp.csr_matrix(
        (
            np.concatenate(values).astype(np.float32) if values else np.zeros(0, np.float32),
            np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
            np.asarray(indptr, dtype=np.int64),
        ),
        shape=(len(items), N_FEATURES),
    )
    rows.sum_duplicates()
    return Matrix(rows, tuple(i.label for i in items), tuple(domains))


@lru_cache(maxsize=2)
def _cached_matrix(path: Path, stamp: tuple[int, int]) -> Matrix:
    return featurize_all(load_examples(path))


def builtin_matrix(path: Path = BUILTIN_DATA) -> Matrix:
    """The featurised built-in data, computed once per process (a few seconds of CPU, about 29 MB) and shared
    by every Classifier: each per-site training stacks the site's decisions under it."""
    st = path.stat()
    return _cached_matrix(path, (st.st_mtime_ns, st.st_size))


# -----------------------------------------------------------------------------------------------------
# Fitting
# -----------------------------------------------------------------------------------------------------


def _known_domains(
    domains: Sequence[frozenset[str]], labels: Sequence[Label]
) -> tuple[Counter[str], Counter[str]]:
    spam: Counter[str] = Counter()
    clean: Counter[str] = Counter()
    for doms, label in zip(domains, labels, strict=True):
        (spam if label is Label.SPAM else clean).update(doms)
    return spam, clean


def fit(
    parts: Iterable[tuple[Matrix, float]],
    *,
    site_id: str | None,
    version: int,
    trained_at: datetime,
    corpus: str,
    decisions_seen: int = 0,
    site_part: Matrix | None = None,
) -> LinearModel:
    """Fit both heads on the stacked parts, each with its sample weight.

    The known-spam-domain signal of each row is computed leave-one-out: set when some *other* spam row
    links to the domain and no other non-spam row does, so the model learns what a known domain is worth
    without being told the answer by the row itself.
    """
    import scipy.sparse as sp
    from sklearn.linear_model import SGDClassifier

    pairs = [(m, w) for m, w in parts if len(m)]
    matrices = [m for m, _ in pairs]
    labels = [lab for m in matrices for lab in m.labels]
    domains = [d for m in matrices for d in m.domains]
    spam_n, clean_n = _known_domains(domains, labels)
    known_rows, known_cols = [], []
    for i, (doms, label) in enumerate(zip(domains, labels, strict=True)):
        is_spam = label is Label.SPAM
        for d in doms:
            if spam_n[d] - is_spam >= 1 and clean_n[d] - (not is_spam) == 0:
                known_rows.append(i)
                known_cols.append(KNOWN_COLUMN)
                break
    x = sp.vstack([m.rows for m in matrices], format="csr")
    if known_rows:
        known = sp.csr_matrix(
            (np.ones(len(known_rows), np.float32), (known_rows, known_cols)), shape=x.shape, dtype=np.float32
        )
        x = (x + known).tocsr()
    sample_weight = np.concatenate([np.full(len(m), w, dtype=np.float64) for m, w in pairs])
    y = np.asarray([lab.value for lab in labels])
    sample_weight[y == Label.POLITICS.value] *= POLITICS_WEIGHT
    w = np.zeros((N_FEATURES, 2), dtype=np.float32)
    b = np.zeros(2, dtype=np.float64)
    for col, target in enumerate((Label.SPAM, Label.ABUSE)):
        yy = (y == target.value).astype(np.int8)
        if yy.min() == yy.max():
            # One class only (cannot happen with the built-in data in the set): a constant model.
            b[col] = 8.0 if yy[0] else -8.0
            continue
        clf = SGDClassifier(
            loss="log_loss",
            alpha=ALPHA,
            max_iter=EPOCHS,
            tol=None,
            average=True,
            random_state=20240607 + col,
            class_weight={0: 1.0, 1: POSITIVE_WEIGHT},
        )
        clf.fit(x, yy, sample_weight=sample_weight)
        w[:, col] = clf.coef_[0].astype(np.float32)
        b[col] = float(clf.intercept_[0])
    known_set = frozenset(d for d, n in spam_n.items() if n >= 1 and clean_n[d] == 0)
    counts = Counter(lab.value for lab in site_part.labels) if site_part is not None else Counter()
    info = ModelInfo(
        site_id=site_id,
        version=version,
        trained_at=trained_at,
        examples=len(labels),
        decisions=dict(sorted(counts.items())),
        decisions_seen=decisions_seen,
        feature_version=FEATURE_VERSION,
        corpus=corpus,
    )
    return LinearModel(weights=w, bias=b, known_domains=known_set, info=info)


# -----------------------------------------------------------------------------------------------------
# Storage: numbers only
# -----------------------------------------------------------------------------------------------------


class ModelFileError(ValueError):
    """A model file is missing, unreadable, or not a model of this feature version."""


def save_model(model: LinearModel, path: Path) -> None:
    """Write atomically (temp file + rename), so a reader in another process sees the old model or the
    new one, never half of one."""
    rows = np.flatnonzero(np.any(model.weights != 0, axis=1)).astype(np.int32)
    header = {
        "info": msgspec.to_builtins(model.info),
        "known_domains": sorted(model.known_domains),
        "n_features": N_FEATURES,
    }
    arrays = {
        "rows": rows,
        "weights": model.weights[rows],
        "bias": model.bias,
        "header": np.frombuffer(json.dumps(header, sort_keys=True).encode(), dtype=np.uint8),
    }
    # np.savez would stamp each member with the current time; a fixed stamp makes the same model the same
    # bytes (the shipped data/builtin.npz does not change when it is rewritten unchanged).
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(member, "w") as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(array), allow_pickle=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_model(path: Path) -> LinearModel:
    """Read a model written by save_model.

    Raises:
        ModelFileError: the file is missing, malformed, or of another feature version.
    """
    try:
        with np.load(path, allow_pickle=False) as npz:
            rows = np.asarray(npz["rows"])
            values = np.asarray(npz["weights"])
            bias = np.asarray(npz["bias"], dtype=np.float64)
            header = json.loads(bytes(np.asarray(npz["header"], dtype=np.uint8)))
        info = msgspec.convert(header["info"], ModelInfo)
        known = frozenset(str(d) for d in header["known_domains"])
        n_features = int(header["n_features"])
    except (OSError, KeyError, ValueError, TypeError, msgspec.ValidationError) as exc:
        raise ModelFileError(f"{path}: {exc}") from exc
    if (
        n_features != N_FEATURES
        or info.feature_version != FEATURE_VERSION
        or rows.ndim != 1
        or values.shape != (len(rows), 2)
        or bias.shape != (2,)
        or (len(rows) and (rows.min() < 0 or rows.max() >= N_FEATURES))
    ):
        raise ModelFileError(f"{path}: not a model for feature version {FEATURE_VERSION}")
    weights = np.zeros((N_FEATURES, 2), dtype=np.float32)
    weights[rows.astype(np.int64)] = values.astype(np.float32)
    return LinearModel(weights=weights, bias=bias, known_domains=known, info=info)
