"""dbt: staging, intermediate and mart models as assets, dbt tests as asset checks."""

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.asset_utils import (
    DBT_DEFAULT_SELECT,
    extract_runtime_selection_from_args,
    get_manifest_and_translator_from_dbt_assets,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from dagster_project.defs.metadata import relation_metadata
from dagster_project.defs.resources import REPO_ROOT, WarehouseResource
from dagster_project.lib import dbt_runner, dbt_state, marts
from dagster_project.lib import warehouse as warehouse_lib

DBT_DIR = REPO_ROOT / "dbt"
# the dbt of this environment, whether or not the environment is activated
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()


@dataclass(frozen=True)
class DbtBuild:
    """A dbt build's Dagster events (models, seeds and tests, in the order dbt finished them)
    and, when it failed, the error to raise once they are recorded."""

    invocation_id: str | None
    events: list[dg.Output | dg.AssetCheckResult | dg.AssetObservation]
    error: Exception | None
    # whether the build selected every dbt node, and the views and seeds it left out
    complete: bool = False
    left_out: tuple[str, ...] = ()


class ProjectDbtResource(DbtCliResource):
    """The dbt of this environment, run in the Dagster process (`lib.dbt_runner`): a dbt
    process of its own would pay Python's start and dbt's imports on every run that reaches
    dbt, which `dagster_dbt` has mostly imported here already. `build` picks the dbt nodes of
    the assets and checks a run selected as dagster-dbt's `cli` does, and turns dbt's node
    results into Dagster events with dagster-dbt's own translation, so the UI shows what a
    command-line run shows."""

    def build(
        self,
        context: dg.AssetExecutionContext,
        args: Sequence[str],
        target_path: Path,
        leave_out: Sequence[str] = (),
    ) -> DbtBuild:
        """Run `dbt build args` for the run's selection. `leave_out` names views and seeds
        to leave out of a build of every dbt asset (`lib.dbt_state`); their tests still run."""
        args, selects, excludes = extract_runtime_selection_from_args(["build", *args])
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest={},
            dagster_dbt_translator=DagsterDbtTranslator(),
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        project_dir = Path(
            params.dbt_project.project_dir if params.dbt_project else self.project_dir
        )
        indirect = ["--indirect-selection", params.indirect_selection]
        selection = list(params.selection_args)
        complete = builds_everything(params.selection_args, params.indirect_selection)
        leave_out = tuple(leave_out) if complete else ()
        if leave_out:
            # `fqn:*` selects the tests themselves: with no indirect selection, leaving a view
            # out leaves its tests in
            selection += ["--exclude", *leave_out]
            indirect = ["--indirect-selection", "empty"]
        dbt_runner.wait_for_parse(target_path)
        dbt_runner.seed_partial_parse(Path(self.project_dir), target_path)
        invocation = dbt_runner.invoke(
            [
                *args,
                *selection,
                *(indirect if indirect[-1] else []),
                # nothing reads the JSON artifacts (the node results come from dbt's events):
                # dbt would write its manifest twice per build, the graph and run_results.json
                "--no-write-json",
                *dbt_runner.location_args(
                    project_dir, Path(self.profiles_dir or project_dir), target_path
                ),
                # dbt.log at info: each node's result, warnings and errors. At debug, dbt's own
                # default (DBT_LOG_LEVEL_FILE=debug), it also gets every SQL statement, and
                # dbt's threads queue for the file: about a tenth of a small build
                *([] if "DBT_LOG_LEVEL_FILE" in os.environ else ["--log-level-file", "info"]),
            ]
        )
        error = None
        if not invocation.success:
            reasons = [*invocation.errors]
            if invocation.exception is not None:
                reasons.append(repr(invocation.exception))
            error = DagsterDbtCliRuntimeError(
                description=(
                    f"`{invocation.command}` failed; see the dbt log {target_path / 'dbt.log'}."
                    + "".join(f"\n\n{reason}" for reason in reasons)
                )
            )
        events = [
            event
            for result in invocation.results
            for event in DbtCoreCliEventMessage(
                raw_event=result, event_history_metadata={}
            ).to_default_asset_events(
                manifest=params.manifest,
                dagster_dbt_translator=params.dagster_dbt_translator,
                context=context,
                target_path=target_path,
                project=params.dbt_project,
            )
        ]
        return DbtBuild(invocation.invocation_id, events, error, complete, leave_out)


def builds_everything(selection_args: Sequence[str], indirect_selection: str | None) -> bool:
    """Whether dagster-dbt's selection for a run is every dbt node (the `@dbt_assets` default
    `fqn:*`, with tests selected along): what "Materialize all" and `make run` ask."""
    return list(selection_args) == ["--select", DBT_DEFAULT_SELECT] and not indirect_selection


def start_dbt_parse(warehouse: WarehouseResource) -> bool:
    """Parse the dbt project for the warehouse in the background when its target folder holds
    no parse yet (a new warehouse), while the run's first stages work: see
    `lib.dbt_runner.start_parse`. The build waits for it."""
    target = dbt_target_path(warehouse.file)
    dbt_runner.seed_partial_parse(DBT_DIR, target)
    return dbt_runner.start_parse(
        DBT_EXECUTABLE, DBT_DIR, DBT_DIR, target, warehouse_lib.dbt_environment(warehouse.target)
    )


def dbt_target_path(warehouse_file: Path) -> Path:
    """dbt's target folder for one warehouse, kept from run to run: dbt re-parses only the
    files that changed since the last run on this warehouse (its partial parse is keyed on the
    profile, which names the warehouse), and artifacts do not pile up one folder per run."""
    return warehouse_file.parent / "dbt_target" / warehouse_file.name


class LayerTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layers (staging, intermediate, marts); seeds are `reference`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "marts"


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds the incremental models from every article rather than from the
    articles that changed (`make rebuild` sets it)."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def dbt_models(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: ProjectDbtResource,
    warehouse: WarehouseResource,
):
    # dbt's profile reads the warehouse settings from the environment; hand it the resolved
    # backend and absolute paths.
    os.environ.update(warehouse_lib.dbt_environment(warehouse.target))
    target = dbt_target_path(warehouse.file)
    manifest, _, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    relations = dbt_state.relations_of(manifest)
    fingerprint, leave_out = None, []
    if isinstance(warehouse.target, Path):
        with warehouse.connect() as con:
            fingerprint = dbt_state.fingerprint(con, DBT_DIR, dbt_state.source_tables(manifest))
            if not config.full_refresh:
                leave_out = dbt_state.unchanged(con, relations, fingerprint)
    # dbt opens the warehouse itself, alone, as a command-line run does. A connection of this
    # run left open would hand dbt the same DuckDB database, and the views and seeds read from
    # it after the build do not all read as they do once the file is opened again (measured:
    # 4 of 15 signatures differ), so the state recorded below would not match the next run's
    warehouse.close_shared()
    # dbt holds the warehouse until it is done: read row counts and previews afterwards
    build = dbt.build(
        context,
        ["--full-refresh"] if config.full_refresh else [],
        target,
        leave_out=[r.name for r in leave_out],
    )
    if build.left_out:
        context.log.info(
            f"Left out {len(build.left_out)} views and seeds that the warehouse holds as this "
            f"build would make them (their tests ran): {', '.join(build.left_out)}"
        )
    with warehouse.connect() as con:
        # only a build of every node leaves every view and seed as the project defines them
        if build.complete and build.error is None and fingerprint is not None:
            dbt_state.record(con, relations, fingerprint)
        builds = marts.model_builds(con, build.invocation_id) if build.invocation_id else {}
        for event in build.events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                # dbt's manifest already gives the column schema, with descriptions
                extra = relation_metadata(con, ".".join(key.path), schema=False)
                if key.path[-1] in builds:
                    extra.update(builds[key.path[-1]].metadata())
                event = event.with_metadata({**event.metadata, **extra})
            yield event
    if build.error is not None:
        raise build.error
