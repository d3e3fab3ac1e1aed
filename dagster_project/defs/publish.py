"""Publishing: the read-only copy of the warehouse that BI tools, notebooks and the report open."""

import dagster as dg

from dagster_project.defs import transform
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib import publish as publish_lib

PUBLISHED_WAREHOUSE = dg.AssetKey(["publish", "warehouse"])

# Every mart, whichever models the dbt project holds today: the copy is published only once
# all of them are built (a failed or blocked mart leaves the previous copy in place).
MART_KEYS = sorted(
    (spec.key for spec in transform.dbt_models.specs if spec.group_name == "marts"),
    key=lambda key: key.to_user_string(),
)

SEARCH_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("paragraph_id", "varchar", description="The matching paragraph."),
        dg.TableColumn("article_id", "varchar", description="Its article."),
        dg.TableColumn("title", "varchar", description="The article's headline."),
        dg.TableColumn("publisher", "varchar"),
        dg.TableColumn("published_date", "date"),
        dg.TableColumn("zone", "varchar", description="title, dek, subheading, body, caption."),
        dg.TableColumn("score", "double", description="BM25 score, higher is better."),
        dg.TableColumn("paragraph_text", "varchar"),
    ]
)


@dg.asset(
    key=PUBLISHED_WAREHOUSE,
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb", "python"},
    # Run after every other ready step of the run, the checks of the marts included, so
    # that the copy carries their results in quality.check_results.
    op_tags={"dagster/priority": "-1"},
    description=(
        "One file: the whole warehouse as of the last successful build, plus a BM25 index "
        "over the paragraphs (`search.paragraphs(query)`), at `<warehouse folder>/published/"
        "<warehouse file name>`. Replaced atomically by a rename, so readers never block the "
        "pipeline and never see half a build."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    # the file is copied with no connection of the run open, as when each step opened its
    # own (at 11,027 articles publishing took 0.9-2.2 s with the run's connection left open,
    # 0.7-1.2 s with it closed; the cause is not pinned down)
    warehouse.close_shared()
    result = publish_lib.publish(
        warehouse.target, run_id=context.run_id, target=publish_lib.published_path(warehouse.file)
    )
    context.log.info(f"published {result.path} in {result.seconds:.2f}s")
    tables = "\n".join(
        ["| table | rows |", "|---|---:|"]
        + [f"| {table} | {rows} |" for table, rows in result.table_rows.items()]
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "size_bytes": result.size_bytes,
            "publish_seconds": round(result.seconds, 3),
            "indexed_paragraphs": result.indexed_paragraphs,
            "search_index": result.search_index.summary,
            "dagster/row_count": result.indexed_paragraphs,
            "dagster/column_schema": SEARCH_SCHEMA,
            "preview": dg.MetadataValue.md(tables),
            "search": dg.MetadataValue.md(
                "```sql\nselect title, score, paragraph_text\n"
                "from search.paragraphs('methamphetamine seizure') limit 10;\n```"
            ),
        }
    )


@dg.asset_check(
    asset=PUBLISHED_WAREHOUSE,
    description=(
        "The published copy opens read-only, holds as many rows in every mart as the "
        "warehouse, and search finds paragraphs for the most common indexed word."
    ),
)
def published_copy_matches_warehouse(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        expected = publish_lib.mart_row_counts(con)
    with publish_lib.connect_published(publish_lib.published_path(warehouse.file)) as con:
        actual = publish_lib.mart_row_counts(con)
        term, hits = publish_lib.probe_search(con)
    mismatched = sorted(
        t for t in expected.keys() | actual.keys() if expected.get(t) != actual.get(t)
    )
    return dg.AssetCheckResult(
        passed=not mismatched and hits > 0,
        metadata={
            "mismatched_tables": ", ".join(mismatched) or "none",
            "probe_term": term or "",
            "probe_hits": hits,
        },
    )
