"""Fixtures for the spam/abuse classifier: the built-in model is fitted once per session and copied into
each test's own model directory, so each test starts from a realistic state in milliseconds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rejoinder.moderation.spam import Classifier


@pytest.fixture(scope="session")
def builtin_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("builtin-model")
    classifier = Classifier(directory)
    try:
        classifier.builtin()
    finally:
        classifier.close()
    path = directory / "builtin.npz"
    assert path.is_file()
    return path


@pytest.fixture
def model_dir(tmp_path: Path, builtin_model_file: Path) -> Path:
    directory = tmp_path / "models"
    directory.mkdir()
    shutil.copy(builtin_model_file, directory / "builtin.npz")
    return directory


@pytest.fixture
def classifier(model_dir: Path) -> Iterator[Classifier]:
    c = Classifier(model_dir, min_decisions=20)
    yield c
    c.close()
