"""CPU cost of the GE suites after one added article, at K times a built warehouse.

Not a test (pytest does not collect `bench_*.py`): run it with
`.venv/bin/python tests/benchmarks/bench_quality.py --warehouse FILE --raw-dir DIR
[--scale K ...]`.

For each K, a copy of the warehouse (in a temporary folder, under the same file name: DuckDB
views name their catalog after the file) gets K-1 copies of every article's rows in the tables
the suites read, ids suffixed so that keys stay distinct; every suite validates it once; then
one more copy of one article is added, the rows an incremental run would bring. Each suite is
then run on it three times (the verdicts of the previous run forgotten in between) and the
least CPU seconds of the three are printed per suite, with each check's verdict and counts,
which must not depend on the code measured. DuckDB runs on one thread and CPU seconds, not
wall-clock ones, are compared, so that other load on the machine matters less; the Data Docs
site and the suites' checkpoints are made before the first run, as in a long-lived process.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.lib import quality  # noqa: E402
from expectations import SUITES  # noqa: E402

TABLES = (
    "raw.articles",
    "nlp.paragraphs",
    "nlp.sentences",
    "nlp.mentions",
    "marts.dim_articles",
    "marts.fct_mentions",
    "marts.fct_events",
    "marts.bridge_event_agencies",
)
KEYS = frozenset(
    {
        "article_id",
        "paragraph_id",
        "mention_id",
        "event_id",
        "content_hash",
        "source_path",
        "duplicate_of_paragraph_id",
        "near_duplicate_of_paragraph_id",
    }
)
RUN_ID = "bench"


def _copy_rows(con: duckdb.DuckDBPyConnection, table: str, suffix: str, where: str) -> None:
    schema, name = table.split(".")
    columns = [
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    ]
    renamed = ", ".join(f"{c} || '{suffix}' as {c}" for c in columns if c in KEYS)
    con.execute(f"insert into {table} select * replace ({renamed}) from {where}")


def scale(con: duckdb.DuckDBPyConnection, k: int) -> None:
    """K-1 more copies of every article's rows."""
    for table in TABLES:
        original = f"_original_{table.replace('.', '_')}"
        con.execute(f"create temporary table {original} as select * from {table}")
        for copy in range(1, k):
            _copy_rows(con, table, f"~{copy}", original)


def add_article(con: duckdb.DuckDBPyConnection) -> str:
    """One more copy of the rows of the article with the most events (then the first)."""
    article_id = con.execute(
        "select article_id from marts.dim_articles "
        "order by (select count(*) from marts.fct_events as e "
        "where e.article_id = dim_articles.article_id) desc, article_id limit 1"
    ).fetchone()[0]
    for table in TABLES:
        key = (
            f"(select event_id from marts.fct_events where article_id = '{article_id}')"
            if table == "marts.bridge_event_agencies"
            else None
        )
        column = "event_id" if key else "article_id"
        value = key or f"('{article_id}')"
        _copy_rows(con, table, "~added", f"{table} where {column} in {value}")
    return article_id


def measure(warehouse: Path, raw_dir: Path, k: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_quality_") as folder:
        root = Path(folder)
        copy = root / warehouse.name
        shutil.copyfile(warehouse, copy)
        con = duckdb.connect(str(copy), config={"threads": 1})
        try:
            scale(con, k)
            articles = con.execute("select count(*) from marts.dim_articles").fetchone()[0]
            for suite in SUITES:
                quality.run_suite(con, suite, root, "baseline", raw_dir)
            add_article(con)
            print(f"\n{k} x: {articles} articles, one added", flush=True)
            total = 0.0
            for suite in SUITES:
                best, outcome = None, None
                for _ in range(3):
                    con.execute(
                        "delete from quality.validated_rows where suite_name = ? and run_id = ?",
                        [suite.name, RUN_ID],
                    )
                    started = time.process_time()
                    outcome = quality.run_suite(con, suite, root, RUN_ID, raw_dir)
                    spent = time.process_time() - started
                    best = spent if best is None else min(best, spent)
                total += best
                verdicts = ", ".join(
                    f"{o.check_name} {'ok' if o.passed else 'FAIL'} {o.unexpected_count}"
                    f"/{o.element_count}"
                    for o in outcome.outcomes
                )
                print(f"  {suite.name:16} {best:6.2f} CPU s  {verdicts}", flush=True)
            print(f"  {'all suites':16} {total:6.2f} CPU s", flush=True)
        finally:
            con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--scale", type=int, action="append")
    args = parser.parse_args(argv)
    for k in args.scale or [1, 5]:
        measure(args.warehouse, args.raw_dir, k)


if __name__ == "__main__":
    main()
