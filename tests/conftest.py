"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dagster_project.lib.warehouse import DuckLake
from tests import postgres
from tests.helpers import SAMPLE_RAW


@pytest.fixture(scope="session")
def sample_raw_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("raw")
    for path in SAMPLE_RAW.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on loopback for the session, in a temporary folder. Where
    PostgreSQL cannot be installed the DuckLake tests skip, except under CI, where `make
    test` installs it and a missing server is a failure."""
    try:
        server = postgres.start_server()
    except postgres.PostgresUnavailable as reason:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL server for the DuckLake tests: {reason}")
    try:
        yield server
    finally:
        postgres.stop_server(server)


@pytest.fixture
def lake(postgres_server, tmp_path) -> DuckLake:
    """An empty DuckLake lakehouse: a new catalog database and a new data folder."""
    return postgres_server.new_lake(tmp_path / "lake-data")
