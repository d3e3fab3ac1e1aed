"""Text tagging: paragraphs of every current article, then spaCy annotations over them.

Both stages are incremental (dagster_project/lib/driver.py): they process only the article
versions without results under the current extractor version, and their metadata says how
many articles were new, re-processed, re-stamped, skipped and quarantined.
"""

import dagster as dg

from dagster_project.defs.ingest import RAW_ARTICLES
from dagster_project.defs.metadata import relation_metadata
from dagster_project.defs.resources import NlpModelResource, WarehouseResource
from dagster_project.lib import driver

NLP_PARAGRAPHS = dg.AssetKey(["nlp", "paragraphs"])


@dg.asset(
    key=NLP_PARAGRAPHS,
    deps=[RAW_ARTICLES],
    group_name="nlp",
    kinds={"python", "duckdb"},
    description=(
        "One row per paragraph of a current article, with character offsets into the article "
        "text, its zone (title, dek, subheading, body, caption, boilerplate) and its duplicate, "
        "near-duplicate and boilerplate flags. No paragraph is dropped."
    ),
)
def paragraphs(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, nlp_model: NlpModelResource
) -> dg.MaterializeResult:
    version = driver.extractor_version(nlp_model.model_name)
    with warehouse.connect() as con:
        stats = driver.classify_paragraphs(con, version, log=context.log.info)
        # the NLP stage's workers load the model while the checks of the paragraphs run
        warmed = driver.warm_nlp_workers(con, nlp_model.model_name, version)
        counts = con.execute(
            "select count(*) filter (where is_duplicate), "
            "count(*) filter (where near_duplicate_of_paragraph_id is not null), "
            "count(*) filter (where is_boilerplate) from nlp.paragraphs"
        ).fetchone()
        metadata = relation_metadata(con, "nlp.paragraphs")
    context.log.info(f"paragraphs: {stats.metadata()}")
    return dg.MaterializeResult(
        metadata={
            **metadata,
            **stats.metadata(),
            "extractor_version": version.version,
            "duplicate_paragraphs": counts[0],
            "near_duplicate_paragraphs": counts[1],
            "boilerplate_paragraphs": counts[2],
            "nlp_workers_started": warmed,
        }
    )


NLP_TABLES = {
    "sentences": "One row per sentence of a content paragraph, with its offsets in the article.",
    "mentions": (
        "One row per agency, person or place mention in a content paragraph, linked to its "
        "canonical entity, with offsets, detection method, confidence and model version."
    ),
    "crime_types": "One row per crime type an article discusses, with its evidence sentence.",
    "events": (
        "One row per event stated in an article (type, status, date, place, quantity), a "
        "statement repeated in the article counted once."
    ),
    "event_agencies": "One row per agency taking part in an event, with its role.",
    "event_countries": "One row per country involved in an event (ISO-3166 alpha-2).",
}
# the driver's bookkeeping, which the incremental marts read: both stages write it, the NLP
# stage last, so it is materialised (and its dbt sources have a parent) with the annotations
STATE_TABLES = {
    "article_state": (
        "One row per current article version: the paragraph and NLP versions and input "
        "hashes the driver built it with."
    ),
    "quarantine": (
        "One row per current article version whose processing raised (stage, error, "
        "extractor version)."
    ),
}
# every table the NLP stage materialises, whichever job runs it
NLP_ASSETS = {**NLP_TABLES, **STATE_TABLES}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["nlp", table],
            deps=[NLP_PARAGRAPHS],
            description=description,
            group_name="nlp",
            kinds={"spacy", "python", "duckdb"},
        )
        for table, description in NLP_ASSETS.items()
    ],
    can_subset=False,
)
def nlp_annotations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, nlp_model: NlpModelResource
):
    """Parse the content paragraphs (not boilerplate, not repeated copies) of the articles
    that need it with spaCy, on every core, and write every table that reads the parse.
    Reference data: dbt/seeds/ref_*.csv."""
    version = driver.extractor_version(nlp_model.model_name)
    with warehouse.connect() as con:
        try:
            stats = driver.annotate_articles(
                con, nlp_model.model_name, version, log=context.log.info
            )
        except driver.SystematicFailure as failure:
            raise dg.Failure(str(failure)) from failure
        in_quarantine = driver.quarantine_count(con)
        tables = {table: relation_metadata(con, f"nlp.{table}") for table in NLP_ASSETS}
    context.log.info(f"nlp: {stats.metadata()}")
    for table in tables:
        yield dg.MaterializeResult(
            asset_key=["nlp", table],
            metadata={
                **tables[table],
                **stats.metadata(),
                "articles_in_quarantine": in_quarantine,
                "extractor_version": version.version,
                "spacy_model": nlp_model.model_name,
            },
        )


@dg.asset_check(
    asset=dg.AssetKey(["nlp", "sentences"]),
    name="no_quarantined_articles",
    description=(
        "Names every current article version set aside because its processing raised (stage, "
        "error, extractor version): the other articles were built; it is retried when the "
        "extractor version changes."
    ),
)
def no_quarantined_articles(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        report = driver.quarantine_report(con)
        count = driver.quarantine_count(con)
    shown = report[["article_id", "source_path", "stage", "error"]] if len(report) else report
    return dg.AssetCheckResult(
        passed=report.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined_articles": count,
            "articles": dg.MetadataValue.md(
                shown.to_markdown(index=False) if len(report) else "none"
            ),
        },
    )
