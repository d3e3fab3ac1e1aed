"""The Dagster instance's storage on one machine (named in `dagster.yaml`).

Dagster's SQLite event log opens a new connection for every event it stores and closes it
afterwards. SQLite then waits for the disk twice per event, once for the commit and once for
the checkpoint that closing the last connection of a WAL database makes: about 20 ms each on
this kind of virtual disk, so seconds for the few hundred events of a run that builds
something. Opening the connection itself (SQLAlchemy's engine, SQLite's file and schema) costs
a few milliseconds more each time. The event log is a record of runs, not the warehouse's data:
here SQLite hands its writes to the operating system and goes on, and the connections of the
index and of the last few runs stay open from one event to the next. A crash of Dagster loses
nothing; a crash of the operating system or a power cut may lose or damage the last runs' logs,
never the warehouse, which the next run checks against the raw folder anyway. For a shared,
durable history point `dagster.yaml` at Dagster's PostgreSQL storage instead.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine, create_engine, event

# the shards whose connections stay open: the index, the running run's and a few recent ones
# (the UI reads the logs of many runs: each further one closes the least recently used)
OPEN_SHARDS = 8


def _write_without_waiting(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA synchronous = OFF")


class LocalEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, in the same place (`$DAGSTER_HOME/history/runs`) and the
    same format, that does not wait for the disk after each event and keeps its connections
    open."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Dagster's own constructor already connects (to create a new index)
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> LocalEventLogStorage:
        base_dir = config_value.get("base_dir")
        if not base_dir:
            home = os.environ.get("DAGSTER_HOME")
            if not home:
                raise ValueError(
                    "LocalEventLogStorage: set DAGSTER_HOME or give `base_dir` in its config"
                )
            base_dir = os.path.join(home, "history", "runs")
        return cls(base_dir=base_dir, inst_data=inst_data)

    def has_table(self, table_name: str) -> bool:
        # Dagster asks SQLite, on an engine of its own each time, for every asset check result
        # and every tagged asset event it stores. Tables are only ever added (by migrations):
        # one found is remembered
        if table_name not in self._tables_found:
            if not super().has_table(table_name):
                return False
            self._tables_found.add(table_name)
        return True

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, its connection pooled; the least recently used beyond
        OPEN_SHARDS are closed."""
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _write_without_waiting)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_SHARDS:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def _close_engines(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster's `_connect`, with a kept engine instead of a new one per call
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def wipe(self) -> None:
        # Dagster deletes the run shards' files: close them first
        with self._db_lock:
            self._close_engines()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            self._close_engines()
