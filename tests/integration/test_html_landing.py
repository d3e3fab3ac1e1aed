"""Saved web pages land as the article trafilatura reads out of them, into a real DuckDB file;
paragraph and mention offsets point into that extracted text. The pages under
tests/fixtures/html/ were written for these tests (navigation, cookie banners, related links,
breadcrumbs, a newsletter box, a windows-1252 page)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib import articles, driver, nlp, paragraphs, warehouse
from dagster_project.lib.articles import HTML_EXTRACTOR_VERSION, land
from dagster_project.lib.settings import SPACY_MODEL
from tests.helpers import run_dbt

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
TRAINING = PAGES / "training_page.html"
PRESS = PAGES / "press_release.htm"
SAVED_AS_TEXT = PAGES / "saved_as_text.txt"
# the furniture around the articles: none of it may reach the landed text
FURNITURE = (
    "cookies",
    "Accept all",
    "Subscribe",
    "Related stories",
    "Ferry timetable",
    "All rights reserved",
    "Quick links",
    "Press releases",
    "Share:",
    "See also",
    "Annual report on judicial",
    "I agree",
    "morning briefing",
    "More from News",
    "Night market",
    "window.dataLayer",
)
URL_DATED_PAGE = (
    "<html><head><title>Harbour checks</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><p>Customs officers checked every container unloaded at the river port during a "
    "week of joint inspections with the provincial police, officials said on the last day.</p>"
    "<p>They found no contraband, the officials said, but recorded missing seals on several "
    "containers, which were referred to the shipping companies for an explanation.</p>"
    "</article></body></html>"
)


@pytest.fixture
def landed(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "training.html").write_bytes(TRAINING.read_bytes())
    (raw / "statement.htm").write_bytes(PRESS.read_bytes())
    (raw / "saved-page.txt").write_bytes(SAVED_AS_TEXT.read_bytes())
    (raw / "plain.txt").write_text("Police seized a boat.\n\nThree men were held.\n")
    (raw / "menu-only.html").write_text(
        "<!doctype html><html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<div class='cookie'>We use cookies. <button>Accept</button></div></body></html>"
    )
    records = [
        {
            "id": "dated-by-url",
            "url": "https://example.org/2021/06/15/harbour-checks",
            "publisher": "Example Wire",
            "html": URL_DATED_PAGE,
        },
        {"id": "no-article", "html": "<html><body><p>Page not found</p></body></html>"},
    ]
    (raw / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = land(con, raw, "load-1")
    yield con, raw, result
    con.close()


def _article(con, source_path: str, record_key: str | None = None) -> dict:
    cursor = con.execute(
        "select * from raw.articles where source_path = ? and record_key is not distinct from ?",
        [source_path, record_key],
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_pages_land_as_their_main_text_with_metadata(landed):
    con, raw, _ = landed
    page = _article(con, "training.html")
    assert page["extraction_method"] == "trafilatura"
    assert page["extraction_reason"] == "html_suffix"
    assert page["extraction_version"] == HTML_EXTRACTOR_VERSION
    assert page["title"] == "Port officers finish container profiling course"
    assert page["author"] == "Dara Sokha"
    assert (page["published_at"].date().isoformat(), page["published_at_source"]) == (
        "2024-03-14",
        "trafilatura",
    )
    assert "United Nations Office on Drugs and Crime" in page["text"]
    assert page["text"].rstrip().endswith("planned later this year.")
    assert page["source_html"] == (raw / "training.html").read_bytes()
    assert page["size_bytes"] == len(page["source_html"])

    statement = _article(con, "statement.htm")
    assert statement["encoding"] == "cp1252"
    assert "man’s lawyers" in statement["text"]
    assert statement["title"] == "Ministry statement on the extradition request"
    assert statement["published_at"].date().isoformat() == "2023-05-02"
    for row in (page, statement, _article(con, "saved-page.txt")):
        assert not [word for word in FURNITURE if word in row["text"]], row["source_path"]
        assert "<" not in row["text"]


def test_a_txt_file_holding_a_web_page_is_read_as_one(landed):
    con, raw, _ = landed
    saved = _article(con, "saved-page.txt")
    assert (saved["extraction_method"], saved["extraction_reason"]) == (
        "trafilatura",
        "html_document_in_txt",
    )
    assert saved["text"].startswith("Police and border guards from both sides of the river")
    assert saved["title"] == "Joint river patrols resume on the border"
    assert saved["source_html"] == (raw / "saved-page.txt").read_bytes()
    plain = _article(con, "plain.txt")
    assert (plain["extraction_method"], plain["extraction_reason"]) == ("plain_text", None)
    assert (plain["source_html"], plain["extraction_version"]) == (None, None)
    assert plain["text"] == "Police seized a boat.\n\nThree men were held.\n"


def test_jsonl_html_records_are_extracted_and_dated_by_htmldate(landed):
    con, _, _ = landed
    record = _article(con, "feed.jsonl", "dated-by-url")
    assert (record["extraction_method"], record["extraction_reason"]) == (
        "trafilatura",
        "jsonl_html_field",
    )
    assert record["text"].startswith("Customs officers checked every container")
    assert "Home" not in record["text"]
    assert record["title"] == "Harbour checks"
    assert record["publisher"] == "Example Wire"
    assert record["published_at_source"] == "htmldate"
    assert record["published_at"].date().isoformat() == "2021-06-15"
    assert record["source_html"] == URL_DATED_PAGE.encode("utf-8")


def test_pages_without_an_article_are_rejected_with_the_reason(landed):
    con, _, result = landed
    rejected = con.execute(
        "select source_path, record_key, reason, detail from raw.rejects order by all"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rejected] == [
        ("feed.jsonl", "no-article", "no_article_text"),
        ("menu-only.html", None, "no_article_text"),
    ]
    assert "jsonl_html_field" in rejected[0][3] and "html_suffix" in rejected[1][3]
    accounting = articles.file_accounting(con, landed[1])
    assert set(accounting.status) == {"landed", "rejected"}
    assert (result.articles_new, result.rejects_new) == (5, 2)
    rerun = land(con, landed[1], "load-2")
    assert rerun.changed is False


def test_paragraph_and_mention_offsets_point_into_the_extracted_text(landed):
    con, _, _ = landed
    current = con.execute(articles.CURRENT_ARTICLES).df()
    current = current[current.source_path.isin(["training.html", "statement.htm"])]
    frame = paragraphs.classify_articles(current)
    texts = dict(zip(current.article_id, current.text, strict=True))
    assert len(frame) >= 7
    for row in frame.itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.paragraph_text
    tables = nlp.annotate(
        frame, current, SPACY_MODEL.default, nlp.REFERENCE_AGENCIES, nlp.REFERENCE_PLACES
    )
    mentions = tables["mentions"]
    agencies = set(mentions.loc[mentions.entity_type == "agency", "agency_acronym"].dropna())
    assert {"UNODC", "AFP"} <= agencies
    for row in mentions.itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.surface_text
    for row in tables["events"].itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.sentence_text


def test_extraction_columns_reach_dim_articles(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "training.html").write_bytes(TRAINING.read_bytes())
    (raw / "plain.txt").write_text("Police seized a boat.\n\nThree men were held.\n")
    path = tmp_path / "w.duckdb"
    with warehouse.connect(path) as con:
        land(con, raw, "load-1")
        current = con.execute(articles.CURRENT_ARTICLES).df()
        frame = paragraphs.classify_articles(current)
        driver.ensure_tables(con)
        warehouse.replace_table(con, "nlp.paragraphs", frame)
    result = run_dbt(path, "build", "--select", "+dim_articles", "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select source_path, title, author, extraction_method, extraction_reason, "
            "extraction_version, published_at_source, published_date "
            "from marts.dim_articles order by source_path"
        ).fetchall()
    assert rows[0][0] == "plain.txt" and rows[0][2:5] == (None, "plain_text", None)
    assert rows[1][:5] == (
        "training.html",
        "Port officers finish container profiling course",
        "Dara Sokha",
        "trafilatura",
        "html_suffix",
    )
    assert rows[1][5] == HTML_EXTRACTOR_VERSION
    assert (rows[1][6], rows[1][7].isoformat()) == ("trafilatura", "2024-03-14")
