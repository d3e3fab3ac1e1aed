"""Raw landing: the files of the raw folder become versioned article rows in DuckDB."""

import dagster as dg

from dagster_project.defs import transform
from dagster_project.defs.metadata import relation_metadata
from dagster_project.defs.resources import NlpModelResource, RawFolderResource, WarehouseResource
from dagster_project.lib import articles, driver, publish

RAW_ARTICLES = dg.AssetKey(["raw", "articles"])
RAW_REJECTS = dg.AssetKey(["raw", "rejects"])
# the NLP stage's step (`defs.nlp.nlp_annotations`, which imports this module)
NLP_STEP = "nlp_annotations"


class RawLandingConfig(dg.Config):
    """`force` emits the raw assets even when no file changed, so that everything downstream
    runs again (after a change of the dbt models, say; a change of the extraction code, rules,
    reference tables or model is seen by itself)."""

    force: bool = False


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RAW_ARTICLES,
            description=(
                "One row per article version: every distinct content seen under a source file "
                "or JSONL record, with superseded and deleted versions kept and marked."
            ),
            group_name="raw",
            kinds={"python", "duckdb"},
            skippable=True,
        ),
        dg.AssetSpec(
            RAW_REJECTS,
            description=(
                "One row per rejected file or JSONL line (empty, binary, undecodable, "
                "oversized, malformed, symlinked or outside the raw folder), with its reason."
            ),
            group_name="raw",
            kinds={"python", "duckdb"},
            skippable=True,
        ),
    ],
    can_subset=False,
)
def raw_landing(
    context: dg.AssetExecutionContext,
    config: RawLandingConfig,
    raw_folder: RawFolderResource,
    warehouse: WarehouseResource,
    nlp_model: NlpModelResource,
):
    """Land new and changed files, keyed on content; emit nothing when nothing changed and
    the marts already reflect the raw state, so that a rerun does no work downstream."""
    with warehouse.connect() as con:
        result = articles.land(con, raw_folder.folder, load_id=context.run.run_id)
        # up to date: every current article was processed by the current extractor (code,
        # rules, reference tables, model), the marts hold them and BI tools have their copy
        version = driver.extractor_version(nlp_model.model_name)
        pending = driver.pending_articles(con, version)
        in_step = (
            pending == 0
            and articles.marts_reflect_raw(con)
            and publish.published_path(warehouse.file).is_file()
        )
        # a run with nothing to do stores no materialization: no previews to read for it
        emit = result.changed or not in_step or config.force
        nlp_workers = 0
        if pending:
            driver.start_worker_server()
            # a small change is parsed on one NLP worker: it loads the model on the other
            # core while the checks and the paragraph stage run (the paragraph stage starts
            # the workers of a larger one, knowing what is content); not in a run that stops
            # after the landing (the raw files sensor's)
            chars = driver.pending_article_chars(con, version)
            if chars < driver.POOL_MIN_CHARS and context.job_def.graph.has_node_named(NLP_STEP):
                nlp_workers = driver.warm_nlp_workers(
                    con, nlp_model.model_name, version, chars=chars
                )
        if emit:
            # a new warehouse's dbt parse, on the idle core while the stages before dbt work
            transform.start_dbt_parse(warehouse)
        counts = articles.table_counts(con)
        articles_metadata = relation_metadata(con, "raw.articles") if emit else {}
        rejects_metadata = relation_metadata(con, "raw.rejects") if emit else {}
    metadata = {
        "load_id": result.load_id,
        "files_seen": result.files_seen,
        "articles_new": result.articles_new,
        "articles_superseded": result.articles_superseded,
        "articles_deleted": result.articles_deleted,
        "articles_unchanged": result.articles_unchanged,
        "aliases_added": result.aliases_added,
        "rejects_new": result.rejects_new,
        "articles_pending_extraction": pending,
        "nlp_workers_started": nlp_workers,
    }
    context.log.info(f"landing: {metadata}")
    if not emit:
        context.log.info("No file changed and the marts reflect the raw folder: nothing to do.")
        return
    yield dg.MaterializeResult(
        asset_key=RAW_ARTICLES,
        metadata={**articles_metadata, **metadata, "current_articles": counts["current_articles"]},
    )
    yield dg.MaterializeResult(
        asset_key=RAW_REJECTS,
        metadata={**rejects_metadata, "rejects_new": result.rejects_new},
    )
