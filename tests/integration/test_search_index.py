"""The published copy's full-text index, carried over from the previous copy: after
paragraphs are added, removed and rewritten it answers exactly as an index built from scratch,
and it is built from scratch whenever the previous one cannot be trusted."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib import publish, search_index
from tests.helpers import assert_same_bm25_index, bm25_index_state

WORDS = [
    "police",
    "seized",
    "drugs",
    "at",
    "the",
    "port",
    "and",
    "arrested",
    "three",
    "men",
    "after",
    "a",
    "long",
    "investigation",
    "customs",
    "officers",
    "found",
    "heroin",
    "hidden",
    "in",
    "cargo",
    "containers",
    "while",
    "the",
    "minister",
    "said",
    "smuggling",
    "networks",
    "were",
    "growing",
    "across",
    "borders",
    "naïve",
    "café",
    "résumé",
    "2024",
    "co-operation",
    "U.S.-led",
    "raids",
    "couldn't",
    "stop",
    "traffickers",
    "running",
    "boats",
]
QUERIES = [
    "police",
    "heroin cargo",
    "arrested men",
    "running traffickers",
    "cafe resume",
    "the and a",
    "quokka",
    "U.S.-led co-operation",
    "zebra police",
]


def _paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40)))


def _warehouse(path: Path, paragraphs: int = 300) -> Path:
    rng = random.Random(7)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_articles (article_id varchar, title varchar, "
            "publisher varchar, published_date date)"
        )
        con.execute(
            "create table marts.fct_paragraphs (paragraph_id varchar, article_id varchar, "
            "zone varchar, paragraph_text varchar, is_content boolean)"
        )
        con.executemany(
            "insert into marts.dim_articles values (?, ?, 'wire', date '2024-03-01')",
            [[f"a{i}", f"Article {i}"] for i in range(paragraphs // 10)],
        )
        rows = [
            [f"p{i:04d}", f"a{i // 10}", "body", _paragraph(rng), True] for i in range(paragraphs)
        ]
        rows[5][3] = None
        rows[6][3] = "---"
        con.executemany("insert into marts.fct_paragraphs values (?, ?, ?, ?, ?)", rows)
    return path


def _change(warehouse: Path, added: int, removed: int, rewritten: int) -> None:
    rng = random.Random(11)
    with duckdb.connect(str(warehouse)) as con:
        ids = [
            r[0]
            for r in con.execute(
                "select paragraph_id from marts.fct_paragraphs order by 1"
            ).fetchall()
        ]
        changes = [
            (
                "delete from marts.fct_paragraphs where paragraph_id = ?",
                [[i] for i in ids[:removed]],
            ),
            (
                "update marts.fct_paragraphs set paragraph_text = ? where paragraph_id = ?",
                [
                    [_paragraph(rng) + " zebra quokka", i]
                    for i in ids[removed : removed + rewritten]
                ],
            ),
            (
                "insert into marts.fct_paragraphs values (?, 'a0', 'body', ?, true)",
                [[f"n{i:04d}", "quokka " + _paragraph(rng)] for i in range(added)],
            ),
        ]
        for sql, rows in changes:
            if rows:
                con.executemany(sql, rows)


def _full_rebuild(published: Path, tmp_path: Path) -> Path:
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(published, rebuilt)
    with duckdb.connect(str(rebuilt)) as con:
        publish.load_fts(con)
        con.execute(search_index.CREATE_INDEX)
    return rebuilt


def _index_mode(published: Path) -> str:
    with publish.connect_published(published) as con:
        return con.execute("select search_index from publish.info").fetchone()[0]


@pytest.fixture
def warehouse(tmp_path):
    return _warehouse(tmp_path / "news.duckdb")


def test_an_updated_index_answers_as_one_built_from_scratch(warehouse, tmp_path):
    first = publish.publish(warehouse, "first")
    assert first.search_index.summary == "full: no previous copy"
    _change(warehouse, added=12, removed=9, rewritten=7)

    second = publish.publish(warehouse, "second")

    assert (second.search_index.mode, second.search_index.added) == ("incremental", 12 + 7)
    assert second.search_index.removed == 9 + 7
    assert _index_mode(second.path) == "incremental: +19 -16 paragraphs"
    expected = bm25_index_state(_full_rebuild(second.path, tmp_path), QUERIES)
    assert expected["hits"]["quokka"] and expected["hits"]["zebra police"]
    assert_same_bm25_index(bm25_index_state(second.path, QUERIES), expected)
    with publish.connect_published(second.path) as con:
        term, hits = publish.probe_search(con)
        quokkas = con.execute("select paragraph_id from search.paragraphs('quokka')").fetchall()
    assert term and hits > 0
    assert len(quokkas) == 12 + 7


def test_an_unchanged_warehouse_republishes_the_same_index(warehouse, tmp_path):
    publish.publish(warehouse, "first")
    again = publish.publish(warehouse, "again")
    assert again.search_index.summary == "incremental: +0 -0 paragraphs"
    expected = bm25_index_state(_full_rebuild(again.path, tmp_path), QUERIES)
    assert_same_bm25_index(bm25_index_state(again.path, QUERIES), expected)


def _other_fts_version(con):
    con.execute("update publish.info set fts_version = 'v0.0.0'")


def _other_options(con):
    con.execute(
        f"create or replace macro {publish.FTS_SCHEMA}.tokenize(s) as "
        r"string_split_regex(lower(s::varchar), '\s+')"
    )


def _no_index(con):
    con.execute(f"drop schema {publish.FTS_SCHEMA} cascade")


def _older_info(con):
    con.execute("alter table publish.info drop column fts_version")


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_other_fts_version, "previous index from another duckdb or fts version"),
        (_other_options, "previous index made with other options"),
        (_no_index, "previous copy has no index"),
        (_older_info, "previous copy does not say which fts version indexed it"),
    ],
)
def test_a_previous_index_that_cannot_be_trusted_is_rebuilt(warehouse, tmp_path, spoil, reason):
    first = publish.publish(warehouse, "first")
    with duckdb.connect(str(first.path)) as con:
        publish.load_fts(con)
        spoil(con)
    _change(warehouse, added=3, removed=2, rewritten=1)

    second = publish.publish(warehouse, "second")

    assert second.search_index.summary == f"full: {reason}"
    expected = bm25_index_state(_full_rebuild(second.path, tmp_path), QUERIES)
    assert_same_bm25_index(bm25_index_state(second.path, QUERIES), expected)


def test_an_unreadable_previous_copy_is_replaced_with_a_full_index(warehouse):
    target = publish.published_path(warehouse)
    target.parent.mkdir()
    target.write_bytes(b"not a duckdb file" * 100)
    result = publish.publish(warehouse, "first")
    assert result.search_index.summary == "full: previous copy unreadable (IOException)"


def test_most_paragraphs_changed_is_a_full_build(warehouse):
    publish.publish(warehouse, "first")
    _change(warehouse, added=0, removed=0, rewritten=200)
    result = publish.publish(warehouse, "second")
    assert result.search_index.summary == "full: 200 of 300 paragraphs new or changed"
