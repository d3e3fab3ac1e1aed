"""DuckDB access shared by every stage: one way to open the warehouse and to write a table.

Python stages own whole tables (dbt owns everything in the staging, intermediate and marts
schemas), so a stage writes by replacing its table inside one transaction: a reader never
sees half a table, and a failed stage leaves the previous table in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd


@contextmanager
def connect(path: str | Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse file (creating its folder when writing) and always close it."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def replace_table(con: duckdb.DuckDBPyConnection, qualified_name: str, frame: pd.DataFrame) -> int:
    """Atomically replace `schema.table` with the rows of `frame`; returns the row count.

    The frame's dtypes define the column types, so an empty frame still needs typed columns.
    """
    schema, _ = qualified_name.split(".")
    con.execute(f"create schema if not exists {schema}")
    con.register("_frame", frame)
    try:
        con.execute("begin transaction")
        con.execute(f"create or replace table {qualified_name} as select * from _frame")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_frame")
    return len(frame)


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()
