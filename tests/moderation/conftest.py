"""Fixtures for the spam/abuse classifier: a model directory of its own per test (the built-in model is
loaded from the package, so each test starts from the shipped state in milliseconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rejoinder.moderation.classifier import Classifier


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "models"
    directory.mkdir()
    return directory


@pytest.fixture
def classifier(model_dir: Path) -> Iterator[Classifier]:
    c = Classifier(model_dir, min_decisions=20)
    yield c
    c.close()
