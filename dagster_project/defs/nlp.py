"""Text tagging: paragraphs of every current article, then spaCy annotations over them."""

from dataclasses import asdict

import dagster as dg
import pandas as pd

from dagster_project.defs.ingest import RAW_ARTICLES
from dagster_project.defs.metadata import table_metadata
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib import paragraphs as paragraph_lib
from dagster_project.lib import warehouse as warehouse_lib

NLP_PARAGRAPHS = dg.AssetKey(["nlp", "paragraphs"])

PARAGRAPH_COLUMNS = {
    "paragraph_id": "string",
    "article_id": "string",
    "content_hash": "string",
    "paragraph_index": "int32",
    "char_start": "int32",
    "char_end": "int32",
    "paragraph_text": "string",
    "zone": "string",
    "is_boilerplate": "bool",
    "boilerplate_rule": "string",
    "is_duplicate": "bool",
    "duplicate_of_paragraph_id": "string",
    "near_duplicate_of_paragraph_id": "string",
    "similarity": "float64",
    "is_content": "bool",
}

CURRENT_ARTICLES = """
select article_id, content_hash, text, publisher, source_path, title, published_at
from raw.articles where is_current order by article_id
"""


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
        current = warehouse_lib.fetch_df(con, CURRENT_ARTICLES)
        corpus = [
            paragraph_lib.ArticleText(
                article_id=row.article_id,
                content_hash=row.content_hash,
                text=row.text,
                publisher=row.publisher,
                source_path=row.source_path,
            )
            for row in current.itertuples()
        ]
        rows = [asdict(p) for p in paragraph_lib.classify_corpus(corpus)]
        frame = pd.DataFrame(rows, columns=list(PARAGRAPH_COLUMNS)).astype(PARAGRAPH_COLUMNS)
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
