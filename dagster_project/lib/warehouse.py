"""DuckDB access shared by every stage: one way to open the warehouse and to write a table.

Python stages own whole tables (dbt owns everything in the staging, intermediate and marts
schemas), so a stage writes by replacing its table inside one transaction: a reader never
sees half a table, and a failed stage leaves the previous table in place.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from filelock import FileLock, Timeout


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


def lock_path(path: str | Path) -> Path:
    """The lock file beside the warehouse: `news.duckdb` -> `news.duckdb.lock`."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


def hold(path: str | Path, wait_seconds: float = 0) -> FileLock:
    """Take the warehouse for one run (DuckDB takes one writer, and a run is several steps:
    two runs would interleave them). The lock is an OS file lock, so it goes with the process
    that held it, however that process ends. Raises WarehouseBusy, naming the holder, when
    another run keeps it past `wait_seconds`."""
    target = lock_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(target))
    owner = target.with_name(target.name + ".owner")
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        holder = owner.read_text(encoding="utf-8").strip() if owner.exists() else "unknown"
        raise WarehouseBusy(
            f"another run holds the warehouse {Path(path)} ({holder}); this run stops without "
            f"touching it. Wait for that run to finish (lock file {target})."
        ) from None
    started = datetime.now(UTC).isoformat(timespec="seconds")
    owner.write_text(f"pid {os.getpid()} on {socket.gethostname()} since {started}\n")
    return lock


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


def table_columns(con: duckdb.DuckDBPyConnection, qualified_name: str) -> list[tuple[str, str]]:
    """(column name, DuckDB type) of `schema.table` in order; empty when it does not exist."""
    schema, table = qualified_name.split(".")
    return [
        (name, kind)
        for name, kind in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


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
