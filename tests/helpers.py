"""Test helpers: repository paths and a way to run the real pipeline as `make run` does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_project.lib import publish
from dagster_project.lib import warehouse as warehouse_lib
from dagster_project.lib.settings import REPO_ROOT, SPACY_MODEL
from dagster_project.lib.warehouse import DuckLake

SAMPLE_RAW = REPO_ROOT / "raw"
BIN = Path(sys.executable).parent


def pipeline_env(
    raw_dir: Path, warehouse: Path, dagster_home: Path, lake: DuckLake | None = None
) -> dict[str, str]:
    """The settings of one pipeline: the DuckDB file `warehouse`, or the DuckLake `lake` (the
    file's folder then holds only what stays local: Data Docs and the published copy). The
    Dagster instance gets the shipped settings, as `make run` gives it."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    return {
        **os.environ,
        "NEWS_RAW_DIR": str(raw_dir),
        "NEWS_WAREHOUSE_PATH": str(warehouse),
        **warehouse_lib.dbt_environment(lake or warehouse),
        "NEWS_SPACY_MODEL": SPACY_MODEL.value(),
        "DAGSTER_HOME": str(dagster_home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def run_pipeline(
    env: dict[str, str], *extra: str, check: bool = True
) -> subprocess.CompletedProcess:
    """Materialize every asset the way `make run` does, through the Dagster CLI; with
    `check=False` a failed run is returned instead of raised."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "asset",
            "materialize",
            "-m",
            "dagster_project.definitions",
            "--select",
            "*",
            *extra,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"pipeline failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return result


def run_dbt(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real dbt project against `warehouse` (no Dagster in between)."""
    env = {**os.environ, **warehouse_lib.dbt_environment(warehouse), "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [
            str(BIN / "dbt"),
            *args,
            "--project-dir",
            str(REPO_ROOT / "dbt"),
            "--profiles-dir",
            str(REPO_ROOT / "dbt"),
        ],
        cwd=REPO_ROOT / "dbt",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextmanager
def dagster_instance(home: Path) -> Iterator:
    """The Dagster instance at `home`, opened as the CLI opens it: with DAGSTER_HOME naming it
    (the shipped event log storage finds its folder through DAGSTER_HOME)."""
    import dagster as dg

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous


def bm25_index_state(published: Path, queries: list[str]) -> dict:
    """What a full-text index answers and holds, free of its doc and term numbering: the
    (paragraph_id, score) hits of each query, the (term, df) dict, each paragraph's length
    and term counts, and the stats."""
    fts = publish.FTS_SCHEMA
    with publish.connect_published(published) as con:
        hits = {
            query: con.execute(
                f"select paragraph_id, {fts}.match_bm25(paragraph_id, ?) as score "
                "from marts.fct_paragraphs where score is not null order by paragraph_id",
                [query],
            ).fetchall()
            for query in queries
        }
        tables = {
            "dict": f"select term, df from {fts}.dict order by all",
            "docs": f"select name, len from {fts}.docs order by all",
            "stats": f"select num_docs, avgdl from {fts}.stats",
            "terms": (
                f"select d.name, k.term, t.fieldid, count(*) from {fts}.terms as t "
                f"join {fts}.docs as d using (docid) join {fts}.dict as k using (termid) "
                "group by all order by all"
            ),
        }
        return {"hits": hits} | {name: con.execute(sql).fetchall() for name, sql in tables.items()}


def assert_same_bm25_index(actual: dict, expected: dict) -> None:
    """Same hits with scores equal to float rounding (BM25 sums its terms in any order)."""
    assert actual["hits"].keys() == expected["hits"].keys()
    for query, hits in expected["hits"].items():
        got = actual["hits"][query]
        assert [key for key, _ in got] == [key for key, _ in hits], query
        for (key, score), (_, want) in zip(got, hits, strict=True):
            assert abs(score - want) <= 1e-9 * max(1.0, abs(want)), (query, key)
    for table in ("dict", "docs", "terms", "stats"):
        assert actual[table] == expected[table], table
