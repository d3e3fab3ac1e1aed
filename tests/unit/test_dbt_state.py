"""Which views and seeds a dbt build may leave out (`lib.dbt_state`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib import dbt_state
from dagster_project.lib.dbt_state import Relation

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
VIEW = Relation("stg_things", "staging", "stg_things", is_view=True)
SEED = Relation("ref_things", "reference", "ref_things", is_view=False)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema raw; create schema staging; create schema reference")
    con.execute("create table raw.things (thing_id integer, name varchar)")
    con.execute("create view staging.stg_things as select thing_id from raw.things")
    con.execute("create table reference.ref_things as select 1 as ref_id, 'a' as label")
    yield con
    con.close()


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def test_relations_of_a_manifest_are_its_views_and_seeds():
    manifest = {
        "nodes": {
            "model.p.stg_things": {
                "resource_type": "model",
                "name": "stg_things",
                "schema": "staging",
                "alias": "stg_things",
                "config": {"materialized": "view"},
            },
            "model.p.dim_things": {
                "resource_type": "model",
                "name": "dim_things",
                "schema": "marts",
                "config": {"materialized": "table"},
            },
            "seed.p.ref_things": {
                "resource_type": "seed",
                "name": "ref_things",
                "schema": "reference",
                "alias": None,
                "config": {"materialized": "seed"},
            },
            "test.p.not_null": {"resource_type": "test", "name": "not_null", "config": {}},
        },
        "sources": {"source.p.raw.things": {"schema": "raw", "name": "things"}},
    }
    assert dbt_state.relations_of(manifest) == [SEED, VIEW]
    assert dbt_state.source_tables(manifest) == ["raw.things"]


def test_the_project_fingerprint_follows_every_defining_file(project):
    before = dbt_state.project_fingerprint(project)
    assert dbt_state.project_fingerprint(project) == before
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    assert dbt_state.project_fingerprint(project) == before
    macro = next((project / "macros").glob("*.sql"))
    macro.write_text(macro.read_text() + "\n")
    assert dbt_state.project_fingerprint(project) != before


def test_a_source_column_changes_the_fingerprint(con, project):
    before = dbt_state.fingerprint(con, project, ["raw.things"])
    con.execute("alter table raw.things add column note varchar")
    assert dbt_state.fingerprint(con, project, ["raw.things"]) != before


def test_only_what_the_last_build_left_under_the_same_fingerprint_is_unchanged(con):
    assert dbt_state.unchanged(con, [VIEW, SEED], "f1") == []
    assert dbt_state.record(con, [VIEW, SEED], "f1") == 2
    assert dbt_state.unchanged(con, [VIEW, SEED], "f1") == [VIEW, SEED]
    assert dbt_state.unchanged(con, [VIEW, SEED], "f2") == []

    con.execute("create or replace view staging.stg_things as select name from raw.things")
    assert dbt_state.unchanged(con, [VIEW, SEED], "f1") == [SEED]
    con.execute("insert into reference.ref_things values (2, 'b')")
    assert dbt_state.unchanged(con, [VIEW, SEED], "f1") == []

    dbt_state.record(con, [VIEW, SEED], "f1")
    con.execute("drop view staging.stg_things")
    assert dbt_state.unchanged(con, [VIEW, SEED], "f1") == [SEED]
    # a relation the build did not leave is not recorded
    assert dbt_state.record(con, [VIEW, SEED], "f1") == 1
