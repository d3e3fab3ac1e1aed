"""The dashboard spec of bi/dashboard.py is consistent before Superset ever sees it."""

from __future__ import annotations

from bi import dashboard


def test_every_chart_is_placed_once_and_reads_a_defined_dataset():
    placed = [name for row in dashboard.LAYOUT for name, _ in row]
    assert sorted(placed) == sorted(dashboard.CHARTS)
    assert {chart["dataset"] for chart in dashboard.CHARTS.values()} == set(dashboard.DATASETS)
    assert all(sum(width for _, width in row) <= 12 for row in dashboard.LAYOUT)


def test_position_tree_links_every_chart_to_its_row():
    ids = {name: index for index, name in enumerate(dashboard.CHARTS, start=7)}
    position = dashboard.position_json(ids)
    rows = position["GRID_ID"]["children"]
    assert rows == [f"ROW-{n}" for n in range(1, len(dashboard.LAYOUT) + 1)]
    charts = {key: node for key, node in position.items() if key.startswith("CHART-")}
    assert {node["meta"]["chartId"] for node in charts.values()} == set(ids.values())
    for key, node in charts.items():
        row = node["parents"][-1]
        assert key in position[row]["children"]
        assert node["meta"]["sliceName"] in dashboard.CHARTS


def test_datasets_read_the_marts_and_quality_schemas_only():
    for spec in dashboard.DATASETS.values():
        assert spec["schema"] in {"marts", "quality"}
        sql = spec.get("sql", "").lower()
        assert "raw." not in sql and "nlp." not in sql
