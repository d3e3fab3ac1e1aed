"""Severity follows consequence, in a real Dagster run over a real warehouse: a failed
structural check stops the assets downstream of what it guards, a content warning does not."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from dagster_project.definitions import defs
from dagster_project.defs import nlp
from tests.helpers import SAMPLE_RAW

NLP_KEYS = [dg.AssetKey(["nlp", table]) for table in nlp.NLP_ASSETS]
PARAGRAPHS = dg.AssetKey(["nlp", "paragraphs"])


def _run(selection) -> dg.ExecuteInProcessResult:
    job = dg.define_asset_job("under_test", selection=selection)
    merged = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    return merged.resolve_job_def("under_test").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


@pytest.fixture
def landed(tmp_path, monkeypatch):
    """A warehouse holding the sample corpus landed and split into paragraphs."""
    warehouse = tmp_path / "news.duckdb"
    monkeypatch.setenv("NEWS_RAW_DIR", str(SAMPLE_RAW))
    monkeypatch.setenv("NEWS_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.delenv("NEWS_SPACY_MODEL", raising=False)
    result = _run(dg.AssetSelection.assets(["raw", "articles"], ["raw", "rejects"], PARAGRAPHS))
    assert result.success
    return warehouse


def _checks(result) -> dict[str, bool]:
    return {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def _has_table(warehouse, name) -> bool:
    schema, table = name.split(".")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return bool(
            con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
        )


GUARD_AND_DOWNSTREAM = dg.AssetSelection.checks_for_assets(PARAGRAPHS) | dg.AssetSelection.assets(
    *NLP_KEYS
)


def test_broken_offsets_block_the_nlp_assets(landed):
    with duckdb.connect(str(landed)) as con:
        con.execute(
            "update nlp.paragraphs set char_start = char_start + 1 where paragraph_index = 3"
        )
    result = _run(GUARD_AND_DOWNSTREAM)
    checks = _checks(result)
    assert checks["paragraph_offsets_slice_back"] is False
    assert not result.success
    assert not _has_table(landed, "nlp.mentions")


def test_duplicate_paragraph_warnings_do_not_block(landed):
    result = _run(GUARD_AND_DOWNSTREAM)
    checks = _checks(result)
    assert checks["no_duplicated_paragraphs"] is False
    assert checks["paragraph_offsets_slice_back"] is True
    assert result.success
    assert _has_table(landed, "nlp.mentions")
