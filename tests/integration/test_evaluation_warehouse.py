"""The scorer against a real DuckDB file laid out like the marts (rows written here)."""

from __future__ import annotations

import json

import duckdb
import pytest

from dagster_project.lib.evaluation import main, read_warehouse_file, score

ARTICLE = "One. Agents of the FBI met Dara Vong in Phnom Penh. The FBI said so."
GOLD = [
    {
        "file": "story.txt",
        "agencies": [
            {"canonical": "Federal Bureau of Investigation", "acronym": "FBI", "count": 2}
        ],
        "people": [{"name": "Dara Vong"}],
        "places": [{"name": "Phnom Penh", "surface_forms": ["Phnom Penh"]}, "Bangkok"],
        "boilerplate_paragraphs": [],
        "events": [],
    }
]


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    fbi = ARTICLE.index("FBI")
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_articles as select 'a1' article_id,"
            " 'feeds/story.txt' source_path"
        )
        con.execute(
            "create table marts.fct_paragraphs as select 'a1' article_id, 0 paragraph_index,"
            " ? paragraph_text, false is_boilerplate, false is_duplicate,"
            " 'a1-p0' paragraph_id, 0 char_start",
            [ARTICLE],
        )
        con.execute(
            "create table marts.dim_agencies as select 'us-fbi' agency_id,"
            " 'Federal Bureau of Investigation' canonical_name, 'FBI' acronym"
        )
        con.execute(
            "create table marts.fct_mentions (article_id varchar, entity_type varchar,"
            " entity_name varchar, surface_text varchar, agency_id varchar,"
            " paragraph_id varchar, char_start integer)"
        )
        con.executemany(
            "insert into marts.fct_mentions values ('a1', ?, ?, ?, ?, 'a1-p0', ?)",
            [
                ("agency", "Federal Bureau of Investigation", "FBI", "us-fbi", fbi),
                ("person", "Dara Vong", "Dara Vong", None, ARTICLE.index("Dara")),
                ("place", "Phnom Penh", "Phnom Penh", None, ARTICLE.index("Phnom")),
                ("place", "Agents", "Agents", None, ARTICLE.index("Agents")),
            ],
        )
    return path


def test_reads_the_marts_and_scores_them(warehouse):
    result = score(read_warehouse_file(warehouse), GOLD)
    assert result.metrics["agencies"]["f1"] == 1.0
    assert result.metrics["agency_mentions"]["tp"] == 1
    assert result.metrics["people"]["f1"] == 1.0
    assert (result.metrics["places"]["tp"], result.metrics["places"]["system"]) == (1, 2)
    # the warehouse has no event tables: the metric is not available rather than zero
    assert result.metrics["events"] is None
    findings = {(f.kind, f.verdict, f.item): f.sentence for f in result.findings}
    assert findings[("places", "false hit", "Agents")] == (
        "Agents of the FBI met Dara Vong in Phnom Penh."
    )
    assert ("places", "miss", "Bangkok") in findings


def test_the_command_prints_findings_and_table(warehouse, tmp_path, capsys):
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    assert main(["--warehouse", str(warehouse), "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "[false hit] story.txt: Agents" in out
    assert "[fewer] story.txt: Federal Bureau of Investigation: 1 found, 2 in gold" in out
    summary = [line for line in out.splitlines() if line.startswith("summary ")]
    assert summary and summary[0].startswith("summary agencies_f1=1.000")
    assert main(["--warehouse", str(warehouse), "--gold", str(gold), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["metrics"]["places"]["precision"] == 0.5


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing_warehouse", "does not exist: build it first"),
        ("no_marts", "no marts.dim_articles"),
        ("bad_gold", "is not valid JSON"),
        ("gold_not_a_list", "must be a JSON list"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, capsys, warehouse, setup, message):
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    target = warehouse
    if setup == "missing_warehouse":
        target = tmp_path / "absent.duckdb"
    elif setup == "no_marts":
        target = tmp_path / "empty.duckdb"
        duckdb.connect(str(target)).close()
    elif setup == "bad_gold":
        gold.write_text("[{", encoding="utf-8")
    else:
        gold.write_text('{"file": "x"}', encoding="utf-8")
    assert main(["--warehouse", str(target), "--gold", str(gold)]) == 2
    assert message in capsys.readouterr().err
