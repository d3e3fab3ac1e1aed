"""The warehouse settings and the quoting helpers of the warehouse layer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.lib import warehouse
from dagster_project.lib.settings import REPO_ROOT
from dagster_project.lib.warehouse import DuckLake, SettingError

FILE = Path("/data/news.duckdb")
CATALOG = "host=127.0.0.1 port=5432 dbname=lake"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, FILE),
        ({"NEWS_WAREHOUSE": ""}, FILE),
        ({"NEWS_WAREHOUSE": "duckdb", "NEWS_DUCKLAKE_CATALOG": CATALOG}, FILE),
        (
            {
                "NEWS_WAREHOUSE": "ducklake",
                "NEWS_DUCKLAKE_CATALOG": CATALOG,
                "NEWS_DUCKLAKE_DATA_PATH": "/lake/data",
            },
            DuckLake(CATALOG, Path("/lake/data")),
        ),
        (
            {"NEWS_WAREHOUSE": "ducklake", "NEWS_DUCKLAKE_CATALOG": CATALOG},
            DuckLake(CATALOG, REPO_ROOT / "warehouse" / "lake"),
        ),
        (
            {
                "NEWS_WAREHOUSE": "ducklake",
                "NEWS_DUCKLAKE_CATALOG": CATALOG,
                "NEWS_DUCKLAKE_DATA_PATH": "lake",
            },
            DuckLake(CATALOG, REPO_ROOT / "lake"),
        ),
    ],
)
def test_settings_pick_the_backend(environ, expected):
    assert warehouse.resolve_target(FILE, environ) == expected


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"NEWS_WAREHOUSE": "ducklake"}, "NEWS_DUCKLAKE_CATALOG"),
        ({"NEWS_WAREHOUSE": "ducklake", "NEWS_DUCKLAKE_DATA_PATH": "/x"}, "NEWS_DUCKLAKE_CATALOG"),
        ({"NEWS_WAREHOUSE": "postgres"}, "NEWS_WAREHOUSE='postgres'"),
    ],
)
def test_a_missing_or_wrong_setting_is_named(environ, named):
    with pytest.raises(SettingError, match=named):
        warehouse.resolve_target(FILE, environ)


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "it's",
        "''",
        "x'; drop table raw.articles; --",
        "host=localhost password='a b\\'c' dbname=lake",
        "back\\slash",
        "ünïcode ✓",
        "",
    ],
)
def test_a_quoted_literal_reads_back_as_the_same_string(value):
    # DuckDB parses the literal: what it returns is exactly what went in, never more SQL
    assert duckdb.sql(f"select {warehouse.quote_literal(value)}").fetchone()[0] == value


@pytest.mark.parametrize("name", ["raw", "with space", 'quo"te', "x; drop"])
def test_a_quoted_identifier_names_exactly_that_identifier(name):
    con = duckdb.connect()
    con.execute(f"create table {warehouse.quote_identifier(name)} (a integer)")
    assert con.execute("select table_name from information_schema.tables").fetchone()[0] == name


@pytest.mark.parametrize("bad", ["a\x00b"])
def test_a_nul_character_is_refused(bad):
    with pytest.raises(ValueError):
        warehouse.quote_literal(bad)
    with pytest.raises(ValueError):
        warehouse.quote_identifier(bad)


@pytest.mark.parametrize(
    "target", [FILE, DuckLake(CATALOG, Path("/lake/data"))], ids=["duckdb", "ducklake"]
)
def test_dbt_is_handed_the_same_warehouse(target):
    environ = warehouse.dbt_environment(target)
    assert (
        warehouse.resolve_target(Path(environ.get("NEWS_WAREHOUSE_PATH", FILE)), environ) == target
    )
