"""Dagster definitions: the wiring of the stages in `defs/`; the resources read the settings
(`lib.settings`) when they are used."""

import gc

import dagster as dg

from dagster_project.defs import automation, ingest, lake_units, nlp, publish, quality, transform
from dagster_project.defs.resources import NlpModelResource, RawFolderResource, WarehouseResource

defs = dg.Definitions(
    assets=automation.keep_up_to_date(
        [
            ingest.raw_landing,
            nlp.paragraphs,
            nlp.nlp_annotations,
            transform.dbt_models,
            publish.published_warehouse,
        ]
    ),
    asset_checks=[
        *quality.suite_checks,
        nlp.no_quarantined_articles,
        publish.published_copy_matches_warehouse,
    ],
    jobs=[automation.raw_landing_job, lake_units.nlp_units_job],
    sensors=[automation.raw_files_sensor, automation.downstream_automation],
    resources={
        "warehouse": WarehouseResource(),
        "raw_folder": RawFolderResource(),
        "nlp_model": NlpModelResource(),
        "dbt": transform.ProjectDbtResource(
            project_dir=transform.dbt_project,
            dbt_executable=transform.DBT_EXECUTABLE,
        ),
    },
    # DuckDB takes one writer at a time: run the steps of a run one after another.
    executor=dg.in_process_executor,
)

# What the imports and the definitions above made lives as long as the process: leave it out of
# the cyclic garbage collector's full collections, which would otherwise walk it again and again
# during a run (measured at 2,127 articles: a run that builds one added article ~1.2 s less, a
# run with nothing to do ~0.5 s less)
gc.freeze()
# and collect less often than Python's defaults (700, 10, 10), made for small heaps: a run
# allocates millions of short-lived objects (dbt's Jinja, GX, Dagster's events), and each older
# collection walks every object dbt and GX hold. Young objects are still collected every 10,000
# allocations; a full collection at most every 25 million (runs that build one added article,
# alternating: 12.09 -> 11.68 s at 2,127 articles, 13.91 -> 13.40 s at 11,027; peak memory of
# the Dagster process within 15 MB, a cold run's the same). Like the freeze, this holds for
# every process that loads these definitions (`dagster dev`'s code server too); the worker
# processes of the paragraph and NLP stages never load them and keep Python's defaults
gc.set_threshold(10_000, 50, 50)
