"""The published copy of the warehouse: what BI tools, notebooks and the report open.

DuckDB takes one writer and no reader beside it, so nothing outside the pipeline opens the
warehouse itself. After a successful build the pipeline checkpoints the warehouse, copies the
file next to the published copy, adds the full-text search index to that new file and renames
it over the published copy. A rename is atomic: a reader that has the old copy open keeps
reading the old file, the next connection opens the new one, and nobody waits.

On the DuckLake backend readers can also attach the lakehouse itself read-only (every
connection reads one committed snapshot); the published copy is then a DuckDB file written
from one snapshot of the lake's tables, so the report, search and file-based BI tools work
the same on both backends.

Search in the copy: `select * from search.paragraphs('methamphetamine seizure')`, a table
macro over DuckDB's fts extension (BM25 over marts.fct_paragraphs.paragraph_text). The fts
extension must be loadable in the reader: DuckDB clients with network access install it on
first use; offline, `load_fts` loads the signed binary that the duckdb-extension-fts wheel ships.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.lib import search_index
from dagster_project.lib import warehouse as warehouse_lib
from dagster_project.lib.search_index import FTS_SCHEMA, SEARCH_KEY, SEARCH_TABLE
from dagster_project.lib.settings import published_path

SEARCH_MACRO = f"""
create or replace macro search.paragraphs(query_text) as table
select
    p.paragraph_id,
    p.article_id,
    a.title,
    a.publisher,
    a.published_date,
    p.zone,
    s.score,
    p.paragraph_text
from (
    select {SEARCH_KEY}, {FTS_SCHEMA}.match_bm25({SEARCH_KEY}, query_text) as score
    from {SEARCH_TABLE}
) as s
inner join {SEARCH_TABLE} as p on s.{SEARCH_KEY} = p.{SEARCH_KEY}
inner join marts.dim_articles as a on p.article_id = a.article_id
-- one hit per statement: boilerplate and repeated copies of a paragraph are left out
where s.score is not null and p.is_content
order by s.score desc, p.paragraph_id
"""

INFO_DDL = """
create or replace table publish.info (
    published_at timestamp, run_id varchar, source_path varchar, duckdb_version varchar,
    indexed_paragraphs bigint, fts_version varchar, search_index varchar
)
"""


@dataclass(frozen=True)
class PublishResult:
    path: Path
    size_bytes: int
    seconds: float
    indexed_paragraphs: int
    table_rows: dict[str, int]
    search_index: search_index.IndexBuild


def fts_extension_path() -> Path:
    """The fts binary of the duckdb-extension-fts wheel, built and signed for this duckdb."""
    import duckdb_extension_fts

    root = Path(duckdb_extension_fts.__file__).parent / "extensions"
    candidate = root / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not candidate.is_file():
        found = sorted(p.parent.name for p in root.glob("*/fts.duckdb_extension"))
        raise RuntimeError(
            f"duckdb-extension-fts has no fts binary for duckdb {duckdb.__version__} "
            f"(it has {found}); pin both packages to the same version"
        )
    return candidate


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts from the wheel: DuckDB would otherwise try to download it on first use."""
    con.execute(f"load {warehouse_lib.quote_literal(str(fts_extension_path()))}")


@contextmanager
def connect_published(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a published copy, with search usable."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        load_fts(con)
        yield con
    finally:
        con.close()


def _user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() "
        "and not internal and not temporary and schema_name not like 'fts_%' "
        "and schema_name not in ('search', 'publish') order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        table: con.execute(f"select count(*) from {table}").fetchone()[0]
        for table in _user_tables(con)
        if table.startswith("marts.")
    }


def probe_search(con: duckdb.DuckDBPyConnection) -> tuple[str | None, int]:
    """Search a published copy for its most common indexed word: (word, hits)."""
    row = con.execute(
        f"select term from {FTS_SCHEMA}.dict order by df desc, term limit 1"
    ).fetchone()
    if row is None:
        return None, 0
    hits = con.execute("select count(*) from search.paragraphs(?)", [row[0]]).fetchone()[0]
    return row[0], hits


