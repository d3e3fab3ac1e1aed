"""What the incremental dbt models did in one dbt invocation, read from the bookkeeping table
their hooks keep (dbt/macros/incremental_articles.sql): per model, the articles whose rows it
rebuilt and those it kept."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dagster_project.lib import warehouse

ARTICLE_BUILDS = "intermediate.article_builds"


@dataclass(frozen=True)
class ModelBuild:
    articles_rebuilt: int
    articles_kept: int

    def metadata(self) -> dict[str, int]:
        return {"articles_rebuilt": self.articles_rebuilt, "articles_kept": self.articles_kept}


def model_builds(con: duckdb.DuckDBPyConnection, invocation_id: str) -> dict[str, ModelBuild]:
    """Per incremental model (by table name): the current articles it took in anew in the dbt
    invocation `invocation_id`, and those whose rows it kept."""
    if not warehouse.table_exists(con, ARTICLE_BUILDS):
        return {}
    rows = con.execute(
        f"select model_name, count(*) filter (where invocation_id = ?), "
        f"count(*) filter (where invocation_id is distinct from ?) "
        f"from {ARTICLE_BUILDS} group by model_name",
        [invocation_id, invocation_id],
    ).fetchall()
    return {name: ModelBuild(rebuilt, kept) for name, rebuilt, kept in rows}
