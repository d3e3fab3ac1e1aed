"""The whole pipeline over the sample corpus, through the Dagster CLI as `make run` runs it."""

from __future__ import annotations

import re

import duckdb
import pytest

from tests.helpers import SAMPLE_RAW, pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

CONTENT_TABLES = [
    "raw.articles",
    "raw.article_sources",
    "raw.rejects",
    "nlp.paragraphs",
    "marts.dim_articles",
    "marts.fct_paragraphs",
]


def _snapshot(path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: sorted(map(repr, con.execute(f"select * from {t}").fetchall()))
            for t in CONTENT_TABLES
        }


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_raw_copy):
    root = tmp_path_factory.mktemp("e2e")
    warehouse = root / "news.duckdb"
    env = pipeline_env(sample_raw_copy, warehouse, root / "dagster_home")
    run_pipeline(env)
    return {"warehouse": warehouse, "env": env}


@pytest.fixture
def con(built):
    with duckdb.connect(str(built["warehouse"]), read_only=True) as connection:
        yield connection


def _article_id(con, name_prefix: str) -> str:
    return con.execute(
        "select article_id from marts.dim_articles where source_path like ?", [f"{name_prefix}%"]
    ).fetchone()[0]


def test_every_sample_article_reaches_the_marts(con):
    paths = {r[0] for r in con.execute("select source_path from marts.dim_articles").fetchall()}
    assert paths == {p.name for p in SAMPLE_RAW.glob("*.txt")}


def test_exactly_the_seven_repeated_voa_paragraphs_are_duplicates(con):
    voa = _article_id(con, "003_")
    flagged = con.execute(
        """select p.article_id, p.paragraph_text, f.paragraph_text, f.paragraph_index,
                  p.paragraph_index
           from marts.fct_paragraphs p
           join marts.fct_paragraphs f on f.paragraph_id = p.duplicate_of_paragraph_id
           where p.is_duplicate"""
    ).fetchall()
    assert len(flagged) == 7
    assert {row[0] for row in flagged} == {voa}
    for _, text, first_text, first_index, index in flagged:
        assert text == first_text and first_index < index


def test_every_paragraph_of_every_article_is_preserved(con):
    for article_id, text in con.execute(
        "select article_id, text from raw.articles where is_current"
    ).fetchall():
        spans = con.execute(
            "select char_start, char_end, paragraph_text from marts.fct_paragraphs "
            "where article_id = ? order by paragraph_index",
            [article_id],
        ).fetchall()
        assert all(text[s:e] == t for s, e, t in spans)
        covered = "".join(t for _, _, t in spans)
        assert re.sub(r"\s+", "", covered) == re.sub(r"\s+", "", text)
        lines = [line for line in text.split("\n") if line.strip()]
        assert len(spans) >= len(lines)


@pytest.mark.parametrize(
    ("article", "furniture"),
    [
        ("000_", ["Related Stories", "Latest News", "The Weekly Dispatch"]),
        ("001_", ["3 min read", "[responsivevoice_button", "VOD. No part of this article"]),
    ],
    ids=["cambodia-daily", "vod"],
)
def test_publisher_furniture_is_boilerplate(con, article, furniture):
    article_id = _article_id(con, article)
    rows = con.execute(
        "select paragraph_text, is_boilerplate, boilerplate_rule from marts.fct_paragraphs "
        "where article_id = ?",
        [article_id],
    ).fetchall()
    for prefix in furniture:
        matches = [r for r in rows if r[0].startswith(prefix)]
        assert matches, prefix
        assert all(r[1] and r[2] for r in matches), prefix
    body = [r for r in rows if not r[1]]
    assert len(body) >= 5


def test_duplicate_warning_names_only_the_voa_article(con):
    voa = _article_id(con, "003_")
    passed, sample = con.execute(
        "select passed, unexpected_sample from quality.check_results "
        "where check_name = 'no_duplicated_paragraphs' order by checked_at desc limit 1"
    ).fetchone()
    assert not passed
    assert voa in sample
    other_ids = [
        r[0]
        for r in con.execute(
            "select article_id from marts.dim_articles where article_id != ?", [voa]
        ).fetchall()
    ]
    assert not any(other in sample for other in other_ids)


def test_a_second_run_changes_nothing(built):
    before = _snapshot(built["warehouse"])
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        checks_before = con.execute("select count(*) from quality.check_results").fetchone()[0]
    run_pipeline(built["env"])
    assert _snapshot(built["warehouse"]) == before
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        checks_after = con.execute("select count(*) from quality.check_results").fetchone()[0]
    # the checks ran again only if the assets they guard were rebuilt
    assert checks_after == checks_before


def test_one_agency_id_per_real_agency_across_articles(con):
    rows = con.execute(
        """select a.agency_id, count(distinct m.article_id)
           from marts.fct_mentions m join marts.dim_agencies a using (agency_id)
           where a.acronym = 'FBI' group by 1"""
    ).fetchall()
    assert len(rows) == 1 and rows[0][1] >= 2


def test_outlets_titles_and_generic_phrases_are_not_agencies(con):
    surfaces = {
        r[0].lower()
        for r in con.execute(
            "select surface_text from marts.fct_mentions where entity_type = 'agency'"
        ).fetchall()
    }
    for not_an_agency in [
        "the cambodia daily",
        "cambodia daily",
        "voa khmer",
        "interior minister",
        "police",
        "international police groups",
        "royal academy of cambodia",
    ]:
        assert not_an_agency not in surfaces


def test_every_mention_slices_back_to_its_surface_text(con):
    rows = con.execute(
        """select a.text, m.char_start, m.char_end, m.surface_text
           from marts.fct_mentions m join raw.articles a
             on a.article_id = m.article_id and a.is_current"""
    ).fetchall()
    assert rows and all(text[s:e] == surface for text, s, e, surface in rows)


def test_events_are_typed_deduplicated_and_quantified(con):
    types = {r[0] for r in con.execute("select event_type from marts.fct_events").fetchall()}
    taxonomy = {
        r[0] for r in con.execute("select event_type from reference.ref_event_types").fetchall()
    }
    assert types and types <= taxonomy
    repeated = con.execute(
        """select count(*) from (
             select article_id, event_type, sentence_text from marts.fct_events
             group by all having count(distinct char_start) > 1)"""
    ).fetchone()[0]
    assert repeated == 0  # a statement repeated in the article is one event
    seizure = con.execute(
        """select quantity_value, quantity_unit, quantity_qualifier from marts.fct_events e
           join marts.dim_articles a using (article_id)
           where a.source_path like '004_%' and e.event_type = 'seizure'"""
    ).fetchall()
    assert (1500.0, "kg", "over") in seizure
    roles = con.execute("select count(*) from marts.bridge_event_agencies").fetchone()[0]
    assert roles > 0
