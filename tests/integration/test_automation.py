"""Automation against a real Dagster instance: the raw-folder sensor over a real folder, and the
declarative conditions of the real definitions evaluated as the automation sensor does."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.defs import automation
from dagster_project.defs.resources import RawFolderResource


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a.txt").write_text("Interpol trained Cambodian police.", encoding="utf-8")
    return folder


def _tick(instance, raw, cursor):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"raw_folder": RawFolderResource(path=str(raw))}
    )
    return automation.raw_files_sensor(context), context.cursor


def test_the_sensor_lands_each_new_content_of_the_folder_once(instance, raw):
    first, cursor = _tick(instance, raw, None)
    assert isinstance(first, dg.RunRequest)
    assert first.tags["news/changed_files"] == "1"

    unchanged, cursor = _tick(instance, raw, cursor)
    assert isinstance(unchanged, dg.SkipReason)

    # a touch is no change; a hidden file is not data
    stat = (raw / "a.txt").stat()
    os.utime(raw / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    (raw / ".DS_Store").write_bytes(b"\0")
    touched, cursor = _tick(instance, raw, cursor)
    assert isinstance(touched, dg.SkipReason)

    (raw / "a.txt").write_text("Interpol trained Cambodian police in Kampot.", encoding="utf-8")
    changed, cursor = _tick(instance, raw, cursor)
    (raw / "a.txt").write_text("Interpol trained Cambodian police.", encoding="utf-8")
    reverted, cursor = _tick(instance, raw, cursor)
    (raw / "sub").mkdir()
    (raw / "sub" / "b.jsonl").write_text('{"text": "UNODC"}\n', encoding="utf-8")
    added, cursor = _tick(instance, raw, cursor)
    (raw / "sub" / "b.jsonl").unlink()
    deleted, cursor = _tick(instance, raw, cursor)

    requests = [first, changed, reverted, added, deleted]
    assert all(isinstance(r, dg.RunRequest) for r in requests)
    # back to the first content is landed again: its run key is not the first one
    assert len({r.run_key for r in requests}) == len(requests)
    assert reverted.tags["news/raw_fingerprint"] == first.tags["news/raw_fingerprint"]
    assert changed.tags["news/changed_files"] == "1"


def test_the_sensor_waits_while_a_run_is_in_progress(instance, raw):
    instance.add_run(
        dg.DagsterRun(job_name="__ASSET_JOB", run_id="busy", status=dg.DagsterRunStatus.STARTED)
    )
    waiting, cursor = _tick(instance, raw, None)
    assert isinstance(waiting, dg.SkipReason)
    assert cursor is None

    instance.handle_run_event(
        "busy",
        dg.DagsterEvent(
            event_type_value=dg.DagsterEventType.RUN_SUCCESS.value, job_name="__ASSET_JOB"
        ),
    )
    assert isinstance(_tick(instance, raw, None)[0], dg.RunRequest)


def _requested(result) -> set[str]:
    return {
        key.to_user_string()
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if result.get_num_requested(key)
    }


def test_after_a_raw_landing_everything_downstream_is_requested_once(instance):
    graph = defs.resolve_asset_graph()
    every = {key.to_user_string() for key in graph.get_all_asset_keys()}
    raw_keys = {key.to_user_string() for key in automation.RAW_KEYS}
    roots = {k.to_user_string() for k in graph.get_all_asset_keys() if not graph.get(k).parent_keys}
    reference = roots - raw_keys

    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    # a fresh instance builds its missing reference data and nothing else
    assert reference and _requested(first) == reference

    for key in automation.RAW_KEYS | {dg.AssetKey.from_user_string(k) for k in reference}:
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    after_landing = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, cursor=first.cursor
    )
    assert _requested(after_landing) == every - roots
    assert {"nlp/paragraphs", "marts/fct_paragraphs", "publish/warehouse"} <= _requested(
        after_landing
    )

    quiet = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, cursor=after_landing.cursor
    )
    assert quiet.total_requested == 0
