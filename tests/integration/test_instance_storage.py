"""The shipped Dagster instance settings (`dagster.yaml`): a real instance on SQLite."""

from __future__ import annotations

import time

from dagster import AssetKey, AssetMaterialization, DagsterEventType, DagsterInstance
from dagster._core.events import DagsterEvent, StepMaterializationData
from dagster._core.events.log import EventLogEntry

from dagster_project.instance import LocalEventLogStorage
from tests.helpers import pipeline_env


def _materialization(run_id: str, asset: str) -> EventLogEntry:
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="job",
        event_specific_data=StepMaterializationData(AssetMaterialization(asset_key=asset)),
    )
    return EventLogEntry(
        error_info=None,
        level=10,
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        dagster_event=event,
    )


def test_events_are_kept_in_dagsters_own_place_without_waiting_for_the_disk(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    pipeline_env(tmp_path / "raw", tmp_path / "news.duckdb", home)
    instance = DagsterInstance.from_config(str(home))
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
