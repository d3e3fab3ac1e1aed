"""`make run` after one more article, through the real pipeline: only that article is parsed,
and every mart then equals a clean build of the same raw folder."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from tests.helpers import SAMPLE_RAW, dagster_instance, pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

ADDED = (
    "Interpol and Cambodian police hold joint training\n\n"
    "Interpol officers trained thirty investigators of the Cambodian National Police in "
    "Phnom Penh on Monday, the Ministry of Interior said.\n\n"
    "The course covered the tracing of drug shipments across the border with Thailand.\n"
)
# load history differs between the two builds by design
IGNORED = {"loaded_at", "article_version"}


def _marts(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        out = {}
        for table in tables:
            columns = [
                r[0]
                for r in con.execute(f"describe marts.{table}").fetchall()
                if r[0] not in IGNORED
            ]
            out[table] = con.execute(
                f"select {', '.join(columns)} from marts.{table} order by all"
            ).fetchall()
    return out


def _latest(dagster_home, key: list[str]) -> dict:
    with dagster_instance(dagster_home) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_one_added_article_is_the_only_one_parsed_and_the_marts_equal_a_clean_build(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SAMPLE_RAW.glob("*.txt"):
        shutil.copy2(path, raw / path.name)
    home = tmp_path / "home"
    env = pipeline_env(raw, tmp_path / "a" / "news.duckdb", home)
    run_pipeline(env)
    (raw / "added.txt").write_text(ADDED, encoding="utf-8")
    result = run_pipeline(env)
    sentences = _latest(home, ["nlp", "sentences"])
    paragraphs = _latest(home, ["nlp", "paragraphs"])
    assert (sentences["articles_new"], sentences["articles_reprocessed"]) == (1, 0)
    assert sentences["articles_skipped"] == len(list(SAMPLE_RAW.glob("*.txt")))
    assert sentences["articles_quarantined"] == 0 and sentences["articles_per_second"] > 0
    assert sentences["annotation_cpu_seconds"] > 0
    # the stage's progress line, through the run's log
    assert "nlp: 1/1 articles, " in result.stdout + result.stderr
    assert paragraphs["articles_new"] == 1
    clean = tmp_path / "b" / "news.duckdb"
    run_pipeline(pipeline_env(raw, clean, tmp_path / "home_b"))
    incremental, rebuilt = _marts(tmp_path / "a" / "news.duckdb"), _marts(clean)
    assert incremental.keys() == rebuilt.keys() and len(incremental) > 10
    for table in rebuilt:
        assert incremental[table] == rebuilt[table], table
