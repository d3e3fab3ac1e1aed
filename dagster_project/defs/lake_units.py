"""Several NLP writers at once: the NLP stage split into units of articles that run as separate
steps, each in its own process, each committing its own results to the DuckLake warehouse.

`nlp_units_job` plans the units (`driver.plan_units`), fans them out as dynamic steps and runs
`driver.process_unit` in each: read the unit's articles and paragraphs, annotate them with
spaCy, commit their rows in one transaction (delete the articles' previous rows, insert the new
ones). A unit that fails is retried by Dagster's retry policy; its commit replaces rather
than appends, so a retry never doubles a row, and a DuckLake commit conflict with another
writer is just such a failure. Here the steps run on the multiprocess executor; the same job
with `dagster_k8s.k8s_job_executor` (or `dagster_celery_k8s.celery_k8s_job_executor`) runs
each unit in its own Kubernetes pod on many machines (docs/scaling.md).

A DuckDB file takes one writing process, so the job refuses it: the asset graph's
`nlp_annotations` is the NLP stage there. On DuckLake both write the same rows; whichever runs
second finds nothing left to do.
"""

from pathlib import Path

import dagster as dg

from dagster_project.defs.metadata import relation_metadata
from dagster_project.defs.nlp import NLP_ASSETS
from dagster_project.defs.resources import NlpModelResource, WarehouseResource
from dagster_project.lib import driver, settings

# Two worker processes at once on one machine, forked from a server that imported the code
# (spaCy included) once, rather than each unit's process importing it anew.
EXECUTION_CONFIG = {
    "max_concurrent": 2,
    "start_method": {"forkserver": {"preload_modules": ["dagster_project.definitions"]}},
}
# a step pays a process start and a catalog connection, a few seconds: units four times
# those of the asset's in-process pool keep that under a tenth of a step
UNIT_CHARS = 4 * driver.UNIT_CHARS
# the documented test hook's stage: `unit-commit:<article id>` fails the unit holding that
# article once, right after its commit, as a worker lost after committing would
FAULT_STAGE = "unit-commit"


class NlpUnitsConfig(dg.Config):
    """`unit_chars`: about how many characters of content one unit reads (one step, one
    commit)."""

    unit_chars: int = UNIT_CHARS


@dg.op(out=dg.DynamicOut(list))
def plan_nlp_units(
    context: dg.OpExecutionContext,
    config: NlpUnitsConfig,
    warehouse: WarehouseResource,
    nlp_model: NlpModelResource,
):
    """One output per unit: the ids of the articles (about `unit_chars` characters)
    that one worker annotates and commits."""
    if isinstance(warehouse.target, Path):
        raise dg.Failure(
            f"nlp_units_job writes from several processes: it needs "
            f"{settings.WAREHOUSE.name}=ducklake (a DuckDB file takes one writing process; "
            "its NLP stage is the asset nlp_annotations)"
        )
    version = driver.extractor_version(nlp_model.model_name)
    with warehouse.connect() as con:
        plan = driver.plan_units(con, version, context.log.info, config.unit_chars)
    for index, article_ids in enumerate(plan.units):
        yield dg.DynamicOutput(article_ids, mapping_key=f"unit_{index:05d}")


def _inject_fault(context: dg.OpExecutionContext, article_ids: list[str]) -> None:
    """A documented test hook (NEWS_FAULT_INJECTION=`unit-commit:<article id>`): the unit
    holding that article fails on its first attempt after it committed."""
    stage, _, article_id = settings.FAULT_INJECTION.value().partition(":")
    if stage == FAULT_STAGE and article_id in article_ids and context.retry_number == 0:
        raise RuntimeError(f"fault injected by {settings.FAULT_INJECTION.name} after the commit")


@dg.op(
    retry_policy=dg.RetryPolicy(
        max_retries=3, delay=1, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    )
)
def annotate_nlp_unit(
    context: dg.OpExecutionContext,
    warehouse: WarehouseResource,
    nlp_model: NlpModelResource,
    article_ids: list,
) -> dict:
    """One unit of articles annotated and committed in one transaction by this process;
    returns what it did. Safe to retry: the commit replaces the articles' rows."""
    version = driver.extractor_version(nlp_model.model_name)
    with warehouse.connect() as con:
        result = driver.process_unit(con, article_ids, nlp_model.model_name, version)
    _inject_fault(context, article_ids)
    context.log.info(
        f"unit of {result.articles} articles ({result.paragraphs} paragraphs) committed"
        + (f"; quarantined {[a for a, _ in result.failures]}" if result.failures else "")
    )
    return {
        "articles": result.articles,
        "paragraphs": result.paragraphs,
        "quarantined": [a for a, _ in result.failures],
    }


@dg.op
def record_nlp_tables(context: dg.OpExecutionContext, warehouse: WarehouseResource, units: list):
    """One materialization per nlp table once every unit committed, so the asset graph shows
    the tables the units wrote."""
    articles = sum(unit["articles"] for unit in units)
    quarantined = sorted(a for unit in units for a in unit["quarantined"])
    with warehouse.connect(read_only=True) as con:
        tables = {table: relation_metadata(con, f"nlp.{table}") for table in NLP_ASSETS}
    for table in NLP_ASSETS:
        context.log_event(
            dg.AssetMaterialization(
                asset_key=["nlp", table],
                metadata={
                    **tables[table],
                    "units": len(units),
                    "articles_annotated": articles,
                    "articles_quarantined": len(quarantined),
                },
            )
        )
    return articles


@dg.job(
    executor_def=dg.multiprocess_executor,
    config={"execution": {"config": EXECUTION_CONFIG}},
    description=(
        "The NLP stage on DuckLake as units that several worker processes annotate and commit "
        "at once; a failed unit is retried without doubling rows."
    ),
)
def nlp_units_job():
    record_nlp_tables(plan_nlp_units().map(annotate_nlp_unit).collect())
