"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import pytest

from dagster_project.lib import publish
from tests.helpers import pipeline_env, run_pipeline


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory, sample_raw_copy):
    """The published copy of a warehouse built from the sample corpus, once per session."""
    root = tmp_path_factory.mktemp("published-sample")
    warehouse = root / "warehouse" / "news.duckdb"
    run_pipeline(pipeline_env(sample_raw_copy, warehouse, root / "dagster_home"))
    return publish.published_path(warehouse)
