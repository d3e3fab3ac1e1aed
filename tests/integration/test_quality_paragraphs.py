"""The paragraphs suite run by real Great Expectations against a real DuckDB file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

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


def _run(path, tmp_path, run_id="test-run", revalidate=False) -> dict[str, quality.CheckOutcome]:
    with warehouse.connect(path) as con:
        outcome = quality.run_suite(
            con,
            PARAGRAPHS_SUITE,
            tmp_path / "gx",
            run_id=run_id,
            raw_dir=tmp_path,
            revalidate=revalidate,
        )
    return {o.check_name: o for o in outcome.outcomes}


def _flagged(path, run_id) -> list[tuple[str, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select check_name, row_values from quality.failing_rows where run_id = ?", [run_id]
        ).fetchall()
    return sorted((check, json.loads(values)["paragraph_index"]) for check, values in rows)


def _validated(path, run_id) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select count(*) from quality.validated_rows where run_id = ?", [run_id]
        ).fetchone()[0]


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


def test_a_row_flagged_by_an_earlier_run_stays_flagged_without_being_validated_again(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    first = _run(path, tmp_path, "first")["no_duplicated_paragraphs"]
    again = _run(path, tmp_path, "again")["no_duplicated_paragraphs"]
    assert not first.passed and first.carried == 0
    assert not again.passed and again.unexpected_count == 1 and again.carried == 1
    assert again.failing_rows[0]["paragraph_index"] == 3
    assert _validated(path, "first") == 4 and _validated(path, "again") == 0
    # recorded once, by the run that found it
    assert _flagged(path, "first") == [("no_duplicated_paragraphs", 3)]
    assert _flagged(path, "again") == []


def test_a_bad_row_of_a_new_article_is_caught_beside_the_earlier_ones(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    _run(path, tmp_path, "first")
    added = _good_paragraphs("a2") + [_paragraph("a2", 3, 47, 63, "First paragraph.", "a2-1")]
    _build(path, {"a1": TEXT, "a2": TEXT}, rows + added)
    results = _run(path, tmp_path, "second")
    dup = results["no_duplicated_paragraphs"]
    assert dup.unexpected_count == 2 and dup.carried == 1
    assert {r["article_id"] for r in dup.failing_rows} == {"a1", "a2"}
    assert _validated(path, "second") == 4
    assert _flagged(path, "second") == [("no_duplicated_paragraphs", 3)]
    # a whole-column check sees every row: a new id equal to an old one is caught
    added[0]["paragraph_id"] = "a1-0"
    _build(path, {"a1": TEXT, "a2": TEXT}, rows + added)
    assert not _run(path, tmp_path, "third")["paragraph_ids_unique"].passed


def test_a_forced_run_validates_every_row_again(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    _run(path, tmp_path, "first")
    # a verdict the suite no longer trusts (say, recorded by a faulty run): only a forced run
    # looks at the row again
    with duckdb.connect(str(path)) as con:
        con.execute("update quality.validated_rows set failed_checks = []")
    assert _run(path, tmp_path, "trusting")["no_duplicated_paragraphs"].passed
    forced = _run(path, tmp_path, "forced", revalidate=True)["no_duplicated_paragraphs"]
    assert not forced.passed and forced.unexpected_count == 1 and forced.carried == 0
    assert _validated(path, "forced") == 4
    assert _run(path, tmp_path, "after")["no_duplicated_paragraphs"].unexpected_count == 1


def test_verdicts_are_kept_when_a_sample_of_the_rows_all_pass(tmp_path):
    # DuckDB types a frame column from a sample of its rows: rows that failed nothing there
    # must not decide the type of the verdicts of a row that failed between them
    path = tmp_path / "w.duckdb"
    ids = [f"a{i:04d}" for i in range(2000)]
    bad = ids[1000:1003]  # three neighbours: whatever the sample's stride, one falls between
    rows = [p for a in ids for p in _good_paragraphs(a)]
    rows += [_paragraph(a, 3, 47, 63, "First paragraph.", f"{a}-1") for a in bad]
    _build(path, dict.fromkeys(ids, TEXT[:45]) | dict.fromkeys(bad, TEXT), rows)
    dup = _run(path, tmp_path, "first")["no_duplicated_paragraphs"]
    assert not dup.passed and dup.unexpected_count == 3
    assert _validated(path, "first") == len(rows)
    with duckdb.connect(str(path), read_only=True) as con:
        failed = con.execute(
            "select failed_checks from quality.validated_rows where len(failed_checks) > 0"
        ).fetchall()
    assert failed == [(["no_duplicated_paragraphs"],)] * 3


def test_gx_is_handed_the_new_rows_and_the_earlier_failures_alone(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    rows += _good_paragraphs("a2")
    _build(path, {"a1": TEXT, "a2": TEXT[:45]}, rows)
    _run(path, tmp_path, "first")
    _build(path, {"a1": TEXT, "a2": TEXT[:45], "a3": TEXT[:45]}, rows + _good_paragraphs("a3"))
    with warehouse.connect(path) as con:
        frame, totals = quality.select_rows(con, PARAGRAPHS_SUITE, tmp_path)
    handed = sorted(
        zip(frame["article_id"], frame["paragraph_index"], frame[quality.UNSEEN], strict=True)
    )
    # a3's rows to validate, and a1's repeated paragraph whose failure is carried
    assert handed == [("a1", 3, False), ("a3", 0, True), ("a3", 1, True), ("a3", 2, True)]
    assert totals[None] == 10 and totals["is_first_paragraph"] == 3


def test_a_repeated_key_keeps_failing_when_no_row_is_new(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + _good_paragraphs("a2")
    rows[4]["paragraph_id"] = "a1-1"
    _build(path, {"a1": TEXT[:45], "a2": TEXT[:45]}, rows)
    first = _run(path, tmp_path, "first")["paragraph_ids_unique"]
    again = _run(path, tmp_path, "again")["paragraph_ids_unique"]
    assert _validated(path, "again") == 0
    for outcome in (first, again):
        assert not outcome.passed and outcome.unexpected_count == 2
        assert outcome.element_count == 6
        assert sorted(r["article_id"] for r in outcome.failing_rows) == ["a1", "a2"]


def _validation_pages(tmp_path) -> int:
    site = tmp_path / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
    return len(list((site / "validations").rglob("*.html")))


def test_data_docs_are_rendered_again_only_when_a_verdict_changed(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1")
    _build(path, {"a1": TEXT[:45]}, rows)
    _run(path, tmp_path, "first")
    assert _validation_pages(tmp_path) == 1
    # a new clean article: every verdict as before, no page saying the same again
    _build(path, {"a1": TEXT[:45], "a2": TEXT[:45]}, rows + _good_paragraphs("a2"))
    _run(path, tmp_path, "same")
    assert _validation_pages(tmp_path) == 1
    added = _good_paragraphs("a3") + [_paragraph("a3", 3, 47, 63, "First paragraph.", "a3-1")]
    _build(path, {"a1": TEXT[:45], "a2": TEXT[:45], "a3": TEXT}, rows + added)
    results = _run(path, tmp_path, "changed")
    assert not results["no_duplicated_paragraphs"].passed
    assert _validation_pages(tmp_path) == 2
    with duckdb.connect(str(path), read_only=True) as con:
        urls = con.execute("select distinct data_docs_url from quality.check_results").fetchall()
    assert len(urls) == 1 and urls[0][0].endswith("index.html")


RUN_IN_NEW_PROCESS = """
import sys
from pathlib import Path
from dagster_project.lib import quality, warehouse
from expectations import PARAGRAPHS_SUITE
with warehouse.connect(Path(sys.argv[1])) as con:
    quality.run_suite(con, PARAGRAPHS_SUITE, Path(sys.argv[2]), "second", Path(sys.argv[3]))
