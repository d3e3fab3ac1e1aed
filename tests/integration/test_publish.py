"""The published copy: a reader in another process keeps it open while the pipeline rebuilds
and republishes; neither side waits or fails, and the reader sees the new build on reopening."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib import publish
from tests.helpers import (
    REPO_ROOT,
    SAMPLE_RAW,
    assert_same_bm25_index,
    bm25_index_state,
    pipeline_env,
    run_pipeline,
)

NEW_PARAGRAPH = (
    "\n\nCambodian police and Interpol officers held a quokka-themed cybercrime drill in "
    "Phnom Penh on 3 March 2024.\n"
)

# Holds one read-only connection across the whole rebuild, querying it in a loop and logging
# each answer; when told to, reopens the file once and logs what the new connection sees.
READER = """
import json, sys, time
import duckdb
from dagster_project.lib.publish import load_fts

path, log_path, reopen_flag = sys.argv[1], sys.argv[2], sys.argv[3]
QUERY = '''select (select run_id from publish.info),
                  (select count(*) from marts.dim_articles),
                  (select count(*) from search.paragraphs('quokka'))'''

def probe(con, phase):
    started = time.monotonic()
    try:
        run_id, articles, hits = con.execute(QUERY).fetchone()
        row = {"phase": phase, "run_id": run_id, "articles": articles, "hits": hits}
    except Exception as exc:
        row = {"phase": phase, "error": repr(exc)}
    row.update(at=time.time(), seconds=time.monotonic() - started)
    log.write(json.dumps(row) + "\\n")
    log.flush()

with open(log_path, "w") as log:
    con = duckdb.connect(path, read_only=True)
    load_fts(con)
    deadline = time.monotonic() + 600
    while not __import__("os").path.exists(reopen_flag) and time.monotonic() < deadline:
        probe(con, "held")
        time.sleep(0.05)
    con.close()
    con = duckdb.connect(path, read_only=True)
    load_fts(con)
    probe(con, "reopened")
    con.close()
"""


def _published_run_id(path: Path) -> str:
    with publish.connect_published(path) as con:
        return con.execute("select run_id from publish.info").fetchone()[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("publish")
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, raw, ignore=shutil.ignore_patterns(".*"))
    warehouse = tmp_path / "warehouse" / "news.duckdb"
    env = pipeline_env(raw, warehouse, tmp_path / "dagster_home")
    run_pipeline(env)
    return {"raw": raw, "warehouse": warehouse, "env": env}


def test_published_path_is_beside_the_warehouse():
    assert publish.published_path("/data/w/news.duckdb") == Path("/data/w/published/news.duckdb")


def test_a_reader_holding_the_copy_open_neither_blocks_nor_is_blocked(built, tmp_path):
    published = publish.published_path(built["warehouse"])
    first_run = _published_run_id(published)
    first_inode = published.stat().st_ino
    log_path, reopen_flag = tmp_path / "reader.jsonl", tmp_path / "reopen"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), str(log_path), str(reopen_flag)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        while not log_path.exists() or not log_path.read_text():
            assert reader.poll() is None, "reader died before its first query"
            time.sleep(0.1)
        article = next(built["raw"].glob("*.txt"))
        with article.open("a", encoding="utf-8") as handle:
            handle.write(NEW_PARAGRAPH)
        started = time.time()
        run_pipeline(built["env"])
        finished = time.time()
        reopen_flag.touch()
        assert reader.wait(timeout=60) == 0
    finally:
        if reader.poll() is None:
            reader.kill()

    rows = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert not [r for r in rows if "error" in r]
    held = [r for r in rows if r["phase"] == "held"]
    during = [r for r in held if started <= r["at"] <= finished]
    # the reader kept querying all through the rebuild, never stalled, and saw one snapshot
    assert len(during) > 20
    assert max(r["seconds"] for r in held) < 2
    gaps = [b["at"] - a["at"] for a, b in zip(during, during[1:], strict=False)]
    assert max(gaps) < 2
    assert {r["run_id"] for r in held} == {first_run}
    assert {r["hits"] for r in held} == {0}

    (reopened,) = [r for r in rows if r["phase"] == "reopened"]
    second_run = _published_run_id(published)
    assert second_run != first_run
    assert reopened["run_id"] == second_run
    assert reopened["hits"] == 1
    assert published.stat().st_ino != first_inode
    with publish.connect_published(published) as con:
        index = con.execute("select search_index from publish.info").fetchone()[0]
    # the paragraph added to an article: its new and changed paragraphs only are indexed
    assert index.startswith("incremental: +")
    leftovers = [p.name for p in published.parent.iterdir() if p.name != published.name]
    assert leftovers == []


def test_the_copys_index_answers_as_one_built_from_scratch(built, tmp_path):
    published = publish.published_path(built["warehouse"])
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(published, rebuilt)
    with duckdb.connect(str(rebuilt)) as con:
        publish.load_fts(con)
        con.execute(publish.search_index.CREATE_INDEX)
    queries = ["methamphetamine seizure", "police arrested", "quokka", "the minister said"]
    assert_same_bm25_index(bm25_index_state(published, queries), bm25_index_state(rebuilt, queries))


def test_the_copy_holds_every_mart_and_searches_paragraphs(built):
    published = publish.published_path(built["warehouse"])
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        expected = publish.mart_row_counts(con)
    with publish.connect_published(published) as con:
        assert publish.mart_row_counts(con) == expected
        # BI tools bundle older DuckDB drivers: the copy stays in the DuckDB 1.0 format
        (storage,) = con.execute(
            "select tags['storage_version'] from duckdb_databases() where path = ?",
            [str(published)],
        ).fetchone()
        hits = con.execute(
            "select title, score, paragraph_text from search.paragraphs('methamphetamine')"
        ).fetchall()
        raw_bm25 = con.execute(
            f"select count(*) from marts.fct_paragraphs where "
            f"{publish.FTS_SCHEMA}.match_bm25(paragraph_id, 'methamphetamine') is not null"
        ).fetchone()[0]
    assert "marts.dim_articles" in expected and "marts.fct_paragraphs" in expected
    assert storage == "v1.0.0+"
    assert hits and all("methamphetamine" in text.lower() for _, _, text in hits)
    assert [score for _, score, _ in hits] == sorted((score for _, score, _ in hits), reverse=True)
    assert raw_bm25 >= len(hits)
