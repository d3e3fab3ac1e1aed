"""dbt in this process, through dbt's programmatic entry point (`dbtRunner`).

A dbt command in a process of its own pays Python's start and dbt's imports (about 2.5 CPU s)
on every run that reaches dbt, although the Dagster process has imported most of dbt already.
Here dbt runs in the caller's process and hands back its node results as the same structured
log records (`{"info": ..., "data": ...}`) that `dbt --log-format json` prints, so the caller
reads them as it would read dbt's output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the events that end a node (a seed loaded, a model built, a test run)
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
PARTIAL_PARSE = "partial_parse.msgpack"
# what dbt writes into a target folder it ran in (its log path here): a folder without it
# holds at most the partial parse `seed_partial_parse` copied in
DBT_LOG = "dbt.log"

# parses started by `start_parse`, by target folder, until `wait_for_parse` collects them
_PARSES: dict[Path, subprocess.Popen] = {}


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


def location_args(project_dir: Path, profiles_dir: Path, target_path: Path) -> list[str]:
    """The project, the profile and the warehouse's target folder (its artifacts and its log)
    of a dbt command."""
    return [
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
    ]


def start_parse(
    dbt_executable: str,
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path,
    environment: Mapping[str, str],
) -> bool:
    """Parse the project for a target folder that holds no parse yet, in a process of its own,
    without waiting for it. dbt keys its partial parse on the profile, which names the
    warehouse: the first build on a new warehouse would otherwise parse every file of the
    project in the build itself. Started while a run's first stages work on one core, the
    parse takes the other; `wait_for_parse` collects it before the build. Returns whether
    one was started. A parse `seed_partial_parse` copied in is read, and replaced only when it
    does not fit the warehouse, so a parse is started only for a target without a build."""
    target_path = target_path.resolve()
    if (target_path / DBT_LOG).exists() or target_path in _PARSES:
        return False
    target_path.mkdir(parents=True, exist_ok=True)
    _PARSES[target_path] = subprocess.Popen(
        [
            dbt_executable,
            "parse",
            "--quiet",
            # the build reads the partial parse; nothing reads the JSON manifest
            "--no-write-json",
            *location_args(project_dir, profiles_dir, target_path),
        ],
        env={**os.environ, **environment},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return True


def wait_for_parse(target_path: Path) -> int | None:
    """Wait for the parse `start_parse` started for the target folder, if any; its exit code
    (None when there was none). A failed parse leaves no partial parse: the build parses."""
    process = _PARSES.pop(target_path.resolve(), None)
    return None if process is None else process.wait()


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
