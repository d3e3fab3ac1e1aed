import codecs
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.articles import (
    article_id_for,
    file_accounting,
    land,
    marts_reflect_raw,
    table_counts,
)

T1 = datetime(2024, 1, 1, 9, 0)
T2 = datetime(2024, 1, 2, 9, 0)
T3 = datetime(2024, 1, 3, 9, 0)
T4 = datetime(2024, 1, 4, 9, 0)

STORY_A = "Interpol and Europol dismantled a trafficking ring.\n\nTwelve people were arrested.\n"
STORY_B = "Police in Lagos seized 300 kg of cocaine on Tuesday, the NDLEA said.\n"
STORY_C = "Customs officers at Rotterdam found weapons hidden in a container.\n"


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    return folder


@pytest.fixture
def con(tmp_path: Path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def jsonl(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every column of every row of the landing tables, in a stable order."""
    return {
        table: con.execute(f"select * from raw.{table} order by all").fetchall()
        for table in ("articles", "article_sources", "rejects")
    }


def records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def articles(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict]:
    return records(
        con,
        f"select * from raw.articles where {where} "
        "order by source_path, record_key nulls first, version",
    )


def sources(con: duckdb.DuckDBPyConnection) -> dict[tuple, dict]:
    rows = records(con, "select * from raw.article_sources")
    return {(row["source_path"], row["record_key"]): row for row in rows}


def rejects(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    return set(con.execute("select source_path, record_key, reason from raw.rejects").fetchall())


def test_first_load_lands_txt_and_jsonl(raw: Path, con) -> None:
    write(raw, "b.txt", STORY_B.replace("\n", "\r\n"))
    write(raw, "nested/a.txt", STORY_A)
    write(
        raw,
        "feed.jsonl",
        jsonl(
            {
                "id": "r1",
                "text": STORY_C,
                "title": "Weapons found",
                "url": "https://news.test/r1",
                "publisher": "Wire",
                "published_at": "2024-01-01T08:00:00+01:00",
            },
            {"url": "https://news.test/r2", "body": STORY_A + "More."},
        ),
    )

    result = land(con, raw, "load-1", now=T1)

    assert (result.files_seen, result.articles_new, result.rejects_new) == (3, 4, 0)
    assert result.changed
    rows = {(r["source_path"], r["record_key"]): r for r in articles(con)}
    assert set(rows) == {
        ("b.txt", None),
        ("nested/a.txt", None),
        ("feed.jsonl", "r1"),
        ("feed.jsonl", "https://news.test/r2"),
    }
    for (path, key), row in rows.items():
        assert row["article_id"] == article_id_for(path, None if key is None else key)
        assert row["version"] == 1
        assert row["is_current"]
        assert row["loaded_at"] == T1
        assert row["load_id"] == "load-1"
    assert rows[("b.txt", None)]["text"] == STORY_B
    assert rows[("b.txt", None)]["size_bytes"] == len(STORY_B.replace("\n", "\r\n").encode())
    assert (
        rows[("b.txt", None)]["content_hash"]
        == hashlib.sha256((raw / "b.txt").read_bytes()).hexdigest()
    )
    record = rows[("feed.jsonl", "r1")]
    assert (record["title"], record["url"], record["publisher"]) == (
        "Weapons found",
        "https://news.test/r1",
        "Wire",
    )
    assert record["published_at"] == datetime(2024, 1, 1, 7, 0)
    first_line = (raw / "feed.jsonl").read_bytes().split(b"\n")[0]
    assert record["content_hash"] == hashlib.sha256(first_line).hexdigest()
    assert record["size_bytes"] == len(first_line)
    assert rows[("b.txt", None)]["title"] is None
    assert len(sources(con)) == 4
    loads = con.execute("select load_id, files_seen, articles_new from raw.loads").fetchall()
    assert loads == [("load-1", 3, 4)]


def test_rerun_with_nothing_changed_writes_nothing(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    write(raw, "copy.txt", STORY_A)
    write(raw, "feed.jsonl", jsonl({"id": 1, "text": STORY_B}, "{broken"))
    write(raw, "empty.txt", "")
    land(con, raw, "load-1", now=T1)
    before = snapshot(con)
    (raw / "a.txt").touch()
    os.utime(raw / "copy.txt", (0, 0))

    result = land(con, raw, "load-2", now=T2)

    assert snapshot(con) == before
    assert not result.changed
    assert (result.articles_new, result.articles_unchanged, result.rejects_new) == (0, 2, 0)
    assert con.execute("select count(*) from raw.loads").fetchone()[0] == 2


def test_changed_file_lands_a_new_version(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    write(raw, "b.txt", STORY_B)
    land(con, raw, "load-1", now=T1)
    untouched = articles(con, "source_path = 'b.txt'")

    write(raw, "a.txt", STORY_A + "A third man was detained on Friday.\n")
    result = land(con, raw, "load-2", now=T2)

    assert (result.articles_new, result.articles_superseded, result.articles_unchanged) == (1, 1, 1)
    old, new = articles(con, "source_path = 'a.txt'")
    assert old["article_id"] == new["article_id"]
    assert (old["version"], old["is_current"], old["superseded_at"], old["deleted_at"]) == (
        1,
        False,
        T2,
        None,
    )
    assert (new["version"], new["is_current"], new["loaded_at"]) == (2, True, T2)
    assert new["text"].endswith("Friday.\n")
    assert sources(con)[("a.txt", None)]["content_hash"] == new["content_hash"]
    assert sources(con)[("a.txt", None)]["first_seen_at"] == T1
    assert articles(con, "source_path = 'b.txt'") == untouched


def test_deleted_file_is_marked_and_restored_when_it_returns(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    write(raw, "b.txt", STORY_B)
    land(con, raw, "load-1", now=T1)

    (raw / "a.txt").unlink()
    deleted = land(con, raw, "load-2", now=T2)

    assert (deleted.articles_deleted, deleted.sources_retired, deleted.changed) == (1, 1, True)
    (row,) = articles(con, "source_path = 'a.txt'")
    assert (row["is_current"], row["deleted_at"], row["version"]) == (False, T2, 1)
    assert not sources(con)[("a.txt", None)]["is_present"]
    assert table_counts(con)["current_articles"] == 1

    write(raw, "a.txt", STORY_A)
    restored = land(con, raw, "load-3", now=T3)

    assert (restored.articles_restored, restored.articles_new) == (1, 0)
    (row,) = articles(con, "source_path = 'a.txt'")
    assert (row["is_current"], row["deleted_at"], row["load_id"]) == (True, None, "load-1")
    assert sources(con)[("a.txt", None)]["is_present"]

    (raw / "a.txt").unlink()
    land(con, raw, "load-4", now=T4)
    write(raw, "a.txt", STORY_C)
    land(con, raw, "load-5", now=T4)
    versions = articles(con, "source_path = 'a.txt'")
    assert [(r["version"], r["is_current"]) for r in versions] == [(1, False), (2, True)]


def test_same_content_under_two_names_lands_once(raw: Path, con) -> None:
    write(raw, "z.txt", STORY_A)
    write(raw, "a.txt", STORY_A)
    # Identical lines are identical content; the same text under two ids is not.
    write(
        raw,
        "feed.jsonl",
        jsonl(
            {"text": STORY_B},
            {"text": STORY_B},
            {"id": "x", "text": STORY_C},
            {"id": "y", "text": STORY_C},
        ),
    )

    result = land(con, raw, "load-1", now=T1)

    assert (result.articles_new, result.aliases_added) == (4, 2)
    rows = articles(con)
    assert [(r["source_path"], r["record_key"]) for r in rows] == [
        ("a.txt", None),
        ("feed.jsonl", "line:1"),
        ("feed.jsonl", "x"),
        ("feed.jsonl", "y"),
    ]
    names = sources(con)
    assert len(names) == 6
    assert names[("z.txt", None)]["article_id"] == article_id_for("a.txt")
    assert names[("a.txt", None)]["article_id"] == article_id_for("a.txt")
    assert names[("z.txt", None)]["content_hash"] == names[("a.txt", None)]["content_hash"]
    assert names[("feed.jsonl", "line:2")]["article_id"] == article_id_for("feed.jsonl", "line:1")


def test_alias_takes_over_when_the_first_name_goes(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    land(con, raw, "load-1", now=T1)
    write(raw, "b.txt", STORY_A)
    added = land(con, raw, "load-2", now=T2)
    assert (added.articles_new, added.aliases_added) == (0, 1)
    assert sources(con)[("b.txt", None)]["article_id"] == article_id_for("a.txt")

    (raw / "a.txt").unlink()
    result = land(con, raw, "load-3", now=T3)

    assert (result.articles_deleted, result.articles_new) == (1, 1)
    (current,) = articles(con, "is_current")
    assert (current["article_id"], current["source_path"]) == (article_id_for("b.txt"), "b.txt")
    assert current["text"] == STORY_A
    assert current["encoding"] == "utf_8"
    assert sources(con)[("b.txt", None)]["article_id"] == article_id_for("b.txt")
    assert land(con, raw, "load-4", now=T4).changed is False


def test_changed_content_matching_another_file_becomes_an_alias(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    write(raw, "b.txt", STORY_B)
    land(con, raw, "load-1", now=T1)

    write(raw, "b.txt", STORY_A)
    result = land(con, raw, "load-2", now=T2)

    assert (result.articles_superseded, result.articles_new, result.aliases_added) == (1, 0, 1)
    assert [r["source_path"] for r in articles(con, "is_current")] == ["a.txt"]
    assert sources(con)[("b.txt", None)]["article_id"] == article_id_for("a.txt")


def test_symlinks_and_outside_paths_are_rejected_not_followed(
    raw: Path, con, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside, "secret.txt", STORY_C)
    write(raw, "real.txt", STORY_A)
    (raw / "inside-link.txt").symlink_to(raw / "real.txt")
    (raw / "outside-link.txt").symlink_to(outside / "secret.txt")
    (raw / "linked-dir").symlink_to(outside, target_is_directory=True)
    (raw / "dangling.txt").symlink_to(tmp_path / "missing.txt")

    result = land(con, raw, "load-1", now=T1)

    assert [r["source_path"] for r in articles(con)] == ["real.txt"]
    assert rejects(con) == {
        ("inside-link.txt", None, "symlink"),
        ("outside-link.txt", None, "outside_raw_dir"),
        ("linked-dir", None, "outside_raw_dir"),
        ("dangling.txt", None, "outside_raw_dir"),
    }
    assert (result.files_seen, result.rejects_new) == (5, 4)
    assert STORY_C not in {r["text"] for r in articles(con)}


def test_bad_inputs_are_rejected_with_their_reason(raw: Path, con) -> None:
    write(raw, "good.txt", STORY_A)
    write(raw, "cp1252.txt", "The suspect’s lawyer said “no comment”, café.\n".encode("cp1252"))
    write(raw, "utf16.txt", codecs.BOM_UTF16_LE + STORY_B.encode("utf-16-le"))
    write(raw, "empty.txt", b"")
    write(raw, "blank.txt", b"  \r\n\t\n")
    write(raw, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    write(raw, "noise.txt", bytes(range(0x80, 0x100)) * 4)
    write(raw, "huge.txt", "x" * 2_001)
    write(raw, "notes.md", "# not an article\n")
    write(raw, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    write(raw, ".gitkeep", b"")
    write(raw, ".hidden/skip.txt", STORY_C)

    result = land(con, raw, "load-1", now=T1, max_bytes=2_000)

    landed = {r["source_path"]: r for r in articles(con)}
    assert set(landed) == {"good.txt", "cp1252.txt", "utf16.txt"}
    assert landed["cp1252.txt"]["encoding"] == "cp1252"
    assert landed["cp1252.txt"]["text"] == "The suspect’s lawyer said “no comment”, café.\n"
    assert (landed["utf16.txt"]["encoding"], landed["utf16.txt"]["text"]) == ("utf_16", STORY_B)
    assert rejects(con) == {
        ("empty.txt", None, "empty"),
        ("blank.txt", None, "empty"),
        ("image.txt", None, "binary"),
        ("noise.txt", None, "undecodable"),
        ("huge.txt", None, "oversized"),
        ("notes.md", None, "unsupported_format"),
    }
    huge = con.execute(
        "select size_bytes, content_hash from raw.rejects where reason = 'oversized'"
    ).fetchone()
    assert huge == (2_001, hashlib.sha256(b"x" * 2_001).hexdigest())
    assert (result.files_seen, result.rejects_new) == (9, 6)

    rerun = land(con, raw, "load-2", now=T2, max_bytes=2_000)
    assert (rerun.rejects_new, rerun.changed) == (0, False)
    assert con.execute("select count(*) from raw.rejects").fetchone()[0] == 6


def test_jsonl_malformed_lines_are_rejected_and_the_rest_lands(raw: Path, con) -> None:
    content = jsonl(
        {"id": "ok-1", "text": STORY_A, "date": "March 5, 2024"},
        "{not json",
        "",
        '["an", "array"]',
        {"url": "https://news.test/2", "content": STORY_B, "source": "Wire"},
        {"title": "No text here"},
        {"id": "ok-1", "text": "the same key again"},
        {"text": STORY_C},
    )
    write(raw, "feed.jsonl", content)

    result = land(con, raw, "load-1", now=T1)

    rows = {r["record_key"]: r for r in articles(con)}
    assert set(rows) == {"ok-1", "https://news.test/2", "line:8"}
    assert rows["ok-1"]["published_at"] == datetime(2024, 3, 5)
    assert rows["https://news.test/2"]["publisher"] == "Wire"
    assert rows["line:8"]["text"] == STORY_C
    assert rejects(con) == {
        ("feed.jsonl", "line:2", "malformed_json"),
        ("feed.jsonl", "line:4", "malformed_json"),
        ("feed.jsonl", "line:6", "missing_text"),
        ("feed.jsonl", "ok-1", "duplicate_record_key"),
    }
    lines = content.split("\n")
    (bad_hash,) = con.execute(
        "select content_hash from raw.rejects where record_key = 'line:2'"
    ).fetchone()
    assert bad_hash == hashlib.sha256(lines[1].encode()).hexdigest()
    assert result.rejects_new == 4

    lines[4] = json.dumps({"url": "https://news.test/2", "content": STORY_B + "Update."})
    write(raw, "feed.jsonl", "\n".join(lines))
    changed = land(con, raw, "load-2", now=T2)
    assert (changed.articles_new, changed.articles_superseded, changed.articles_unchanged) == (
        1,
        1,
        2,
    )
    assert [r["version"] for r in articles(con, "record_key = 'https://news.test/2'")] == [1, 2]


def test_file_that_turns_bad_retires_its_article_and_clears_when_fixed(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    land(con, raw, "load-1", now=T1)

    write(raw, "a.txt", b"")
    broken = land(con, raw, "load-2", now=T2)
    assert (broken.articles_deleted, broken.rejects_new) == (1, 1)
    assert _outstanding_reasons(con) == ["empty"]
    assert list(file_accounting(con, raw)["status"]) == ["rejected"]

    write(raw, "a.txt", STORY_A)
    fixed = land(con, raw, "load-3", now=T3)
    assert (fixed.articles_restored, fixed.rejects_cleared) == (1, 1)
    assert _outstanding_reasons(con) == []
    assert list(file_accounting(con, raw)["status"]) == ["landed"]
    assert con.execute("select count(*) from raw.rejects").fetchone()[0] == 1


def test_first_name_wins_in_path_order_not_creation_order(raw: Path, con) -> None:
    write(raw, "sub/a.txt", STORY_A)
    write(raw, "a.txt", STORY_A)
    write(raw, "a0.txt", STORY_A)

    land(con, raw, "load-1", now=T1)

    assert [r["source_path"] for r in articles(con)] == ["a.txt"]
    assert {name[0] for name in sources(con)} == {"a.txt", "a0.txt", "sub/a.txt"}


def test_failed_run_leaves_the_previous_state(raw: Path, con) -> None:
    write(raw, "a.txt", STORY_A)
    land(con, raw, "load-1", now=T1)
    before = snapshot(con)
    write(raw, "a.txt", STORY_B)
    write(raw, "b.txt", STORY_C)

    with pytest.raises(ValueError, match="already used"):
        land(con, raw, "load-1", now=T2)
    assert snapshot(con) == before

    # The load row is a run's last write: a raw.loads that cannot take it fails the run after
    # articles, sources and rejects have been written.
    con.execute("drop table raw.loads")
    con.execute("create table raw.loads (load_id varchar)")
    with pytest.raises(duckdb.Error):
        land(con, raw, "load-2", now=T2)
    assert snapshot(con) == before


def test_readers_for_run_metadata(raw: Path, con) -> None:
    assert table_counts(con)["articles"] == 0
    write(raw, "a.txt", STORY_A)
    write(raw, "b.txt", STORY_A)
    write(raw, "bad.txt", b"")
    land(con, raw, "load-1", now=T1)

    assert table_counts(con) == {
        "articles": 1,
        "current_articles": 1,
        "present_sources": 2,
        "rejects": 1,
        "present_rejects": 1,
    }
    assert not marts_reflect_raw(con)
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_articles as "
        "select article_id, content_hash from raw.articles where is_current"
    )
    assert marts_reflect_raw(con)
    write(raw, "a.txt", STORY_B)
    land(con, raw, "load-2", now=T2)
    assert not marts_reflect_raw(con)
    (raw / "bad.txt").unlink()
    assert set(file_accounting(con, raw)["status"]) == {"landed"}


def test_many_files_land_in_one_run(raw: Path, con) -> None:
    for i in range(1_500):
        write(raw, f"batch/{i // 100:02d}/{i:05d}.txt", f"Article number {i}.\n{STORY_A}")

    first = land(con, raw, "load-1", now=T1)
    second = land(con, raw, "load-2", now=T2)

    assert (first.articles_new, second.articles_unchanged, second.changed) == (1_500, 1_500, False)
    assert con.execute("select count(distinct article_id) from raw.articles").fetchone()[0] == 1_500


def _outstanding_reasons(con) -> list[str]:
    return [r[0] for r in con.execute("select reason from raw.rejects where is_present").fetchall()]
