"""The shipped Dagster instance settings (`dagster.yaml`): a real instance on SQLite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from dagster import (
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    AssetMaterialization,
    DagsterEventType,
    DagsterInstance,
)
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluation
from dagster._core.events import DagsterEvent, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from sqlalchemy import Engine, event

from dagster_project.instance import OPEN_SHARDS, LocalEventLogStorage
from tests.helpers import pipeline_env


def _materialization(run_id: str, asset: str) -> EventLogEntry:
    return _entry(
        run_id,
        DagsterEventType.ASSET_MATERIALIZATION,
        StepMaterializationData(AssetMaterialization(asset_key=asset)),
    )


def _check_result(run_id: str, asset: str, check: str, passed: bool) -> EventLogEntry:
    evaluation = AssetCheckEvaluation(
        asset_key=AssetKey(asset),
        check_name=check,
        passed=passed,
        metadata={},
        severity=AssetCheckSeverity.ERROR,
    )
    return _entry(run_id, DagsterEventType.ASSET_CHECK_EVALUATION, evaluation)


def _entry(run_id: str, kind: DagsterEventType, data: object) -> EventLogEntry:
    event = DagsterEvent(event_type_value=kind.value, job_name="job", event_specific_data=data)
    return EventLogEntry(
        error_info=None,
        level=10,
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        dagster_event=event,
    )


@contextmanager
def _connections_opened() -> Iterator[list[object]]:
    """The SQLite connections SQLAlchemy opens inside the block, as they are opened."""
    opened: list[object] = []

    def count(connection, _record):
        opened.append(connection)

    event.listen(Engine, "connect", count)
    try:
        yield opened
    finally:
        event.remove(Engine, "connect", count)


@pytest.fixture
def instance(tmp_path, monkeypatch) -> DagsterInstance:
    """A Dagster instance from the shipped settings, in `tmp_path / "dagster_home"`."""
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    pipeline_env(tmp_path / "raw", tmp_path / "news.duckdb", home)
    return DagsterInstance.from_config(str(home))


def test_events_are_kept_in_dagsters_own_place_without_waiting_for_the_disk(tmp_path, instance):
    home = tmp_path / "dagster_home"
    storage = instance.event_log_storage
    assert isinstance(storage, LocalEventLogStorage)

    storage.store_event(_materialization("run-1", "articles"))
    storage.store_event(_materialization("run-1", "mentions"))

    assert (home / "history" / "runs" / "run-1.db").exists()
    records = storage.get_records_for_run("run-1").records
    assert [r.event_log_entry.dagster_event.asset_key for r in records] == [
        AssetKey("articles"),
        AssetKey("mentions"),
    ]
    # the asset index (what the UI's asset pages read) follows too
    assert instance.get_latest_materialization_event(AssetKey("mentions")) is not None
    with storage.run_connection("run-1") as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 0


def test_a_run_stores_its_events_through_connections_it_keeps_open(tmp_path, instance):
    home = tmp_path / "dagster_home"
    storage = instance.event_log_storage
    with _connections_opened() as opened:
        for index in range(20):
            storage.store_event(_materialization("run-1", f"asset_{index}"))
        # one connection for the run's own file and one for the asset index, not one per event
        assert len(opened) == 2

        # the logs of many runs (as the UI reads them): only the most recent stay open
        runs = [f"run-{index}" for index in range(2, OPEN_SHARDS + 6)]
        for run_id in runs:
            storage.store_event(_materialization(run_id, "articles"))
        assert len(storage._engines) == OPEN_SHARDS
        assert len(storage.get_records_for_run("run-1").records) == 20
        assert all(len(storage.get_records_for_run(r).records) == 1 for r in runs)

    # wiping deletes the run files under the open connections and starts afresh
    storage.wipe()
    assert not (home / "history" / "runs" / "run-1.db").exists()
    assert storage.get_records_for_run("run-1").records == []
    storage.store_event(_materialization("run-1", "articles"))
    assert len(storage.get_records_for_run("run-1").records) == 1
    assert instance.get_latest_materialization_event(AssetKey("articles")) is not None


def test_storing_check_results_opens_no_connection_per_result(instance):
    """Dagster's SQLite storage asks whether the asset check table exists before it stores
    each check result, on an engine of its own: a run that builds something stores a hundred."""
    storage = instance.event_log_storage
    storage.store_event(_check_result("run-1", "articles", "warm_up", True))
    with _connections_opened() as opened:
        for index in range(20):
            storage.store_event(_check_result("run-1", "articles", f"check_{index}", index != 3))
    assert opened == []
    # the UI's view of the checks follows: the latest evaluation of each
    executions = storage.get_asset_check_execution_history(
        AssetCheckKey(AssetKey("articles"), "check_3"), limit=5
    )
    assert len(executions) == 1
    assert executions[0].event.dagster_event.asset_check_evaluation_data.passed is False
