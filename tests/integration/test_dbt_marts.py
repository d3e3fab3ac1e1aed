"""The real dbt project over a real DuckDB file landed and paragraphed by the Python stages,
run by itself and through its Dagster asset."""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import pytest

from dagster_project import definitions
from dagster_project.defs import transform
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib import articles, driver, warehouse
from dagster_project.lib.settings import SPACY_MODEL
from tests.helpers import run_dbt

ARTICLE = (
    "Police Train With Interpol\n\n"
    "3 min read\n\n"
    "Cambodian police trained with Interpol officers in Phnom Penh on Monday.\n\n"
    "The training covered cross-border crime.\n\n"
    "The training covered cross-border crime.\n\n"
    "© 2024 Example News. All rights reserved."
)


def _stage(path, raw_dir):
    model = SPACY_MODEL.default
    version = driver.extractor_version(model)
    with warehouse.connect(path) as con:
        articles.land(con, raw_dir, load_id="test")
        driver.classify_paragraphs(con, version)
        driver.annotate_articles(con, model, version, processes=1)


@pytest.fixture
def staged(tmp_path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (raw_dir / "b.txt").write_text(ARTICLE.replace("Monday", "Friday"), encoding="utf-8")
    path = tmp_path / "w.duckdb"
    _stage(path, raw_dir)
    return path


def test_dbt_build_passes_and_marts_hold_every_paragraph(staged):
    result = run_dbt(staged, "build")
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(staged), read_only=True) as con:
        articles_ = con.execute(
            "select source_path, paragraph_count, duplicate_paragraph_count, "
            "boilerplate_paragraph_count, title from marts.dim_articles order by source_path"
        ).fetchall()
        paragraph_rows = con.execute("select count(*) from marts.fct_paragraphs").fetchone()[0]
        staged_rows = con.execute("select count(*) from nlp.paragraphs").fetchone()[0]
    assert [a[0] for a in articles_] == ["a.txt", "b.txt"]
    assert all(a[1] == 6 and a[2] == 1 and a[3] == 2 for a in articles_)
    assert articles_[0][4] == "Police Train With Interpol"
    assert paragraph_rows == staged_rows == 12
    with duckdb.connect(str(staged), read_only=True) as con:
        interpol = con.execute(
            "select count(distinct m.article_id), count(distinct m.agency_id) "
            "from marts.fct_mentions m join marts.dim_agencies a using (agency_id) "
            "where a.acronym = 'INTERPOL' or a.canonical_name ilike '%interpol%'"
        ).fetchone()
    assert interpol == (2, 1)  # one agency id across both articles


def test_the_incremental_marts_keep_their_keys_by_tests_not_by_indexes(staged):
    # DuckDB rewrites a table's whole index at every checkpoint: a primary key on a mart that
    # grows with the corpus would make every run cost more as the corpus grows
    assert run_dbt(staged, "build").returncode == 0
    with warehouse.connect(staged) as con:
        keyed = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_constraints() "
                "where schema_name = 'marts' and constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        }
        assert keyed == {"dim_agencies", "dim_people", "dim_places"}
        # a repeated key is still refused, by the model's unique test
        con.execute("insert into marts.fct_mentions select * from marts.fct_mentions limit 1")
    result = run_dbt(staged, "test", "--select", "fct_mentions")
    assert result.returncode != 0
    assert "unique_fct_mentions_mention_id" in result.stdout


def test_offsets_that_do_not_slice_back_fail_the_dbt_test(staged):
    with warehouse.connect(staged) as con:
        con.execute(
            "update nlp.paragraphs set char_start = char_start + 1 where paragraph_index = 2"
        )
    result = run_dbt(staged, "build")
    assert result.returncode != 0
    assert "offsets_slice_text_fct_paragraphs" in result.stdout


