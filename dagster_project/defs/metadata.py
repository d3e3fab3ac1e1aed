"""Asset metadata shown in the Dagster UI: row count, column schema and a preview."""

import dagster as dg
import duckdb
import pandas as pd

from dagster_project.lib import warehouse

_TYPE_NAMES = {
    "object": "varchar",
    "string": "varchar",
    "str": "varchar",
    "bool": "boolean",
    "boolean": "boolean",
    "int64": "bigint",
    "Int64": "bigint",
    "int32": "integer",
    "Int32": "integer",
    "float64": "double",
    "Float64": "double",
}


def _type_name(dtype) -> str:
    name = str(dtype)
    if name.startswith("datetime64"):
        return "timestamp"
    return _TYPE_NAMES.get(name, name)


def preview_metadata(preview: pd.DataFrame, row_count: int) -> dict:
    """Row count and a markdown preview of a table the UI shows beside its dbt-given schema."""
    shown = preview.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(
                lambda v: (v[:77] + "...") if isinstance(v, str) and len(v) > 80 else v
            )
    return {
        "dagster/row_count": row_count,
        "preview": dg.MetadataValue.md(shown.to_markdown(index=False) if len(shown) else "empty"),
    }


def table_metadata(frame: pd.DataFrame, preview_rows: int = 10, **extra) -> dict:
    """Row count, column schema and preview of a table a Python asset just wrote."""
    return {
        **preview_metadata(frame.head(preview_rows), len(frame)),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name=c, type=_type_name(t)) for c, t in frame.dtypes.items()]
        ),
        **extra,
    }


def relation_metadata(con: duckdb.DuckDBPyConnection, relation: str, schema: bool = True) -> dict:
    """Row count, preview and (unless dbt already describes it) column schema of a table in
    the warehouse; empty when the relation does not exist."""
    if not warehouse.table_exists(con, relation):
        return {}
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    metadata = preview_metadata(warehouse.fetch_df(con, f"select * from {relation} limit 10"), rows)
    if schema:
        table_schema, table = relation.split(".")
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [table_schema, table],
        ).fetchall()
        metadata["dagster/column_schema"] = dg.TableSchema(
            columns=[dg.TableColumn(name=name, type=kind.lower()) for name, kind in columns]
        )
    return metadata
