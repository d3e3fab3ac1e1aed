"""The report's pure parts: the quality summary and the co-operation graph."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from dagster_project.lib import report


def _checks(rows):
    return pd.DataFrame(rows, columns=["severity", "passed"])


@pytest.mark.parametrize(
    ("rows", "summary"),
    [
        ([], report.QualitySummary(0, 0, 0, 0)),
        ([("error", True), ("warn", True)], report.QualitySummary(2, 2, 0, 0)),
        ([("warn", False), ("warn", True)], report.QualitySummary(2, 1, 1, 0)),
        ([("error", False), ("warn", False), ("error", True)], report.QualitySummary(3, 1, 1, 1)),
    ],
    ids=["none", "all-passed", "a-warning", "warning-and-failure"],
)
def test_quality_summary_counts_warnings_apart_from_failures(rows, summary):
    assert report.summarise_quality(_checks(rows)) == summary


def test_an_event_shared_weighs_three_articles_shared():
    pairs = pd.DataFrame(
        [("a", "b", 1, 2, None), ("b", "c", 0, 1, None)],
        columns=[
            "agency_id_a",
            "agency_id_b",
            "shared_event_count",
            "shared_article_count",
            "first_seen_date",
        ],
    )
    agencies = pd.DataFrame(
        [("a", "Drug Enforcement Administration", "DEA", "US", "drug_control", 3, 5)],
        columns=[
            "agency_id",
            "canonical_name",
            "acronym",
            "country_code",
            "agency_type",
            "article_count",
            "mention_count",
        ],
    )
    graph = report.cooperation_graph(pairs, agencies)
    assert graph["a"]["b"]["weight"] == 5 and graph["b"]["c"]["weight"] == 1
    assert graph.nodes["a"]["label"] == "DEA" and graph.nodes["a"]["mentions"] == 5
    # an agency missing from the dimension still shows, under its id
    assert graph.nodes["c"]["label"] == "c" and graph.nodes["c"]["country"] == "?"


def test_hover_text_wraps_and_escapes():
    wrapped = report._wrap("<b>seized</b> " + "word " * 30, width=40)
    assert "&lt;b&gt;seized&lt;/b&gt;" in wrapped
    assert all(len(html.unescape(line)) <= 40 for line in wrapped.split("<br>"))
