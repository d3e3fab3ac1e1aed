"""The incremental marts through the real pipeline: after articles are added, changed and
deleted, and after a new article turns a line of an older one into recurring furniture, every
mart equals a clean build of the same raw folder; `make rebuild`'s full refresh does too."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.transform import dbt_target_path
from tests.e2e.test_incremental_build import _marts
from tests.helpers import dagster_instance, pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

# a line that a publisher prints under every story: furniture once two of its articles have it
FURNITURE = "Distributed by the Mekong desk"
ARTICLES = {
    "daily/raid.txt": (
        "Police raid warehouse near the border\n\n"
        "Cambodian police seized 40 kilograms of methamphetamine in a raid on a warehouse in "
        "Battambang province on Tuesday, the National Police said.\n\n"
        "Three suspects were arrested and handed to prosecutors.\n\n"
        f"{FURNITURE}\n"
    ),
    "daily/training.txt": (
        "Interpol trains investigators\n\n"
        "Interpol officers trained thirty investigators of the Cambodian National Police in "
        "Phnom Penh on Monday, the Ministry of Interior said.\n\n"
        "The course covered the tracing of drug shipments across the border with Thailand.\n"
    ),
    "wire/extradition.txt": (
        "Fugitive returned to the United States\n\n"
        "Cambodia extradited a fugitive wanted for fraud to the United States on Friday, "
        "officials of the Federal Bureau of Investigation said.\n"
    ),
}
ADDED = (
    "Customs officers intercept heroin\n\n"
    "Customs officers of the General Department of Customs and Excise intercepted two "
    "kilograms of heroin at Phnom Penh International Airport on Sunday.\n\n"
    f"{FURNITURE}\n"
)
CHANGED = (
    "Fugitive returned to the United States\n\n"
    "Cambodia extradited a fugitive wanted for fraud to the United States on Friday, "
    "officials of the Federal Bureau of Investigation and the Department of Justice said.\n\n"
    "The Cambodian National Police arrested him in Siem Reap in March.\n"
)
FULL_REFRESH = json.dumps(
    {
        "ops": {
            "raw_landing": {"config": {"force": True}},
            "dbt_models": {"config": {"full_refresh": True}},
        }
    }
)


def _write(raw, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _furniture_flags(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select a.source_path, p.is_boilerplate from marts.fct_paragraphs as p "
            "join marts.dim_articles as a using (article_id) where p.paragraph_text = ? "
            "order by 1",
            [FURNITURE],
        ).fetchall()


def _dbt_metadata(home) -> dict:
    with dagster_instance(home) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_paragraphs"]))
        return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_marts_follow_added_changed_deleted_and_restamped_articles(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, ARTICLES)
    home = tmp_path / "home"
    warehouse = tmp_path / "a" / "news.duckdb"
    env = pipeline_env(raw, warehouse, home)
    run_pipeline(env)
    assert _furniture_flags(warehouse) == [("daily/raid.txt", False)]
    # dbt keeps its partial parse and log beside the warehouse, and no JSON artifact nobody reads
    target = dbt_target_path(warehouse)
    assert (target / "partial_parse.msgpack").exists() and (target / "dbt.log").exists()
    assert not (target / "manifest.json").exists() and not (target / "run_results.json").exists()

    # a second article of the publisher prints the line: the older article's copy becomes
    # furniture, a change the driver makes to an article no file of which changed
    _write(raw, {"daily/customs.txt": ADDED})
    run_pipeline(env)
    assert _furniture_flags(warehouse) == [("daily/customs.txt", True), ("daily/raid.txt", True)]
    assert _dbt_metadata(home)["articles_rebuilt"] == 2

    _write(raw, {"wire/extradition.txt": CHANGED})
    (raw / "daily" / "training.txt").unlink()
    run_pipeline(env)
    # the changed article; the deleted one's rows are gone (checked against the clean build)
    assert (_dbt_metadata(home)["articles_rebuilt"], _dbt_metadata(home)["articles_kept"]) == (1, 2)

    clean = tmp_path / "b" / "news.duckdb"
    run_pipeline(pipeline_env(raw, clean, tmp_path / "home_b"))
    incremental, rebuilt = _marts(warehouse), _marts(clean)
    assert incremental.keys() == rebuilt.keys() and len(rebuilt) > 10
    for table in rebuilt:
        assert incremental[table] == rebuilt[table], table
    assert not any("daily/training.txt" in map(str, row) for row in incremental["dim_articles"])

    run_pipeline(env, "--config-json", FULL_REFRESH)
    assert (_dbt_metadata(home)["articles_rebuilt"], _dbt_metadata(home)["articles_kept"]) == (3, 0)
    refreshed = _marts(warehouse)
    for table in rebuilt:
        assert refreshed[table] == rebuilt[table], table
