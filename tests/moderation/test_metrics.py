"""bench/spam_metrics.py, the script that writes the classifier's numbers into docs/moderation.md, runs
and its numbers stay above sane floors: a change that breaks the features, the data or per-site learning
fails here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def metrics() -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "bench/spam_metrics.py", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.slow
def test_held_out_precision_and_recall(metrics: dict[str, Any]) -> None:
    random_split = metrics["quality"]["random_split"]
    for target in ("spam", "abuse"):
        assert random_split[target]["precision"] >= 0.8, random_split
        assert random_split[target]["recall"] >= 0.8, random_split
    assert random_split["ham_flagged"] <= 0.01
    unseen = metrics["quality"]["template_split"]
    assert unseen["spam"]["precision"] >= 0.8 and unseen["spam"]["recall"] >= 0.8, unseen
    assert unseen["abuse"]["precision"] >= 0.8 and unseen["abuse"]["recall"] >= 0.7, unseen


@pytest.mark.slow
def test_moderator_decisions_improve_the_new_campaign_recall(metrics: dict[str, Any]) -> None:
    before, after50, after200 = metrics["site"]["steps"]
    assert [s["decisions"] for s in (before, after50, after200)] == [0, 50, 200]
    assert after200["campaign_recall"] >= before["campaign_recall"] + 0.2, metrics["site"]
    assert after200["campaign_recall"] >= 0.8
    assert after50["campaign_recall"] > before["campaign_recall"]
    for step in (before, after50, after200):
        assert step["spam"]["precision"] >= 0.9, step
        assert step["ham_flagged"] <= 0.02, step
    assert after200["abuse"]["recall"] >= 0.8