def _materialize_dbt(path):
    return dg.materialize(
        [transform.dbt_models],
        resources={
            "dbt": definitions.defs.resources["dbt"],
            "warehouse": WarehouseResource(path=str(path)),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_the_dbt_asset_builds_in_this_process_and_lets_go_of_the_warehouse(staged):
    result = _materialize_dbt(staged)
    assert result.success
    materialized = {
        event.materialization.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert materialized["marts/dim_articles"]["dagster/row_count"].value == 2
    assert materialized["marts/dim_articles"]["articles_rebuilt"].value == 2
    assert "reference/ref_agencies" in materialized
    checks = result.get_asset_check_evaluations()
    assert checks and all(check.passed for check in checks)
    # dbt ran in this process: its database must be closed, or opening the file with
    # another configuration (read-only) fails here
    with duckdb.connect(str(staged), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_paragraphs").fetchone()[0] == 12


def _built(result) -> set[str]:
    return {
        event.materialization.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
    }


def _checked(result) -> dict[str, bool]:
    return {check.check_name: check.passed for check in result.get_asset_check_evaluations()}


def test_a_build_leaves_out_views_and_seeds_the_warehouse_holds_and_runs_their_tests(staged):
    first = _materialize_dbt(staged)
    assert first.success
    views_and_seeds = {
        "staging/stg_nlp__mentions",
        "staging/stg_raw__articles",
        "intermediate/int_article_fingerprints",
        "reference/ref_agencies",
    }
    assert views_and_seeds <= _built(first)

    second = _materialize_dbt(staged)
    assert second.success
    built = _built(second)
    assert not views_and_seeds & built
    assert {"marts/dim_articles", "marts/fct_mentions", "marts/dim_agencies"} <= built
    # every test ran again, those on the views left out too
    assert _checked(second) == _checked(first)
    assert "not_null_stg_nlp__mentions_mention_id" in _checked(second)

    # a view changed outside the pipeline is made again, and what its test finds is reported
    with warehouse.connect(staged) as con:
        con.execute(
            "create or replace view staging.stg_nlp__mentions as "
            "select * replace (null::varchar as mention_id) from nlp.mentions"
        )
    third = _materialize_dbt(staged)
    assert "staging/stg_nlp__mentions" in _built(third)
    assert "staging/stg_raw__articles" not in _built(third)
    assert _checked(third)["not_null_stg_nlp__mentions_mention_id"]
    with duckdb.connect(str(staged), read_only=True) as con:
        nulls = con.execute(
            "select count(*) from staging.stg_nlp__mentions where mention_id is null"
        ).fetchone()[0]
    assert nulls == 0

    # a seed whose rows were edited is loaded again
    with warehouse.connect(staged) as con:
        con.execute(
            "delete from reference.ref_agencies where agency_id in "
            "(select agency_id from reference.ref_agencies limit 1)"
        )
    assert "reference/ref_agencies" in _built(_materialize_dbt(staged))


def test_a_failing_dbt_test_fails_the_asset_after_recording_every_result(staged):
    with warehouse.connect(staged) as con:
        con.execute(
            "update nlp.paragraphs set char_start = char_start + 1 where paragraph_index = 2"
        )
    result = _materialize_dbt(staged)
    assert not result.success
    checks = result.get_asset_check_evaluations()
    failed = [check.check_name for check in checks if not check.passed]
    assert any(name.startswith("offsets_slice_text_fct_paragraphs") for name in failed)
    materialized = {
        event.materialization.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
    }
    assert "marts/fct_paragraphs" in materialized


def test_a_new_warehouses_dbt_parse_runs_beside_the_first_stages_and_the_build_reads_it(staged):
    resource = WarehouseResource(path=str(staged))
    target = transform.dbt_target_path(staged)
    assert transform.start_dbt_parse(resource)
    assert not transform.start_dbt_parse(resource)  # one parse per target folder
    # the parse does not open the warehouse: a stage writes it meanwhile
    with warehouse.connect(staged) as con:
        con.execute("create table main.meanwhile as select 1 as x")

    result = _materialize_dbt(staged)

    assert result.success
    log = (target / "dbt.log").read_text(encoding="utf-8")
    parse, build = log.split("Running with dbt")[-2:]
    # the project's own parse names another warehouse: the background parse made the new one
    assert "Unable to do partial parsing because profile has changed" in parse
    assert "Command `dbt parse` succeeded" in parse
    assert re.search(r"Found \d+ models", build)
    assert "Unable to do partial parsing" not in build
    # the warehouse's target folder has been built in: no parse is started for it again
    assert not transform.start_dbt_parse(resource)


def test_dbt_log_holds_the_sql_statements_only_when_asked(staged, monkeypatch):
    target = transform.dbt_target_path(staged)
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert _materialize_dbt(staged).success
    default = (target / "dbt.log").read_text(encoding="utf-8").split("Running with dbt")[-1]
    assert "Finished running node model.news_warehouse.dim_articles" not in default
    assert "OK created sql incremental model marts.dim_articles" in default

    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert _materialize_dbt(staged).success
    debug = (target / "dbt.log").read_text(encoding="utf-8").split("Running with dbt")[-1]
    assert "Finished running node model.news_warehouse.dim_articles" in debug
