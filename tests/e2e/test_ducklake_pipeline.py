"""The whole pipeline on the DuckLake backend (PostgreSQL catalog, Parquet data), run the way
`make run` runs it, from the same raw folder as the DuckDB-file build of the other e2e
tests: the same marts, and the report and search working on its published copy."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.lib import publish, report, warehouse
from tests.helpers import pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

# When a version was landed differs between two builds; nothing else may.
RUN_COLUMNS = {"loaded_at"}


@pytest.fixture(scope="module")
def lake_build(tmp_path_factory, postgres_server, sample_raw_copy):
    root = tmp_path_factory.mktemp("lake-build")
    lake = postgres_server.new_lake(root / "lake-data")
    local = root / "warehouse" / "news.duckdb"
    run_pipeline(pipeline_env(sample_raw_copy, local, root / "dagster_home", lake))
    return {"lake": lake, "published": publish.published_path(local)}


def _mart_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' order by table_name, ordinal_position",
        [catalog],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def test_the_marts_equal_those_of_the_duckdb_file(lake_build, published_sample):
    with warehouse.connect(lake_build["lake"], read_only=True) as con:
        con.execute(f"attach {warehouse.quote_literal(str(published_sample))} as file (read_only)")
        lake_marts = _mart_columns(con, warehouse.LAKE_ALIAS)
        file_marts = _mart_columns(con, "file")
        assert lake_marts == file_marts
        assert len(lake_marts) >= 10
        differences = {}
        for table, columns in lake_marts.items():
            compared = ", ".join(
                warehouse.quote_identifier(c) for c in columns if c not in RUN_COLUMNS
            )
            name = f"marts.{warehouse.quote_identifier(table)}"
            lake_rows, only_lake, only_file = con.execute(
                f"""
                select
                    (select count(*) from lake.{name}),
                    (select count(*) from (select {compared} from lake.{name}
                        except all select {compared} from file.{name})),
                    (select count(*) from (select {compared} from file.{name}
                        except all select {compared} from lake.{name}))
                """
            ).fetchone()
            if only_lake or only_file:
                differences[table] = (only_lake, only_file)
            if table in ("dim_articles", "fct_paragraphs", "fct_mentions", "fct_events"):
                assert lake_rows > 0, f"marts.{table} is empty"
        assert differences == {}


def test_the_lake_keeps_its_tables_in_parquet_and_its_history(lake_build):
    lake = lake_build["lake"]
    assert list(lake.data_path.rglob("*.parquet"))
    with warehouse.connect(lake, read_only=True) as con:
        snapshots = con.execute("select count(*) from lake.snapshots()").fetchone()[0]
        checks = con.execute("select count(*) from quality.check_results").fetchone()[0]
    # every table write and every check run committed a snapshot of its own
    assert snapshots > 20
    assert checks > 0


def test_report_and_search_work_on_the_published_snapshot(lake_build, tmp_path):
    with publish.connect_published(lake_build["published"]) as con:
        source = con.execute("select source_path from publish.info").fetchone()[0]
        term, hits = publish.probe_search(con)
    assert source.startswith("ducklake snapshot ")
    assert term and hits > 0
    page = report.build_report(lake_build["published"], tmp_path / "index.html")
    with warehouse.connect(lake_build["lake"], read_only=True) as con:
        events = con.execute("select count(*) from marts.fct_events").fetchone()[0]
        articles = con.execute("select count(*) from marts.dim_articles").fetchone()[0]
    with publish.connect_published(lake_build["published"]) as con:
        counts = report.load(con).counts
    assert (counts["events"], counts["articles"]) == (events, articles)
    assert page.stat().st_size > 10_000
