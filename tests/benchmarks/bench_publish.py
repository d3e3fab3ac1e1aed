"""Cost of publishing after one added article, at K times a built warehouse's paragraphs.

Not a test (pytest does not collect `bench_*.py`): run it with
`.venv/bin/python tests/benchmarks/bench_publish.py --warehouse FILE [--scale K ...]`.

For each K, a copy of the warehouse (in a temporary folder, under the same file name) gets
K-1 copies of every paragraph, ids suffixed, and is published once. Then, `--repeats` times
each, one article's paragraphs are added again under a new article id and the warehouse is
published: once with the previous published copy in place (its index carried over) and once
with it removed first (the index built over every paragraph, as every publish did before).
Wall and CPU seconds (all threads of the process) of `publish()` are printed, the least of
the repeats, with how the index was made.
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

from dagster_project.lib import publish  # noqa: E402


def _scale(warehouse: Path, scale: int) -> int:
    with duckdb.connect(str(warehouse)) as con:
        for k in range(1, scale):
            con.execute(
                "insert into marts.fct_paragraphs select * replace "
                "(paragraph_id || ? as paragraph_id) from marts.fct_paragraphs "
                "where paragraph_id not like '%~%'",
                [f"~{k}"],
            )
        return con.execute("select count(*) from marts.fct_paragraphs").fetchone()[0]


def _add_article(warehouse: Path, n: int) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into marts.fct_paragraphs select * replace "
            "(paragraph_id || ? as paragraph_id, article_id || ? as article_id) "
            "from marts.fct_paragraphs where article_id = "
            "(select min(article_id) from marts.fct_paragraphs)",
            [f"+{n}", f"+{n}"],
        )


def _publish(warehouse: Path, keep_previous: bool, n: int) -> tuple[float, float, str]:
    _add_article(warehouse, n)
    if not keep_previous:
        publish.published_path(warehouse).unlink()
    wall, cpu = time.perf_counter(), time.process_time()
    result = publish.publish(warehouse, f"bench-{n}")
    return time.perf_counter() - wall, time.process_time() - cpu, result.search_index.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for scale in args.scale or [1]:
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Path(tmp) / args.warehouse.name
            shutil.copyfile(args.warehouse, warehouse)
            paragraphs = _scale(warehouse, scale)
            publish.publish(warehouse, "bench-0")
            print(f"scale {scale}: {paragraphs} paragraphs", flush=True)
            n = 0
            for keep_previous in (True, False):
                runs = []
                for _ in range(args.repeats):
                    n += 1
                    runs.append(_publish(warehouse, keep_previous, n))
                wall = min(r[0] for r in runs)
                cpu = min(r[1] for r in runs)
                how = runs[-1][2].split(":")[0]
                print(f"  add-one publish, index {how:<11} wall {wall:6.2f} s  cpu {cpu:6.2f} s")


if __name__ == "__main__":
    main()
