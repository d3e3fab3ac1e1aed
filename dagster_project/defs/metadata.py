"""Asset metadata shown in the Dagster UI: row count, column schema and a preview."""

import dagster as dg
import duckdb
import pandas as pd

from dagster_project.lib import warehouse

# what a preview shows of a table: the Dagster instance stores it with every materialization,
# so it must not grow with the texts
PREVIEW_ROWS = 10
PREVIEW_CHARS = 80


def preview_metadata(preview: pd.DataFrame, row_count: int) -> dict:
    """Row count and a markdown preview of a table the UI shows beside its dbt-given schema;
    texts are already cut to PREVIEW_CHARS (`relation_metadata` does it in DuckDB)."""
    shown = preview.head(PREVIEW_ROWS)
    # no number parsing of every cell: the preview shows the values as DuckDB gave them
    table = shown.to_markdown(index=False, disable_numparse=True) if len(shown) else "empty"
    return {"dagster/row_count": row_count, "preview": dg.MetadataValue.md(table)}


def relation_metadata(con: duckdb.DuckDBPyConnection, relation: str, schema: bool = True) -> dict:
    """Row count, preview and (unless dbt already describes it) column schema of a table in
    the warehouse; empty when the relation does not exist."""
    columns = warehouse.table_columns(con, relation)
    if not columns:
        return {}
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    # texts are cut in DuckDB: a preview never reads, nor stores in the instance, a whole text
    shown = ", ".join(
        f'case when length("{name}") > {PREVIEW_CHARS} '
        f'then left("{name}", {PREVIEW_CHARS - 3}) || \'...\' else "{name}" end as "{name}"'
        if kind.upper() == "VARCHAR"
        else f'"{name}"'
        for name, kind in columns
    )
    preview = warehouse.fetch_df(con, f"select {shown} from {relation} limit {PREVIEW_ROWS}")
    metadata = preview_metadata(preview, rows)
    if schema:
        metadata["dagster/column_schema"] = dg.TableSchema(
            columns=[dg.TableColumn(name=name, type=kind.lower()) for name, kind in columns]
        )
    return metadata