print("great_expectations" in sys.modules)
"""


def _run_in_new_process(path, tmp_path) -> bool:
    """Run the suite in another process, as the next `make run`; whether it imported GX."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_IN_NEW_PROCESS, str(path), str(tmp_path / "gx"), str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return done.stdout.strip().splitlines()[-1] == "True"


def test_a_later_process_validates_with_the_stored_gx_project_left_as_it_was(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    _run(path, tmp_path, "first")
    project = tmp_path / "gx" / "gx"
    config = (project / "great_expectations.yml").read_text()
    _build(path, {"a1": TEXT, "a2": TEXT[:45]}, rows + _good_paragraphs("a2"))
    assert _run_in_new_process(path, tmp_path)
    assert (project / "great_expectations.yml").read_text() == config
    assert "config_variables_file_path: uncommitted" not in config
    assert len(list((project / "uncommitted" / "validations").rglob("*.json"))) == 2
    with duckdb.connect(str(path), read_only=True) as con:
        runs = con.execute(
            "select run_id, passed, unexpected_count from quality.check_results "
            "where check_name = 'no_duplicated_paragraphs' order by checked_at"
        ).fetchall()
    assert runs == [("first", False, 1), ("second", False, 1)]


def test_data_docs_views_render_gx_pages_compiling_each_template_once_per_process(tmp_path):
    import great_expectations as gx
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    from dagster_project.lib import gx_views

    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    _run(path, tmp_path)
    store = gx.get_context(mode="file", project_root_dir=tmp_path / "gx").validation_results_store
    result = store.get(store.list_keys()[0])
    # as GX's site builder makes a view: with the project's template folders
    custom = tmp_path / "gx" / "gx" / "plugins" / "custom_data_docs"
    folders = (str(custom / "styles"), str(custom / "views"))
    # element ids and the links' time stamps are made afresh by every render
    ids = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|\d{8}T\d{6}\.\d+Z")
    # a view renders the page's parts in place: a page for each render
    expected = ids.sub(
        "id", DefaultJinjaPageView(*folders).render(ValidationResultsPageRenderer().render(result))
    )
    assert "is_duplicate" in expected
    later = gx_views.PageView(*folders)
    # the run's Data Docs build compiled the templates already
    assert len(later.env.cache) > 0
    page = ValidationResultsPageRenderer().render(result)
    assert ids.sub("id", later.render(page)) == expected
    assert len(DefaultJinjaPageView(*folders).env.cache) == 0


def test_a_run_with_nothing_new_keeps_its_verdicts_without_importing_gx(tmp_path):
    path = tmp_path / "w.duckdb"
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    _build(path, {"a1": TEXT}, rows)
    _run(path, tmp_path, "first")
    results = tmp_path / "gx" / "gx" / "uncommitted" / "validations"
    assert not _run_in_new_process(path, tmp_path)
    with duckdb.connect(str(path), read_only=True) as con:
        runs = con.execute(
            "select run_id, check_name, passed, unexpected_count, element_count, data_docs_url "
            "from quality.check_results order by check_name, run_id"
        ).fetchall()
    first = [r[1:] for r in runs if r[0] == "first"]
    assert [r[1:] for r in runs if r[0] == "second"] == first
    assert ("no_duplicated_paragraphs", False, 1, 4, first[0][-1]) in first
    assert len(list(results.rglob("*.json"))) == 1
    # the flagged row gone: a verdict changes, which GX says (and Data Docs show)
    _build(path, {"a1": TEXT}, _good_paragraphs("a1"))
    assert _run(path, tmp_path, "fixed")["no_duplicated_paragraphs"].passed
    assert len(list(results.rglob("*.json"))) == 2


RUN_WITH_IMPORTS = """
import json, sys
from pathlib import Path
from dagster_project.lib import quality, warehouse
from expectations import PARAGRAPHS_SUITE
if sys.argv[4] == "eager":
    quality.DEFERRED_BY_GX = ()
with warehouse.connect(Path(sys.argv[1])) as con:
    outcome = quality.run_suite(con, PARAGRAPHS_SUITE, Path(sys.argv[2]), "run", Path(sys.argv[3]))
# a module imported has its submodules imported: a deferred one has none
loaded = [m for m in ("altair", "scipy.stats")
          if any(k.startswith(m + ".") for k in sys.modules)]
print(json.dumps([loaded, [(o.check_name, o.passed, o.unexpected_count, o.failing_rows)
                           for o in outcome.outcomes]]))
"""


# what every run makes afresh: element ids, run times
FRESH = re.compile(
    r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|\d{8}T\d{6}\.\d+Z|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
)


def test_gx_imported_without_the_modules_it_defers_validates_and_renders_the_same(tmp_path):
    """GX's import with scipy.stats and altair deferred (`quality.DEFERRED_BY_GX`) loads
    neither, and gives the verdicts, failing rows and Data Docs pages of an eager import."""
    rows = _good_paragraphs("a1") + [_paragraph("a1", 3, 47, 63, "First paragraph.", "a1-1")]
    runs, pages = {}, {}
    for mode in ("deferred", "eager"):
        folder = tmp_path / mode
        folder.mkdir()
        _build(folder / "w.duckdb", {"a1": TEXT}, rows)
        done = subprocess.run(
            [sys.executable, "-c", RUN_WITH_IMPORTS, str(folder / "w.duckdb"), str(folder / "gx"),
             str(folder), mode],
            check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
        runs[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        site = folder / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
        pages[mode] = [
            FRESH.sub("id", page.read_text().replace(str(folder), "ROOT"))
            for page in sorted((site / "validations").rglob("*.html"))
        ]
    assert runs["deferred"][0] == [] and runs["eager"][0] == ["altair", "scipy.stats"]
    assert runs["deferred"][1] == runs["eager"][1]
    assert not dict((c, p) for c, p, *_ in runs["deferred"][1])["no_duplicated_paragraphs"]
    assert len(pages["deferred"]) == 1 and pages["deferred"] == pages["eager"]