def build_search(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str | Path,
    previous: Path | None = None,
) -> tuple[int, search_index.IndexBuild]:
    """Create the BM25 index over the paragraphs (carried over from the `previous` published
    copy where it can be), the `search.paragraphs` macro and the `publish.info` row saying
    which build this is; returns the paragraphs indexed and how the index was made."""
    load_fts(con)
    index = search_index.build(con, previous)
    con.execute("create schema if not exists search")
    con.execute(SEARCH_MACRO)
    indexed = con.execute(f"select count(*) from {SEARCH_TABLE}").fetchone()[0]
    con.execute("create schema if not exists publish")
    con.execute(INFO_DDL)
    con.execute(
        "insert into publish.info values (?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC).replace(tzinfo=None),
            run_id,
            str(source),
            duckdb.__version__,
            indexed,
            search_index.fts_version(con),
            index.summary,
        ],
    )
    return indexed, index


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_lake(lake: warehouse_lib.DuckLake, staging: Path) -> tuple[dict[str, int], str]:
    """Write every table of the lake's latest snapshot into a new DuckDB file; returns the
    tables' row counts and a description of the source (catalog, snapshot)."""
    with warehouse_lib.connect(lake, read_only=True) as con:
        # one transaction reads one snapshot, whatever the writers commit meanwhile
        con.execute(f"attach {warehouse_lib.quote_literal(str(staging))} as published")
        con.execute("begin transaction")
        snapshot = warehouse_lib.current_snapshot(con)
        tables = _user_tables(con)
        for table in tables:
            schema, _ = table.split(".")
            con.execute(
                f"create schema if not exists published.{warehouse_lib.quote_identifier(schema)}"
            )
            con.execute(
                f"create table published.{warehouse_lib.qualified(table)} as "
                f"select * from {warehouse_lib.LAKE_ALIAS}.{warehouse_lib.qualified(table)}"
            )
        table_rows = {
            table: con.execute(
                f"select count(*) from published.{warehouse_lib.qualified(table)}"
            ).fetchone()[0]
            for table in tables
        }
        con.execute("commit")
        con.execute("detach published")
    return table_rows, f"ducklake snapshot {snapshot} (data {lake.data_path})"


def _copy_file(
    warehouse: Path, staging: Path, target: Path, run_id: str
) -> tuple[dict, int, search_index.IndexBuild]:
    """Copy a DuckDB warehouse file and publish the copy; returns (table rows, indexed, how
    the index was made).

    The warehouse stays open for writing until the rename, so no other writer changes it
    while it is copied and two publishers never interleave.
    """
    source = duckdb.connect(str(warehouse))
    try:
        # Leftovers of a publisher that died; the lock held on the warehouse means no live
        # publisher owns them.
        for stale in target.parent.glob(f".{target.name}.*.tmp*"):
            if stale != staging:
                stale.unlink(missing_ok=True)
        source.execute("checkpoint")
        table_rows = {
            table: source.execute(f"select count(*) from {table}").fetchone()[0]
            for table in _user_tables(source)
        }
        shutil.copyfile(warehouse, staging)
        return table_rows, *_finish(staging, target, run_id, str(warehouse))
    finally:
        source.close()


def publish(
    warehouse: warehouse_lib.Target, run_id: str, target: str | Path | None = None
) -> PublishResult:
    """Copy the warehouse to its published path atomically, with the search index added.

    A DuckLake warehouse is copied from one snapshot; it has no file to sit beside, so it
    needs `target`.
    """
    started = time.perf_counter()
    is_lake = isinstance(warehouse, warehouse_lib.DuckLake)
    if target is None:
        if is_lake:
            raise ValueError("publishing a DuckLake warehouse needs a target file")
        target = published_path(warehouse)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # unique per publisher: two publishers never write the same staging file
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        if is_lake:
            table_rows, source = _copy_lake(warehouse, staging)
            indexed, index = _finish(staging, target, run_id, source)
        else:
            table_rows, indexed, index = _copy_file(Path(warehouse), staging, target, run_id)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return PublishResult(
        path=target,
        size_bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
        indexed_paragraphs=indexed,
        table_rows=table_rows,
        search_index=index,
    )


def _finish(
    staging: Path, target: Path, run_id: str, source: str
) -> tuple[int, search_index.IndexBuild]:
    """Index the staged copy (from the copy it replaces), make it durable and rename it over
    the published copy."""
    with duckdb.connect(str(staging)) as copy:
        indexed, index = build_search(copy, run_id, source, previous=target)
        copy.execute("checkpoint")
    _fsync(staging)
    os.replace(staging, target)
    _fsync(target.parent)
    return indexed, index
