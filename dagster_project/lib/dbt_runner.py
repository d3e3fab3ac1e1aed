"""dbt in this process, through dbt's programmatic entry point (`dbtRunner`).

A dbt command in a process of its own pays Python's start and dbt's imports (about 2.5 CPU s)
on every run that reaches dbt, although the Dagster process has imported most of dbt already.
Here dbt runs in the caller's process and hands back its node results as the same structured
log records (`{"info": ..., "data": ...}`) that `dbt --log-format json` prints, so the caller
reads them as it would read dbt's output.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the events that end a node (a seed loaded, a model built, a test run)
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
PARTIAL_PARSE = "partial_parse.msgpack"


@dataclass
class DbtInvocation:
    """What one dbt command did: its node results in the order dbt finished them, the error
    messages it logged, and whether it succeeded."""

    args: list[str]
    results: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    invocation_id: str | None = None
    success: bool = False
    exception: BaseException | None = None

    @property
    def command(self) -> str:
        return " ".join(["dbt", *self.args])


def seed_partial_parse(project_dir: Path, target_path: Path) -> None:
    """Start a new target folder from the project's own partial parse (`make install` parses
    the project), as dagster-dbt does for its command-line runs, so a first run on a new
    warehouse does not parse every file."""
    source = project_dir / "target" / PARTIAL_PARSE
    destination = target_path / PARTIAL_PARSE
    if source.exists() and not destination.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination)


def invoke(args: Sequence[str]) -> DbtInvocation:
    """Run one dbt command in this process. dbt's own logs go where they go for a command line
    run (stdout, `dbt.log` in its log path); the node results and errors are collected."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    invocation = DbtInvocation(args=list(args))

    def collect(event) -> None:
        # dbt fires every event through its callbacks, debug ones included: convert only the
        # few the caller reads
        info = event.info
        if invocation.invocation_id is None:
            invocation.invocation_id = info.invocation_id
        if info.level == "error":
            invocation.errors.append(info.msg)
        if info.name in RESULT_EVENTS:
            invocation.results.append(msg_to_dict(event))

    try:
        outcome = dbtRunner(callbacks=[collect]).invoke(invocation.args)
    finally:
        _close_database()
    invocation.success = outcome.success
    invocation.exception = outcome.exception
    return invocation


def _close_database() -> None:
    """dbt-duckdb keeps its database open when a command ends (a command line run ends with its
    process): close it, so that this process can open the warehouse again with another
    configuration (read-only), and another process at all."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        environment = DuckDBConnectionManager.env()
    except Exception:
        return  # dbt opened no database
    environment.close()
    DuckDBConnectionManager.close_all_connections()
