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
    """Row count and a markdown preview of a table the UI shows beside its dbt-given schema."""
    shown = preview.head(PREVIEW_ROWS).copy()
    for column in shown.columns:
        if shown[column].dtype in (object, "string"):
            shown[column] = shown[column].map(
                lambda v: (
                    (v[: PREVIEW_CHARS - 3] + "...")
                    if isinstance(v, str) and len(v) > PREVIEW_CHARS
                    else v
                )
            )
    return {
        "dagster/row_count": row_count,
        "preview": dg.MetadataValue.md(shown.to_markdown(index=False) if len(shown) else "empty"),
    }


def relation_metadata(con: duckdb.DuckDBPyConnection, relation: str, schema: bool = True) -> dict:
    """Row count, preview and (unless dbt already describes it) column schema of a table in
    the warehouse; empty when the relation does not exist."""
    if not warehouse.table_exists(con, relation):
        return {}
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    columns = warehouse.table_columns(con, relation)
    # texts are cut in DuckDB: a preview never reads, nor stores in the instance, a whole text
    shown = ", ".join(
        f'left("{name}", {PREVIEW_CHARS + 1}) as "{name}"'
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
