"""The pure parts of the incremental driver: pieces of over-long paragraphs, reference-table
changes traced to names, work units, the extractor version's inputs."""

from __future__ import annotations

import ast

import pytest

from dagster_project.lib import driver
from dagster_project.lib.nlp import parse_pieces

AGENCIES = (
    "agency_id,canonical_name,acronym,aliases,country_code\n"
    "us-fbi,Federal Bureau of Investigation,FBI,the Bureau,US\n"
    "kh-cnp,Cambodian National Police,CNP,National Police|Khmer Police,KH\n"
)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("Short text.", 100),
        ("One sentence here. Another one there. " * 50, 100),
        ("word " * 500, 64),
        ("x" * 1000, 128),  # no space at all: cut anywhere
        ("Ends here.  " + "y" * 300, 50),
    ],
)
def test_pieces_cover_the_text_exactly_and_stay_under_the_limit(text, limit):
    pieces = parse_pieces(text, limit)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    assert all(0 < end - start <= limit for start, end in pieces)
    assert "".join(text[s:e] for s, e in pieces) == text


def test_pieces_are_cut_after_a_sentence_end_when_there_is_one():
    text = "A first sentence that is long enough. " * 10
    for start, end in parse_pieces(text, 120)[:-1]:
        assert text[start:end].rstrip().endswith(".")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The FBI's agents", " the fbi s agents "),
        ("  U.S.-led  task force ", " u s led task force "),
    ],
)
def test_normalise_pads_words_with_single_spaces(text, expected):
    assert driver.normalise(text) == expected


def test_a_changed_row_yields_its_names_and_only_its_names():
    changed = AGENCIES.replace("the Bureau,US", "the Bureau|Feds,US")
    terms = driver.changed_terms({"ref_agencies.csv": AGENCIES}, {"ref_agencies.csv": changed})
    # the row's old and new forms both count: articles naming either may change
    assert terms == {"federal bureau of investigation", "fbi", "the bureau", "feds"}


def test_added_and_removed_rows_yield_their_names():
    added = AGENCIES + "th-rtp,Royal Thai Police,RTP,,TH\n"
    removed = "\n".join(AGENCIES.splitlines()[:2]) + "\n"
    assert driver.changed_terms({"a.csv": AGENCIES}, {"a.csv": added}) == {
        "royal thai police",
        "rtp",
    }
    assert driver.changed_terms({"a.csv": AGENCIES}, {"a.csv": removed}) == {
        "cambodian national police",
        "cnp",
        "national police",
        "khmer police",
    }


def test_unchanged_tables_affect_nothing():
    assert driver.changed_terms({"a.csv": AGENCIES}, {"a.csv": AGENCIES}) == set()


@pytest.mark.parametrize(
    "new",
    [
        {"a.csv": AGENCIES.replace("country_code", "country")},  # columns changed
        {"a.csv": AGENCIES, "b.csv": "x\n1\n"},  # a table came
        {},  # a table went
    ],
)
def test_a_changed_shape_affects_every_article(new):
    assert driver.changed_terms({"a.csv": AGENCIES}, new) is None


def test_units_keep_articles_whole_and_bounded():
    todo = [("a", 300), ("b", 300), ("c", 10), ("d", 5000), ("e", 1)]
    units = driver._units(todo, 512)
    assert [a for unit in units for a in unit] == ["a", "b", "c", "d", "e"]
    assert units == [["a"], ["b", "c"], ["d"], ["e"]]


def test_the_last_units_are_smaller_so_that_the_workers_finish_close_together():
    todo = [(str(i), 100) for i in range(20)]
    units = driver._units(todo, 400, tail_chars=800)
    assert [a for unit in units for a in unit] == [a for a, _ in todo]
    assert [len(unit) for unit in units] == [4, 4, 4] + [1] * 8


def test_the_extraction_sources_include_what_the_extractors_import():
    names = {path.name for path in driver.extraction_sources()}
    assert {"paragraphs.py", "entities.py", "events.py", "nlp.py", "driver.py"} <= names
    assert "report.py" not in names and "publish.py" not in names
    # imported for its spaCy factories alone (`import dagster_project.lib.event_components`)
    assert "event_components.py" in names


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("from dagster_project.lib import a, b as c\n", {"a", "b"}),
        ("from dagster_project.lib import (\n    a,  # why\n    b,\n)\n", {"a", "b"}),
        ("    from dagster_project.lib.a import thing\n", {"a"}),
        ("import dagster_project.lib.a  # noqa: F401\n", {"a"}),
        ("from dagster_project.library import a\nimport dagster_project\n", set()),
        ("from spacy.lib import a\n", set()),
    ],
)
def test_lib_imports_reads_every_import_form(source, names):
    assert driver._lib_imports(source) == names


def _imports_by_syntax(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "dagster_project.lib":
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "dagster_project.lib."
        ):
            names.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            names.update(
                alias.name.split(".")[2]
                for alias in node.names
                if alias.name.startswith("dagster_project.lib.")
            )
    return names


def test_lib_imports_finds_what_the_syntax_tree_finds_in_every_lib_module():
    for path in sorted(driver.LIB_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert driver._lib_imports(source) == _imports_by_syntax(source), path.name


def test_progress_says_done_total_rate_and_time_left_when_due(monkeypatch):
    lines: list[str] = []
    progress = driver.Progress("nlp", total=4, chars=1000, log=lines.append)
    progress.add(1, 100)
    assert lines == []  # not due yet
    monkeypatch.setattr(driver, "PROGRESS_SECONDS", 0.0)
    progress.tick()  # due while no unit finished: a worker is still on a long one
    progress.add(1, 400)
    assert len(lines) == 2
    assert lines[0].startswith("nlp: 1/4 articles, ") and "articles/s" in lines[0]
    assert lines[1].startswith("nlp: 2/4 articles, ") and lines[1].endswith(" s left")
    monkeypatch.setattr(driver, "PROGRESS_SECONDS", 3600.0)
    progress.add(2, 500)
    assert lines[-1].startswith("nlp: 4/4 articles, ") and lines[-1].endswith("about 0 s left")


FACTORY = "ValueError: [E002] Can't find factory for 'event_status'"


@pytest.mark.parametrize(
    ("processed", "failures", "fails"),
    [
        pytest.param(10, {f"a{i}": FACTORY for i in range(6)}, True, id="most_the_same"),
        pytest.param(12, {f"a{i}": FACTORY for i in range(6)}, False, id="half_is_not_most"),
        pytest.param(9, {f"a{i}": FACTORY for i in range(9)}, False, id="too_few_articles"),
        pytest.param(10, {"a1": FACTORY}, False, id="one_article"),
        pytest.param(
            10,
            {f"a{i}": f"RuntimeError: fault in a{i}" for i in range(6)},
            True,
            id="same_up_to_the_article_id",
        ),
        pytest.param(
            10, {f"a{i}": f"ValueError: bad value {i}" for i in range(6)}, False, id="different"
        ),
        pytest.param(0, {}, False, id="nothing_processed"),
    ],
)
def test_a_stage_fails_only_when_most_articles_fail_the_same_way(processed, failures, fails):
    message = driver.systematic_error(processed, failures)
    assert (message is not None) == fails
    if fails:
        assert f"{len(failures)} of {processed} articles" in message
        assert next(iter(failures.values())).split(":")[0] in message
