"""dbt: staging, intermediate and mart models as assets, dbt tests as asset checks."""

import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as package_version
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
from packaging.version import Version

from dagster_project.defs.metadata import relation_metadata
from dagster_project.defs.resources import REPO_ROOT, WarehouseResource
from dagster_project.lib import marts
from dagster_project.lib import warehouse as warehouse_lib

DBT_DIR = REPO_ROOT / "dbt"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()


class ProjectDbtResource(DbtCliResource):
    """The dbt of this environment. dagster-dbt would start `dbt --version` and build a dbt
    adapter in this process before every dbt command (seconds each, on every run that reaches
    dbt); the version is the installed dbt-core's, and the adapter only serves dagster-dbt's
    column and row-count fetching, which this project does not use (see `dbt_models`)."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


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
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
):
    # dbt's profile reads the warehouse settings; hand it the resolved backend and absolute
    # paths, since the dbt process runs from the dbt folder.
    os.environ.update(warehouse_lib.dbt_environment(warehouse.target))
    # dbt holds the warehouse until it exits: read row counts and previews afterwards
    target = dbt_target_path(warehouse.file)
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    invocation = dbt.cli(args, context=context, target_path=target)
    events = list(invocation.stream())
    invocation_id = invocation.get_artifact("run_results.json")["metadata"]["invocation_id"]
    with warehouse.connect() as con:
        builds = marts.model_builds(con, invocation_id)
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                # dbt's manifest already gives the column schema, with descriptions
                extra = relation_metadata(con, ".".join(key.path), schema=False)
                if key.path[-1] in builds:
                    extra.update(builds[key.path[-1]].metadata())
                event = event.with_metadata({**event.metadata, **extra})
            yield event
