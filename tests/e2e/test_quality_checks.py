"""Every Great Expectations check fails on data broken the way it guards against, and passes
on the sample warehouse (or, for the warnings the samples rightly raise, on that warehouse
with the flagged content removed). Real GX over copies of a real built warehouse."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dagster_project.lib import articles, quality
from expectations import SUITES
from tests.helpers import pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

SUITE_OF = {check.name: suite for suite in SUITES for check in suite.checks}
FIRST = "(select min(source_path) from raw.articles)"
FIRST_ID = "(select min(article_id) from raw.articles)"


def _rebuild_without_constraints(table: str, extra_row_sql: str) -> str:
    # contracted marts carry enforced constraints; a broken copy is a plain table that takes
    # a repeated row whatever the mart's constraints are
    return f"create or replace table {table} as select * from {table} union all {extra_row_sql}"


# check name -> statements that break exactly what the check guards
BREAKAGES = {
    "article_text_present": [f"update raw.articles set text = '  ' where source_path = {FIRST}"],
    "article_size_within_bounds": [
        f"update raw.articles set size_bytes = 0 where source_path = {FIRST}"
    ],
    "content_hash_unique_per_current_article": [
        "update raw.articles set content_hash = 'same' where is_current"
    ],
    "article_text_decodable": [
        f"update raw.articles set text = text || chr(65533) where source_path = {FIRST}"
    ],
    "article_encoding_utf8": [
        f"update raw.articles set encoding = 'cp1252' where source_path = {FIRST}"
    ],
    "paragraph_offsets_slice_back": [
        "update nlp.paragraphs set char_start = char_start + 1 where paragraph_index = 2"
    ],
    "every_article_has_paragraphs": [f"delete from nlp.paragraphs where article_id = {FIRST_ID}"],
    "paragraph_ids_unique": ["update nlp.paragraphs set paragraph_id = 'same'"],
    "no_duplicated_paragraphs": ["update nlp.paragraphs set is_duplicate = true"],
    "no_near_duplicated_paragraphs": [
        "update nlp.paragraphs set near_duplicate_of_paragraph_id = paragraph_id"
    ],
    "no_mojibake": [
        "update nlp.paragraphs set paragraph_text = 'He said â€œyesâ€\x9d to it â€” twice.' "
        "where paragraph_index = 1"
    ],
    "boilerplate_share_per_article": [
        f"update nlp.paragraphs set is_boilerplate = true where article_id = {FIRST_ID}"
    ],
    "every_content_paragraph_processed": [
        "delete from nlp.sentences "
        "where paragraph_id = (select min(paragraph_id) from nlp.sentences)"
    ],
    "sentence_offsets_slice_back": ["update nlp.sentences set char_start = char_start + 1"],
    "entity_density_plausible": [f"delete from nlp.mentions where article_id = {FIRST_ID}"],
    "mention_spans_slice_back": ["update nlp.mentions set char_end = char_end + 1"],
    "mention_labels_allowed": ["update nlp.mentions set entity_type = 'organisation'"],
    "mention_model_name_recorded": ["update nlp.mentions set model_name = null"],
    "mention_model_version_recorded": ["update nlp.mentions set model_version = null"],
    "every_current_article_reaches_marts": [
        f"delete from marts.dim_articles where article_id = {FIRST_ID}"
    ],
    "dim_articles_key_unique": [
        _rebuild_without_constraints(
            "marts.dim_articles", "(select * from marts.dim_articles limit 1)"
        )
    ],
    "share_of_articles_with_an_agency": [
        "delete from marts.fct_mentions where entity_type = 'agency'"
    ],
    "fct_mentions_key_unique": [
        _rebuild_without_constraints(
            "marts.fct_mentions", "(select * from marts.fct_mentions limit 1)"
        )
    ],
    "mention_agency_known": ["update marts.fct_mentions set agency_id = 'no-such-agency'"],
    "fct_events_key_unique": [
        _rebuild_without_constraints("marts.fct_events", "(select * from marts.fct_events limit 1)")
    ],
    "event_types_in_taxonomy": ["update marts.fct_events set event_type = 'riot'"],
    "event_agencies_known": [
        "insert into marts.bridge_event_agencies "
        "select event_id, 'no-such-agency', 'lead' from marts.fct_events limit 1"
    ],
    "event_date_not_in_future": [
        "update marts.fct_events set event_date = current_date + interval 400 day"
    ],
    "event_date_within_article_period": [
        "update marts.dim_articles set published_date = date '2024-06-01'",
        "update marts.fct_events set event_date = date '1990-01-01'",
    ],
}

# warnings the sample corpus rightly raises, and what removes their cause
SAMPLE_WARNINGS = {
    "no_duplicated_paragraphs": ["update nlp.paragraphs set is_duplicate = false"],
    "no_near_duplicated_paragraphs": [
        "update nlp.paragraphs set near_duplicate_of_paragraph_id = null"
    ],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_raw_copy):
    root = tmp_path_factory.mktemp("quality")
    warehouse = root / "news.duckdb"
    run_pipeline(pipeline_env(sample_raw_copy, warehouse, root / "dagster_home"))
    return warehouse


def _copy(warehouse, tmp_path):
    # same file name: DuckDB views name their catalog after the file
    folder = tmp_path / "copy"
    folder.mkdir()
    return shutil.copy(warehouse, folder / warehouse.name)


def _outcome(warehouse, raw_dir, check_name, statements, tmp_path) -> quality.CheckOutcome:
    copy = _copy(warehouse, tmp_path)
    shutil.copy(warehouse, copy)
    suite = SUITE_OF[check_name]
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
        outcome = quality.run_suite(con, suite, tmp_path / "gx", "test", raw_dir)
    return next(o for o in outcome.outcomes if o.check_name == check_name)


def test_every_check_has_a_breakage():
    assert set(BREAKAGES) | {"every_file_landed_or_rejected", "no_rejected_files"} == set(SUITE_OF)


@pytest.mark.parametrize("check_name", sorted(SUITE_OF))
def test_check_passes_on_good_data(built, sample_raw_copy, check_name, tmp_path):
    statements = SAMPLE_WARNINGS.get(check_name, [])
    assert _outcome(built, sample_raw_copy, check_name, statements, tmp_path).passed


@pytest.mark.parametrize("check_name", sorted(BREAKAGES))
def test_check_fails_on_broken_data(built, sample_raw_copy, check_name, tmp_path):
    outcome = _outcome(built, sample_raw_copy, check_name, BREAKAGES[check_name], tmp_path)
    assert not outcome.passed
    assert outcome.unexpected_count > 0 or check_name == "share_of_articles_with_an_agency"


def test_file_accounting_checks_fail_on_a_lost_and_a_rejected_file(built, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    copy = _copy(built, tmp_path)
    with duckdb.connect(str(copy)) as con:
        articles.land(con, raw, "empty-folder")  # every sample file is now deleted
        (raw / "empty.txt").write_bytes(b"")
        articles.land(con, raw, "with-an-empty-file")
        (raw / "never-landed.txt").write_text("Police met Interpol officials.", encoding="utf-8")
        outcome = quality.run_suite(con, SUITE_OF["no_rejected_files"], tmp_path / "gx", "t", raw)
    results = {o.check_name: o for o in outcome.outcomes}
    assert [r["source_path"] for r in results["no_rejected_files"].failing_rows] == ["empty.txt"]
    lost = results["every_file_landed_or_rejected"]
    assert [r["source_path"] for r in lost.failing_rows] == ["never-landed.txt"]
