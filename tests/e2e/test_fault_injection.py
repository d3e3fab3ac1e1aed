"""Faults injected into a copy of the sample corpus: each is reported by a check naming its
article (and paragraph), the warnings leave the run green, and no good article is lost."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.helpers import SAMPLE_RAW, pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

REPEATED = "The task force seized 40 kg of heroin in Koh Kong province on Monday."
STORY = (
    "Thai and Cambodian Police Meet on Border Crime\n\n"
    "Officials of the Royal Thai Police met Cambodian National Police commanders in Poipet "
    "on Tuesday to discuss drug smuggling across the border.\n\n"
    "{middle}\n\n"
    "Both sides agreed to share intelligence through Interpol, the officials said.\n"
)
# UTF-8 text read as cp1252 and saved again: the classic mojibake of curly quotes and dashes
MOJIBAKE = "â€œWe will cooperate closely,â€\x9d the general said â€” adding that training resumes."


def _faulty_corpus(folder):
    for path in SAMPLE_RAW.glob("*.txt"):
        shutil.copy2(path, folder / path.name)
    repeats = STORY.format(middle=f"{REPEATED}\n\n{REPEATED}\n\n{REPEATED}")
    (folder / "fault_repeats.txt").write_text(repeats, encoding="utf-8")
    (folder / "fault_mojibake.txt").write_text(STORY.format(middle=MOJIBAKE), encoding="utf-8")
    (folder / "fault_empty.txt").write_bytes(b"")
    cp1252 = STORY.format(
        middle="The \u201cjoint operation\u201d \u2013 police said \u2019twas big."
    )
    (folder / "fault_cp1252.txt").write_bytes(cp1252.encode("cp1252"))


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    raw = root / "raw"
    raw.mkdir()
    _faulty_corpus(raw)
    warehouse = root / "news.duckdb"
    run_pipeline(pipeline_env(raw, warehouse, root / "dagster_home"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = {
            name: (severity, passed, json.loads(sample))
            for name, severity, passed, sample in con.execute(
                "select check_name, severity, passed, unexpected_sample from quality.check_results"
            ).fetchall()
        }
        ids = dict(
            con.execute(
                "select source_path, article_id from raw.articles where is_current"
            ).fetchall()
        )
        marts = {r[0] for r in con.execute("select source_path from marts.dim_articles").fetchall()}
        texts = dict(con.execute("select source_path, text from raw.articles").fetchall())
    return {"results": results, "ids": ids, "marts": marts, "texts": texts}


def _flagged(faulty, check):
    severity, passed, sample = faulty["results"][check]
    assert severity == "warn" and not passed, check
    return sample


def test_repeated_paragraphs_warn_naming_article_and_paragraphs(faulty):
    sample = _flagged(faulty, "no_duplicated_paragraphs")
    repeats = [r for r in sample if r["article_id"] == faulty["ids"]["fault_repeats.txt"]]
    assert sorted(r["paragraph_index"] for r in repeats) == [3, 4]


def test_mojibake_warns_naming_the_paragraph(faulty):
    sample = _flagged(faulty, "no_mojibake")
    assert [(r["source_path"], r["paragraph_index"]) for r in sample] == [("fault_mojibake.txt", 2)]


def test_the_empty_file_is_rejected_and_named(faulty):
    sample = _flagged(faulty, "no_rejected_files")
    assert [r["source_path"] for r in sample] == ["fault_empty.txt"]


def test_the_cp1252_file_is_decoded_and_named(faulty):
    sample = _flagged(faulty, "article_encoding_utf8")
    assert [r["source_path"] for r in sample] == ["fault_cp1252.txt"]
    assert "\u201cjoint operation\u201d \u2013" in faulty["texts"]["fault_cp1252.txt"]


def test_no_blocking_check_fails_and_every_good_article_reaches_the_marts(faulty):
    failed_errors = [
        n for n, (sev, ok, _) in faulty["results"].items() if sev == "error" and not ok
    ]
    assert failed_errors == []
    good = {p.name for p in SAMPLE_RAW.glob("*.txt")} | {
        "fault_repeats.txt",
        "fault_mojibake.txt",
        "fault_cp1252.txt",
    }
    assert faulty["marts"] == good
