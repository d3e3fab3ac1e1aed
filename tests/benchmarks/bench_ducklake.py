"""The NLP stage on the DuckLake backend with 1 and 2 worker processes, beside the DuckDB file.

Run by `make bench BENCH_ARGS="--backend ducklake"` (or `bench_pipeline.py --backend
ducklake`). The corpus is bench_pipeline's synthetic one; every configuration lands it and
splits it into paragraphs the same way, then only the NLP stage is timed, model loading
included (every worker pays it):

- DuckDB file, 1 process: `driver.annotate_articles(processes=1)`, as the asset does on a
  one-core machine;
- DuckLake, N workers: the units of `driver.plan_units`, each annotated and committed by
  `driver.process_unit` in one of N worker processes that each hold their own connection to
  the lake, as the steps of `nlp_units_job` do. The catalog is a throwaway PostgreSQL on
  loopback (tests/postgres.py), the data a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.lib import articles as articles_lib  # noqa: E402
from dagster_project.lib import driver, settings  # noqa: E402
from dagster_project.lib import nlp as nlp_lib  # noqa: E402
from dagster_project.lib import warehouse as warehouse_lib  # noqa: E402
from tests import postgres  # noqa: E402

MODEL_NAME = settings.SPACY_MODEL.value()
WORKER_COUNTS = (1, 2)

_worker: dict = {}


def _prepare(target: warehouse_lib.Target, raw_dir: Path) -> tuple[int, float]:
    """Land the corpus and split it into paragraphs, in one process; returns the current
    articles and the seconds it took."""
    started = time.perf_counter()
    with warehouse_lib.connect(target) as con:
        articles_lib.land(con, raw_dir, load_id="bench")
        driver.classify_paragraphs(con, driver.extractor_version(MODEL_NAME))
        articles = con.execute("select count(*) from raw.articles where is_current").fetchone()[0]
    return articles, time.perf_counter() - started


def _nlp_rows(target: warehouse_lib.Target) -> int:
    with warehouse_lib.connect(target, read_only=True) as con:
        return sum(
            con.execute(f"select count(*) from nlp.{table}").fetchone()[0]
            for table in driver.NLP_TABLES
        )


def _start_worker(lake: warehouse_lib.DuckLake) -> None:
    nlp_lib.load_pipeline(MODEL_NAME)
    # one connection for all the worker's units, closed when the worker process ends
    _worker["con"] = warehouse_lib.open_connection(lake)
    _worker["version"] = driver.extractor_version(MODEL_NAME)


def _run_unit(article_ids: list[str]) -> int:
    result = driver.process_unit(_worker["con"], article_ids, MODEL_NAME, _worker["version"])
    return result.articles


def _file_stage(path: Path, raw_dir: Path) -> dict:
    articles, prepare_seconds = _prepare(path, raw_dir)
    started = time.perf_counter()
    with warehouse_lib.connect(path) as con:
        driver.annotate_articles(con, MODEL_NAME, driver.extractor_version(MODEL_NAME), 1)
    seconds = time.perf_counter() - started
    return _figure("DuckDB file", 1, articles, prepare_seconds, seconds, None, _nlp_rows(path))


def _lake_stage(lake: warehouse_lib.DuckLake, raw_dir: Path, workers: int) -> dict:
    articles, prepare_seconds = _prepare(lake, raw_dir)
    started = time.perf_counter()
    with warehouse_lib.connect(lake) as con:
        units = driver.plan_units(con, driver.extractor_version(MODEL_NAME)).units
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("forkserver"),
        initializer=_start_worker,
        initargs=(lake,),
    ) as pool:
        done = sum(pool.map(_run_unit, units))
    seconds = time.perf_counter() - started
    if done != articles:
        raise SystemExit(f"{workers} workers annotated {done} of {articles} articles")
    return _figure(
        "DuckLake", workers, articles, prepare_seconds, seconds, len(units), _nlp_rows(lake)
    )


def _figure(backend, workers, articles, prepare_seconds, seconds, units, rows) -> dict:
    return {
        "backend": backend,
        "workers": workers,
        "articles": articles,
        "units": units,
        "landing_and_paragraphs_seconds": round(prepare_seconds, 2),
        "seconds": round(seconds, 2),
        "articles_per_second": round(articles / seconds, 2),
        "nlp_rows": rows,
    }


def run(count: int, build_corpus) -> dict:
    """Time the NLP stage on a `count`-article corpus made by `build_corpus(folder, count)`."""
    server = postgres.start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="news-bench-lake-") as tmp:
            work = Path(tmp)
            raw_dir = work / "raw"
            build_corpus(raw_dir, count)
            figures = [_file_stage(work / "news.duckdb", raw_dir)]
            for workers in WORKER_COUNTS:
                lake = server.new_lake(work / "lakes")
                figures.append(_lake_stage(lake, raw_dir, workers))
            rows = {f["nlp_rows"] for f in figures}
            if len(rows) != 1:
                raise SystemExit(f"the configurations wrote different row counts: {figures}")
            return {
                "articles": count,
                "spacy_model": MODEL_NAME,
                "cpus": len(os.sched_getaffinity(0)),
                "unit_chars": driver.UNIT_CHARS,
                "nlp": figures,
            }
    finally:
        postgres.stop_server(server)


def print_table(report: dict) -> None:
    print(
        f"NLP stage, {report['articles']} articles, model {report['spacy_model']}, "
        f"{report['cpus']} CPUs, units of about {report['unit_chars']} characters"
    )
    headers = (
        "backend",
        "workers",
        "units",
        "NLP seconds",
        "articles/s",
        "nlp rows",
        "land+para s",
    )
    rows = [
        (
            f["backend"],
            str(f["workers"]),
            "-" if f["units"] is None else str(f["units"]),
            f"{f['seconds']:.2f}",
            f"{f['articles_per_second']:.2f}",
            str(f["nlp_rows"]),
            f"{f['landing_and_paragraphs_seconds']:.2f}",
        )
        for f in report["nlp"]
    ]
    widths = [max(len(r[i]) for r in (headers, *rows)) for i in range(len(headers))]
    for row in (headers, tuple("-" * w for w in widths), *rows):
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    print("NLP seconds: the NLP stage alone (planning, spaCy model loads, annotation, commits);")
    print("land+para s: landing the corpus and splitting it into paragraphs, one process")
