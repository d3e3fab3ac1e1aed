"""The Dagster instance's storage on one machine (named in `dagster.yaml`).

Dagster's SQLite event log opens a new connection for every event it stores and closes it
afterwards. SQLite then waits for the disk twice per event, once for the commit and once for
the checkpoint that closing the last connection of a WAL database makes: about 20 ms each on
this kind of virtual disk, so seconds for the few hundred events of a run that builds
something. The event log is a record of runs, not the warehouse's data: here SQLite hands its
writes to the operating system and goes on. A crash of Dagster loses nothing; a crash of the
operating system or a power cut may lose or damage the last runs' logs, never the warehouse,
which the next run checks against the raw folder anyway. For a shared, durable history point
`dagster.yaml` at Dagster's PostgreSQL storage instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection


class LocalEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, in the same place (`$DAGSTER_HOME/history/runs`) and the
    same format, that does not wait for the disk after each event."""

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

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with super()._connect(shard) as connection:
            connection.exec_driver_sql("PRAGMA synchronous = OFF")
            yield connection
