"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SAMPLE_RAW


@pytest.fixture(scope="session")
def sample_raw_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("raw")
    for path in SAMPLE_RAW.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder
