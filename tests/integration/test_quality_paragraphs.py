"""The paragraphs suite run by real Great Expectations against a real DuckDB file."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from dagster_project.lib import quality, warehouse
from expectations import PARAGRAPHS_SUITE

TEXT = "Headline\n\nFirst paragraph.\n\nSecond paragraph.\n\nFirst paragraph."


def _paragraph(article_id, index, start, end, text, duplicate_of=None):
    return {
        "paragraph_id": f"{article_id}-{index}",
        "article_id": article_id,
        "content_hash": f"hash-{article_id}",
        "paragraph_index": index,
        "char_start": start,
        "char_end": end,
        "paragraph_text": text,
        "is_boilerplate": False,
        "is_duplicate": duplicate_of is not None,
        "duplicate_of_paragraph_id": duplicate_of,
        "near_duplicate_of_paragraph_id": None,
        "similarity": None,
    }


def _good_paragraphs(article_id: str) -> list[dict]:
    return [
        _paragraph(article_id, 0, 0, 8, "Headline"),
        _paragraph(article_id, 1, 10, 26, "First paragraph."),
        _paragraph(article_id, 2, 28, 45, "Second paragraph."),
    ]


def _build(path, articles: dict[str, str], paragraphs: list[dict]) -> None:
    with warehouse.connect(path) as con:
        frame = pd.DataFrame(
            [
                {
                    "article_id": a,
                    "content_hash": f"hash-{a}",
                    "source_path": f"{a}.txt",
                    "text": text,
                    "is_current": True,
                }
                for a, text in articles.items()
            ]
        )
        warehouse.replace_table(con, "raw.articles", frame)
        warehouse.replace_table(con, "nlp.paragraphs", pd.DataFrame(paragraphs))


def _run(path, tmp_path) -> dict[str, quality.CheckOutcome]:
    with warehouse.connect(path) as con:
        outcome = quality.run_suite(
            con, PARAGRAPHS_SUITE, tmp_path / "gx", run_id="test-run", raw_dir=tmp_path
        )
    return {o.check_name: o for o in outcome.outcomes}


def test_clean_paragraphs_pass_every_check(tmp_path):
    path = tmp_path / "w.duckdb"
    _build(path, {"a1": TEXT[:45]}, _good_paragraphs("a1"))
    results = _run(path, tmp_path)
    assert set(results) == {c.name for c in PARAGRAPHS_SUITE.checks}
    assert all(o.passed for o in results.values())


def test_a_repeated_paragraph_warns_naming_article_and_paragraph(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT, "a2": TEXT[:45]}, rows + _good_paragraphs("a2"))
    results = _run(path, tmp_path)
    dup = results["no_duplicated_paragraphs"]
    assert not dup.passed and dup.severity == "warn" and dup.unexpected_count == 1
    assert dup.failing_rows[0]["article_id"] == "a1"
    assert dup.failing_rows[0]["paragraph_index"] == 3
    assert results["paragraph_offsets_slice_back"].passed


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        (lambda rows: rows[1].update(char_start=11), "paragraph_offsets_slice_back"),
        (lambda rows: rows.clear(), "every_article_has_paragraphs"),
        (lambda rows: rows[2].update(paragraph_id="a1-1"), "paragraph_ids_unique"),
    ],
    ids=["shifted-offsets", "article-without-paragraphs", "repeated-id"],
)
def test_a_broken_structure_is_an_error(tmp_path, broken, check):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1")
    broken(rows)
    _build(path, {"a1": TEXT[:45], "a2": TEXT[:45]}, rows + _good_paragraphs("a2"))
    results = _run(path, tmp_path)
    assert not results[check].passed
    assert results[check].severity == "error"


def test_results_and_failing_rows_are_kept_and_data_docs_written(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    _run(path, tmp_path)
    _run(path, tmp_path)
    with duckdb.connect(str(path), read_only=True) as con:
        per_run = con.execute(
            "select count(*) from quality.check_results group by run_id"
        ).fetchall()
        failing = con.execute(
            "select check_name, row_key, row_values from quality.failing_rows"
        ).fetchall()
        kept = con.execute("select count(*) from nlp.paragraphs").fetchone()[0]
    assert per_run == [(2 * len(PARAGRAPHS_SUITE.checks),)]  # appended, never replaced
    assert {f[0] for f in failing} == {"no_duplicated_paragraphs"}
    assert json.loads(failing[0][2])["paragraph_index"] == 3
    assert kept == 4
    docs = tmp_path / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (docs / "index.html").exists()
