"""The warehouse resource in a real Dagster run on a real DuckDB file: the steps of a run share
one connection (no checkpoint between steps), the run's end checkpoints and lets go."""

from __future__ import annotations

import dagster as dg
import duckdb

from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib import warehouse


def _wal(path) -> int:
    wal = path.with_name(path.name + ".wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_run_shares_one_connection_and_checkpoints_when_it_ends(tmp_path):
    path = tmp_path / "news.duckdb"
    seen: dict[str, object] = {}

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create table t as select range as i from range(1000)")

    @dg.asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        # the first step's writes are still in the write-ahead log: its connection was not
        # closed (closing the last one checkpoints)
        seen["wal_between_steps"] = _wal(path)
        with warehouse.connect(read_only=True) as con:
            seen["rows"] = con.execute("select count(*) from t").fetchone()[0]
        with warehouse.connect() as con:
            con.execute("insert into t select 1000")

    result = dg.materialize(
        [first, second], resources={"warehouse": WarehouseResource(path=str(path))}
    )

    assert result.success
    assert seen == {"wal_between_steps": seen["wal_between_steps"], "rows": 1000}
    assert seen["wal_between_steps"] > 0
    # the run's end closed the connection (a checkpoint: no log left) and released the lock
    assert _wal(path) == 0
    warehouse.hold(path).release()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 1001


def test_outside_a_run_each_connection_is_its_own(tmp_path):
    path = tmp_path / "news.duckdb"
    resource = WarehouseResource(path=str(path))
    with resource.connect() as con:
        con.execute("create table t as select 1 as i")
    # closed: a read-only connection of this process (another configuration) opens
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 1
