"""Every SQL block of docs/queries.md runs against the published sample warehouse and returns
rows, so the page of example queries stays true to the marts."""

from __future__ import annotations

import json
import re

import pytest

from dagster_project.lib import publish
from tests.helpers import REPO_ROOT, run_dbt

pytestmark = pytest.mark.e2e

QUERIES_PAGE = REPO_ROOT / "docs" / "queries.md"
_QUERY = re.compile(r"^### (?P<title>.+?)\n.*?^```sql\n(?P<sql>.*?)^```", re.S | re.M)
QUERIES = [(m["title"], m["sql"]) for m in _QUERY.finditer(QUERIES_PAGE.read_text("utf-8"))]


def test_the_page_holds_at_least_ten_questions_and_the_search():
    assert len(QUERIES) >= 10
    sql = "\n".join(q for _, q in QUERIES)
    assert "search.paragraphs(" in sql and "match_bm25(" in sql
    # every block sits under its own question
    assert len(QUERIES) == QUERIES_PAGE.read_text("utf-8").count("```sql")


@pytest.mark.parametrize(("title", "sql"), QUERIES, ids=[t.split(".")[0] for t, _ in QUERIES])
def test_each_example_query_returns_rows(published_sample, title, sql):
    with publish.connect_published(published_sample) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"no rows for: {title}"


def test_the_documented_offline_load_path_is_the_shipped_extension():
    (documented,) = re.findall(r"load '(\.venv/[^']+)'", QUERIES_PAGE.read_text("utf-8"))
    assert (REPO_ROOT / documented).resolve() == publish.fts_extension_path().resolve()


def test_dbt_docs_describe_every_column_of_every_mart(published_sample, tmp_path):
    """What `make docs` serves: the catalog read from the warehouse, every mart column in it
    described in the dbt YAML."""
    warehouse = published_sample.parent.parent / published_sample.name
    result = run_dbt(warehouse, "docs", "generate", "--target-path", str(tmp_path))
    assert result.returncode == 0, result.stdout[-4000:]
    catalog = json.loads((tmp_path / "catalog.json").read_text("utf-8"))
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    marts = {
        key: node
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    assert {"dim_articles", "fct_paragraphs"} <= {node["name"] for node in marts.values()}
    undocumented = [
        f"{node['name']}.{column}"
        for key, node in marts.items()
        for column in catalog["nodes"][key]["columns"]
        if not node["columns"].get(column, {}).get("description")
    ]
    assert undocumented == []
