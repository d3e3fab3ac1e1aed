"""Dagster definitions: the wiring of the stages in `defs/`, over the settings of `.env`."""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.defs import ingest, nlp, quality, transform
from dagster_project.defs.resources import NlpModelResource, RawFolderResource, WarehouseResource

defs = dg.Definitions(
    assets=[ingest.raw_landing, nlp.paragraphs, transform.dbt_models],
    asset_checks=[ingest.raw_files_all_landed, *quality.suite_checks],
    resources={
        "warehouse": WarehouseResource(path=dg.EnvVar("NEWS_WAREHOUSE_PATH")),
        "raw_folder": RawFolderResource(path=dg.EnvVar("NEWS_RAW_DIR")),
        "nlp_model": NlpModelResource(model_name=dg.EnvVar("NEWS_SPACY_MODEL")),
        "dbt": DbtCliResource(
            project_dir=transform.dbt_project,
            # the dbt of this environment, whether or not the environment is activated
            dbt_executable=str(Path(sys.executable).parent / "dbt"),
        ),
    },
    # DuckDB takes one writer at a time: run the steps of a run one after another.
    executor=dg.in_process_executor,
)
