"""Text tagging: paragraphs of every current article, then spaCy annotations over them."""

import dagster as dg

from dagster_project.defs.ingest import RAW_ARTICLES
from dagster_project.defs.metadata import table_metadata
from dagster_project.defs.resources import NlpModelResource, WarehouseResource
from dagster_project.lib import articles as article_lib
from dagster_project.lib import nlp as nlp_lib
from dagster_project.lib import paragraphs as paragraph_lib
from dagster_project.lib import warehouse as warehouse_lib

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
def paragraphs(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        current = warehouse_lib.fetch_df(con, article_lib.CURRENT_ARTICLES)
        frame = paragraph_lib.classify_articles(current)
        warehouse_lib.replace_table(con, "nlp.paragraphs", frame)
    return dg.MaterializeResult(
        metadata=table_metadata(
            frame,
            articles=len(current),
            duplicate_paragraphs=int(frame["is_duplicate"].sum()),
            near_duplicate_paragraphs=int(frame["near_duplicate_of_paragraph_id"].notna().sum()),
            boilerplate_paragraphs=int(frame["is_boilerplate"].sum()),
        )
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


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["nlp", table],
            deps=[NLP_PARAGRAPHS],
            description=description,
            group_name="nlp",
            kinds={"spacy", "python", "duckdb"},
        )
        for table, description in NLP_TABLES.items()
    ],
    can_subset=False,
)
def nlp_annotations(warehouse: WarehouseResource, nlp_model: NlpModelResource):
    """Parse the content paragraphs (not boilerplate, not repeated copies) with spaCy once,
    and write every table that reads the parse. Reference data: dbt/seeds/ref_*.csv."""
    with warehouse.connect() as con:
        paragraph_rows = warehouse_lib.fetch_df(con, "select * from nlp.paragraphs")
        current = warehouse_lib.fetch_df(con, article_lib.CURRENT_ARTICLES)
    frames = nlp_lib.annotate(
        paragraph_rows,
        current,
        nlp_model.model_name,
        nlp_lib.REFERENCE_AGENCIES,
        nlp_lib.REFERENCE_PLACES,
    )
    with warehouse.connect() as con:
        for table in NLP_TABLES:
            warehouse_lib.replace_table(con, f"nlp.{table}", frames[table])
    model = nlp_lib.load_model(nlp_model.model_name)
    for table in NLP_TABLES:
        yield dg.MaterializeResult(
            asset_key=["nlp", table],
            metadata=table_metadata(
                frames[table],
                spacy_model=f"{model.meta['lang']}_{model.meta['name']}",
                spacy_model_version=model.meta["version"],
            ),
        )
