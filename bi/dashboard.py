"""The Superset dashboard over the published warehouse, as code: its database, datasets,
charts and layout. `bi/serve.py` applies it through Superset's REST API on every start, so
what Superset shows is what this file says (matched by name, updated in place).
"""

from __future__ import annotations

DATABASE_NAME = "News warehouse (published)"
DASHBOARD_TITLE = "Law-enforcement cooperation"
DASHBOARD_SLUG = "news-warehouse"

# One dataset per chart. `sql` makes a virtual dataset (a query over the marts); without it
# the dataset is the table itself.
DATASETS = {
    "events_by_month_and_type": {
        "schema": "marts",
        # every event once (agg_events_by_month repeats an event for each agency taking part),
        # in its own month, else its article's, as agg_events_by_month places it
        "sql": """
select
    cast(date_trunc('month', coalesce(e.event_date, a.published_date, cast(a.loaded_at as date)))
        as date) as event_month,
    e.event_type,
    count(*) as event_count
from marts.fct_events as e
inner join marts.dim_articles as a on e.article_id = a.article_id
group by all
""",
    },
    "agg_agency_cooperation": {"schema": "marts"},
    "agg_agency_crime_types": {"schema": "marts"},
    "latest_check_results": {
        "schema": "quality",
        # the checks of the latest build: the run whose results were written last
        "sql": """
select suite_name, check_name, severity, passed, unexpected_count, element_count, checked_at
from quality.check_results
where run_id = (select arg_max(run_id, checked_at) from quality.check_results)
""",
    },
}


def _sum(column: str, label: str) -> dict:
    return {
        "expressionType": "SIMPLE",
        "column": {"column_name": column},
        "aggregate": "SUM",
        "label": label,
    }


# Each chart: its dataset, Superset's viz type and form data (the chart's saved settings).
CHARTS = {
    "Events per month by type": {
        "dataset": "events_by_month_and_type",
        "viz_type": "echarts_timeseries_bar",
        "params": {
            "x_axis": "event_month",
            "time_grain_sqla": "P1M",
            "metrics": [_sum("event_count", "events")],
            "groupby": ["event_type"],
            "stack": "Stack",
            "row_limit": 10000,
            "show_legend": True,
            "rich_tooltip": True,
            "x_axis_time_format": "%Y-%m",
            "adhoc_filters": [],
        },
    },
    "Agencies that work together most": {
        "dataset": "agg_agency_cooperation",
        "viz_type": "table",
        "params": {
            "query_mode": "raw",
            "all_columns": [
                "agency_name_a",
                "agency_name_b",
                "shared_event_count",
                "shared_article_count",
            ],
            "order_by_cols": ['["shared_event_count", false]', '["shared_article_count", false]'],
            "row_limit": 20,
            "adhoc_filters": [],
        },
    },
    "Crime types by agency": {
        "dataset": "agg_agency_crime_types",
        "viz_type": "table",
        "params": {
            "query_mode": "aggregate",
            "groupby": ["agency_name", "crime_type"],
            "metrics": [_sum("article_count", "articles")],
            "timeseries_limit_metric": _sum("article_count", "articles"),
            "order_desc": True,
            "row_limit": 50,
            "adhoc_filters": [],
        },
    },
    "Data quality of the latest build": {
        "dataset": "latest_check_results",
        "viz_type": "table",
        "params": {
            "query_mode": "raw",
            "all_columns": [
                "suite_name",
                "check_name",
                "severity",
                "passed",
                "unexpected_count",
                "element_count",
            ],
            "order_by_cols": ['["passed", true]', '["suite_name", true]'],
            "row_limit": 500,
            "adhoc_filters": [],
        },
    },
}

# Rows of (chart, width out of 12); each row 50 grid units high.
LAYOUT = (
    (("Events per month by type", 12),),
    (("Agencies that work together most", 6), ("Crime types by agency", 6)),
    (("Data quality of the latest build", 12),),
)


def position_json(chart_ids: dict[str, int]) -> dict:
    """Superset's dashboard layout tree for LAYOUT, given each chart's id."""
    position: dict = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": DASHBOARD_TITLE}},
    }
    for row_index, row in enumerate(LAYOUT, start=1):
        row_id = f"ROW-{row_index}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for name, width in row:
            chart_id = chart_ids[name]
            component = f"CHART-{chart_id}"
            position[row_id]["children"].append(component)
            position[component] = {
                "type": "CHART",
                "id": component,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {"chartId": chart_id, "width": width, "height": 50, "sliceName": name},
            }
    return position
