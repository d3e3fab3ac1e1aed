"""dbt: staging, intermediate and mart models as assets, dbt tests as asset checks."""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from dagster_project.defs.metadata import relation_metadata
from dagster_project.defs.resources import REPO_ROOT, WarehouseResource
from dagster_project.lib import warehouse as warehouse_lib

DBT_DIR = REPO_ROOT / "dbt"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()


class LayerTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layers (staging, intermediate, marts); seeds are `reference`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "marts"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # dbt's profile reads the warehouse settings; hand it the resolved backend and absolute
    # paths, since the dbt process runs from the dbt folder.
    os.environ.update(warehouse_lib.dbt_environment(warehouse.target))
    # dbt holds the warehouse until it exits: read row counts and previews afterwards
    events = list(dbt.cli(["build"], context=context).stream())
    with warehouse.connect() as con:
        for event in events:
            if isinstance(event, dg.Output):
                relation = ".".join(context.asset_key_for_output(event.output_name).path)
                # dbt's manifest already gives the column schema, with descriptions
                extra = relation_metadata(con, relation, schema=False)
                event = event.with_metadata({**event.metadata, **extra})
            yield event
