"""Asset metadata shown in the Dagster UI: row count, column schema and a preview."""

import dagster as dg
import pandas as pd

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


def table_metadata(frame: pd.DataFrame, preview_rows: int = 10, **extra) -> dict:
    preview = frame.head(preview_rows).copy()
    for column in preview.columns:
        if preview[column].dtype == object:
            preview[column] = preview[column].map(
                lambda v: (v[:77] + "...") if isinstance(v, str) and len(v) > 80 else v
            )
    return {
        "dagster/row_count": len(frame),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name=c, type=_type_name(t)) for c, t in frame.dtypes.items()]
        ),
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False) if len(frame) else "empty"),
        **extra,
    }
