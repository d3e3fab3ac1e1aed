"""The warehouse layer: one way to open the warehouse, whichever backend holds it, and to
write a table.

Two backends, chosen by the setting NEWS_WAREHOUSE:

- `duckdb` (the default): one embedded DuckDB file (NEWS_WAREHOUSE_PATH). One writing
  process at a time; nothing to start.
- `ducklake`: a DuckLake lakehouse: its catalog in PostgreSQL (NEWS_DUCKLAKE_CATALOG, a libpq
  connection string) and its table data as Parquet files under NEWS_DUCKLAKE_DATA_PATH.
  Several processes, on several machines, read and write it at once with snapshot
  isolation. `connect` attaches it as the catalog `lake` and makes it the default, so every
  stage's SQL (`raw.articles`, `nlp.mentions`, `marts.dim_articles`, ...) runs unchanged.

Python stages own whole tables (dbt owns everything in the staging, intermediate and marts
schemas), so a stage writes by replacing its table inside one transaction: a reader never
sees half a table, and a failed stage leaves the previous table in place.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

from dagster_project.lib import settings

BACKENDS = ("duckdb", "ducklake")
# The catalog name the lake is attached under; dbt's profile attaches it under the same name.
LAKE_ALIAS = "lake"


@dataclass(frozen=True)
class DuckLake:
    """A DuckLake lakehouse: PostgreSQL catalog (libpq connection string) plus data folder."""

    catalog: str
    data_path: Path

    @property
    def attach_path(self) -> str:
        return f"ducklake:postgres:{self.catalog}"


# A warehouse is either a DuckDB file or a DuckLake lakehouse.
Target = Path | DuckLake


class SettingError(ValueError):
    """A warehouse setting is missing or invalid; the message names it."""


def resolve_target(file: Path, environ: Mapping[str, str] | None = None) -> Target:
    """The warehouse the settings name: the DuckDB file `file` unless NEWS_WAREHOUSE says
    `ducklake`, which then needs NEWS_DUCKLAKE_CATALOG (and takes NEWS_DUCKLAKE_DATA_PATH)."""
    backend = settings.WAREHOUSE.value(environ=environ)
    if backend not in BACKENDS:
        raise SettingError(
            f"{settings.WAREHOUSE.name}={backend!r}: expected one of {', '.join(BACKENDS)}"
        )
    if backend == "duckdb":
        return file
    catalog = settings.DUCKLAKE_CATALOG.value(environ=environ)
    if not catalog:
        raise SettingError(
            f"{settings.WAREHOUSE.name}=ducklake needs {settings.DUCKLAKE_CATALOG.name}, "
            "the libpq connection string of the catalog database"
        )
    return DuckLake(catalog, settings.DUCKLAKE_DATA_PATH.path(environ=environ))


def quote_literal(value: str) -> str:
    """A SQL string literal for the few statements DuckDB cannot bind parameters into
    (ATTACH, LOAD, PRAGMA arguments). Everything else binds its values with `?`."""
    if "\x00" in value:
        raise ValueError("a SQL string cannot hold a NUL character")
    return "'" + value.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A SQL identifier (schema or table name) quoted for DuckDB."""
    if "\x00" in name or not name:
        raise ValueError(f"not a usable identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def qualified(name: str) -> str:
    """`schema.table` as a quoted identifier pair."""
    schema, table = name.split(".")
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def _wheel_extension(package: str, name: str) -> Path:
    """The binary an extension wheel (duckdb-extension-<name>) ships for this duckdb."""
    module = __import__(package)
    root = Path(module.__file__).parent / "extensions"
    candidate = root / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not candidate.is_file():
        found = sorted(p.parent.name for p in root.glob(f"*/{name}.duckdb_extension"))
        raise RuntimeError(
            f"{package} has no {name} binary for duckdb {duckdb.__version__} (it has {found}); "
            "pin both packages to the same version"
        )
    return candidate


def lake_extension_paths() -> list[Path]:
    """The postgres and ducklake binaries, loadable without a network.

    The postgres wheel ships `postgres.duckdb_extension`, whose entry point is named after
    `postgres_scanner`; DuckDB derives the entry point from the file name, so the binary is
    reached through a link of that name, made once per duckdb version and user.
    """
    postgres = _wheel_extension("duckdb_extension_postgres", "postgres")
    folder = Path(tempfile.gettempdir()) / f"news-warehouse-{os.getuid()}-v{duckdb.__version__}"
    folder.mkdir(exist_ok=True)
    link = folder / "postgres_scanner.duckdb_extension"
    if not (link.is_symlink() and link.resolve() == postgres.resolve()):
        staging = folder / f".{os.getpid()}.postgres_scanner.duckdb_extension"
        staging.unlink(missing_ok=True)
        staging.symlink_to(postgres)
        os.replace(staging, link)
    return [link, _wheel_extension("duckdb_extension_ducklake", "ducklake")]


def load_lake_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load what attaching a DuckLake catalog in PostgreSQL needs, from the PyPI wheels."""
    for path in lake_extension_paths():
        con.execute(f"load {quote_literal(str(path))}")


def attach_lake(
    con: duckdb.DuckDBPyConnection,
    lake: DuckLake,
    read_only: bool = False,
    snapshot_version: int | None = None,
) -> None:
    """Attach the lakehouse as `lake` and make it the default catalog. A reader may pin a
    snapshot: it then reads the warehouse as of that commit, whatever writers do meanwhile."""
    options = [f"data_path {quote_literal(str(lake.data_path))}"]
    if read_only or snapshot_version is not None:
        options.append("read_only")
    if snapshot_version is not None:
        options.append(f"snapshot_version {int(snapshot_version)}")
    con.execute(f"attach {quote_literal(lake.attach_path)} as {LAKE_ALIAS} ({', '.join(options)})")
    con.execute(f"use {LAKE_ALIAS}")


def open_connection(
    target: Target | str, read_only: bool = False, snapshot_version: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse that the caller closes (a long-lived worker's); `connect`
    is the same as a context manager.

    A DuckDB file is opened directly; a DuckLake lakehouse is attached to an in-memory
    DuckDB as the default catalog, so the SQL of every stage runs unchanged on both.
    """
    if isinstance(target, DuckLake):
        if not read_only:
            target.data_path.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(config={"autoinstall_known_extensions": False})
        try:
            load_lake_extensions(con)
            attach_lake(con, target, read_only=read_only, snapshot_version=snapshot_version)
        except BaseException:
            con.close()
            raise
        return con
    if snapshot_version is not None:
        raise ValueError("snapshots are a DuckLake feature; a DuckDB file has none")
    path = Path(target)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def connect(
    target: Target | str, read_only: bool = False, snapshot_version: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating its folder when writing) and always close it."""
    con = open_connection(target, read_only=read_only, snapshot_version=snapshot_version)
    try:
        yield con
    finally:
        con.close()


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the lakehouse's latest committed snapshot (DuckLake only)."""
    return con.execute(f"select max(snapshot_id) from {LAKE_ALIAS}.snapshots()").fetchone()[0]


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?",
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
            "where table_catalog = current_database() and table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def replace_table(con: duckdb.DuckDBPyConnection, qualified_name: str, frame: pd.DataFrame) -> int:
    """Atomically replace `schema.table` with the rows of `frame`; returns the row count.

    The frame's dtypes define the column types, so an empty frame still needs typed columns.
    """
    schema, _ = qualified_name.split(".")
    con.execute(f"create schema if not exists {quote_identifier(schema)}")
    con.register("_frame", frame)
    try:
        con.execute("begin transaction")
        con.execute(f"create or replace table {qualified(qualified_name)} as select * from _frame")
        con.execute("commit")
    except Exception:
        # a failed commit has ended the transaction already: keep its error, not rollback's
        with suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    finally:
        con.unregister("_frame")
    return len(frame)


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def dbt_environment(target: Target) -> dict[str, str]:
    """The settings dbt's profile reads (`env_var()` in dbt/profiles.yml) for this warehouse,
    as absolute paths, since dbt runs from the dbt folder."""
    if isinstance(target, DuckLake):
        return {
            "NEWS_WAREHOUSE": "ducklake",
            "NEWS_DUCKLAKE_CATALOG": target.catalog,
            "NEWS_DUCKLAKE_DATA_PATH": str(target.data_path),
        }
    return {"NEWS_WAREHOUSE": "duckdb", "NEWS_WAREHOUSE_PATH": str(target)}


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


def lock_path(path: str | Path) -> Path:
    """The lock file beside the warehouse: `news.duckdb` -> `news.duckdb.lock`."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


def hold(path: str | Path, wait_seconds: float = 0) -> FileLock:
    """Take a DuckDB warehouse file for one run (DuckDB takes one writer, and a run is several
    steps: two runs would interleave them). The lock is an OS file lock, so it goes with the
    process that held it, however that process ends. Raises WarehouseBusy, naming the holder,
    when another run keeps it past `wait_seconds`."""
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
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> Iterator[None]:
    """`frame` readable as the view `name` on `con` for the length of the block."""
    con.register(name, frame)
    try:
        yield
    finally:
        con.unregister(name)


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: list | tuple, rows: list
) -> None:
    """Insert tuples in bulk through a registered frame: `executemany` goes row by row, minutes
    for the hundred thousand rows one long page can flag."""
    if not rows:
        return
    names = ", ".join(columns)
    with registered(con, "_bulk", pd.DataFrame(rows, columns=list(columns))):
        con.execute(f"insert into {table} ({names}) select {names} from _bulk")
