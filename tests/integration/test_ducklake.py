"""The DuckLake backend of the warehouse layer against a real PostgreSQL catalog: tables
written through the layer land as Parquet under the data folder with their catalog in
PostgreSQL, and a reader keeps its snapshot while another process commits."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from dagster_project.lib import warehouse
from tests.helpers import REPO_ROOT

FRAME = pd.DataFrame({"article_id": ["a", "b", "c"], "words": [3, 5, 8]})

# Replaces the table in another process: a commit the reader did not make.
WRITER = """
import json, sys
from pathlib import Path
import duckdb
import pandas as pd
from dagster_project.lib import warehouse
lake = warehouse.DuckLake(sys.argv[1], Path(sys.argv[2]))
with warehouse.connect(lake) as con:
    frame = pd.DataFrame({"article_id": list("abcdefg"), "words": range(7)})
    warehouse.replace_table(con, "nlp.counts", frame)
    print(json.dumps(warehouse.current_snapshot(con)))
"""


def _write_in_another_process(lake: warehouse.DuckLake) -> int:
    result = subprocess.run(
        [sys.executable, "-c", WRITER, lake.catalog, str(lake.data_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_tables_live_in_the_postgres_catalog_and_parquet_files(lake, postgres_server):
    # more rows than DuckLake inlines into the catalog, so they go to a Parquet file
    frame = pd.DataFrame({"article_id": [f"a{i:05d}" for i in range(5000)], "words": range(5000)})
    with warehouse.connect(lake) as con:
        assert not warehouse.table_exists(con, "nlp.counts")
        warehouse.replace_table(con, "nlp.counts", frame)
        assert warehouse.table_exists(con, "nlp.counts")
        stored = warehouse.fetch_df(con, "select * from nlp.counts order by article_id")
    pd.testing.assert_frame_equal(stored, frame, check_dtype=False)
    assert list(lake.data_path.rglob("*.parquet")), "no Parquet file under the data folder"
    # the catalog is PostgreSQL's: DuckLake's metadata tables name the table written
    listed = postgres_server.psql(
        lake.catalog, "select table_name from ducklake_table where end_snapshot is null"
    )
    assert listed.split() == ["counts"]


def test_replacing_a_table_keeps_one_copy_of_its_rows(lake):
    with warehouse.connect(lake) as con:
        warehouse.replace_table(con, "nlp.counts", FRAME)
        warehouse.replace_table(con, "nlp.counts", FRAME)
        assert con.execute("select count(*) from nlp.counts").fetchone()[0] == len(FRAME)


def test_a_reader_keeps_its_snapshot_while_another_process_commits(lake):
    with warehouse.connect(lake) as con:
        warehouse.replace_table(con, "nlp.counts", FRAME)
        before = warehouse.current_snapshot(con)
    with warehouse.connect(lake, read_only=True) as reader:
        reader.execute("begin transaction")
        assert reader.execute("select count(*) from nlp.counts").fetchone()[0] == 3
        after = _write_in_another_process(lake)
        # the open transaction reads the snapshot it began on
        assert reader.execute("select count(*) from nlp.counts").fetchone()[0] == 3
        reader.execute("commit")
        # its next transaction reads the new commit
        assert reader.execute("select count(*) from nlp.counts").fetchone()[0] == 7
    assert after > before
    with warehouse.connect(lake, snapshot_version=before) as pinned:
        assert pinned.execute("select count(*) from nlp.counts").fetchone()[0] == 3
        with pytest.raises(duckdb.Error, match="(?i)read.only"):
            pinned.execute("insert into nlp.counts values ('z', 1)")
    with warehouse.connect(lake, read_only=True) as latest:
        assert latest.execute("select count(*) from nlp.counts").fetchone()[0] == 7


def test_a_read_only_reader_cannot_write(lake):
    with warehouse.connect(lake) as con:
        warehouse.replace_table(con, "nlp.counts", FRAME)
    with (
        warehouse.connect(lake, read_only=True) as reader,
        pytest.raises(duckdb.Error, match="(?i)read.only"),
    ):
        warehouse.replace_table(reader, "nlp.counts", FRAME)
    with warehouse.connect(lake, read_only=True) as reader:
        assert reader.execute("select count(*) from nlp.counts").fetchone()[0] == 3


def test_a_role_that_may_only_read_the_catalog_reads_and_cannot_commit(lake, postgres_server):
    with warehouse.connect(lake) as con:
        warehouse.replace_table(con, "nlp.counts", FRAME)
    reader = postgres_server.reader_of(lake)
    with warehouse.connect(reader, read_only=True) as con:
        assert con.execute("select count(*) from nlp.counts").fetchone()[0] == 3
    with warehouse.connect(reader) as con, pytest.raises(duckdb.Error, match="(?i)permission"):
        warehouse.replace_table(con, "nlp.counts", FRAME)
    with warehouse.connect(lake, read_only=True) as con:
        assert con.execute("select count(*) from nlp.counts").fetchone()[0] == 3
