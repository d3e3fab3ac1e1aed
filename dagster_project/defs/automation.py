"""Automation: a changed raw folder starts the raw landing, and declarative automation then
brings every asset downstream of it up to date, so dropping a file in the raw folder is enough.

Both sensors run by default under `dagster dev`. Runs write one DuckDB file, so the raw sensor
waits while any run is queued or in progress, and the eager conditions never request an asset
while it or one of its parents is being materialized.
"""

import hashlib
import json
from collections.abc import Sequence

import dagster as dg

from dagster_project.defs import ingest
from dagster_project.defs.resources import RawFolderResource
from dagster_project.lib import fingerprint

RAW_KEYS = frozenset(ingest.raw_landing.keys)
EAGER = dg.AutomationCondition.eager()
# Reference data (the dbt seeds) depends on nothing, so `eager` would never build it in a
# fresh Dagster instance (it treats what is missing at its first evaluation as handled), and
# everything downstream would wait on it for ever: build it once when found missing.
ROOT = dg.AutomationCondition.missing().newly_true().with_label("missing at first sight")
ACTIVE_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]

raw_landing_job = dg.define_asset_job(
    "raw_landing_job",
    selection=dg.AssetSelection.assets(*RAW_KEYS),
    description="Land the raw folder; the automation sensor takes it from there.",
)


def _condition(spec: dg.AssetSpec) -> dg.AutomationCondition | None:
    if spec.automation_condition is not None or spec.key in RAW_KEYS:
        return spec.automation_condition
    return EAGER if spec.deps else ROOT


def keep_up_to_date(assets: Sequence[dg.AssetsDefinition]) -> Sequence[dg.AssetsDefinition]:
    """Every asset but the raw landing (which the raw sensor starts) gets a condition: `eager`
    (materialized whenever a parent was updated) for derived assets, `ROOT` for reference data.
    An asset that states its own condition keeps it."""
    return dg.map_asset_specs(
        lambda spec: spec.replace_attributes(automation_condition=_condition(spec)), assets
    )


@dg.sensor(
    job=raw_landing_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Lands the raw folder (NEWS_RAW_DIR) when a file is added, changed or removed. The run "
        "key is the folder's content hash, chained to the previous one so that a folder "
        "returning to an earlier content is landed again."
    ),
)
def raw_files_sensor(context: dg.SensorEvaluationContext, raw_folder: RawFolderResource):
    cursor = json.loads(context.cursor) if context.cursor else {}
    previous = fingerprint.decode(cursor.get("files", {}))
    states = fingerprint.scan(raw_folder.folder, previous)
    current = fingerprint.fingerprint(states)
    if current == cursor.get("fingerprint"):
        return dg.SkipReason("No file in the raw folder changed.")
    if context.instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE_STATUSES), limit=1):
        # DuckDB takes one writer: look again once the run has finished (cursor unchanged).
        return dg.SkipReason("A run is queued or in progress; the change is picked up after it.")
    changed = fingerprint.changed_paths(previous, states)
    run_key = hashlib.sha256(f"{cursor.get('run_key', '')}:{current}".encode()).hexdigest()
    context.update_cursor(
        json.dumps(
            {"fingerprint": current, "run_key": run_key, "files": fingerprint.encode(states)}
        )
    )
    return dg.RunRequest(
        run_key=run_key,
        tags={
            "news/raw_fingerprint": current,
            "news/changed_files": str(len(changed)),
        },
    )


downstream_automation = dg.AutomationConditionSensorDefinition(
    "downstream_automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description=(
        "Evaluates the eager conditions: after the raw landing, requests everything downstream "
        "of what changed (NLP, dbt models and their tests, the published copy) in one run."
    ),
)
