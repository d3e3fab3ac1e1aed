"""Speed and memory of the plain-Python pipeline stages and dbt on a synthetic corpus.

Not a test (pytest does not collect `bench_*.py`): run it with `make bench` or
`.venv/bin/python tests/benchmarks/bench_pipeline.py [--articles N] [--json]`.

The corpus is built from the sample articles in `raw/`, varied deterministically (names,
numbers, months swapped, body paragraphs shuffled with a seeded random, an index appended) so
every file has its own content. The stages call `dagster_project.lib` directly, the way the
Dagster assets do, with no Dagster and no mocks; dbt runs as a subprocess. Peak RSS is the
process high-water mark (ru_maxrss) read after each stage, so it never goes down; for dbt it
is the dbt process's own (RUSAGE_CHILDREN of a small wrapper around it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))


from dagster_project.lib import articles as articles_lib  # noqa: E402
from dagster_project.lib import nlp as nlp_lib  # noqa: E402
from dagster_project.lib import paragraphs as paragraph_lib  # noqa: E402
from dagster_project.lib import warehouse as warehouse_lib  # noqa: E402
from dagster_project.lib.settings import SPACY_MODEL  # noqa: E402

SAMPLE_RAW = REPO_ROOT / "raw"
BIN = Path(sys.executable).parent
MODEL_NAME = SPACY_MODEL.value()
NLP_TABLES = ("sentences", "mentions", "crime_types", "events", "event_agencies", "event_countries")

# ---------------------------------------------------------------------------------------------
# Synthetic corpus

NAMES = ("Khieu Sopheak", "Sar Kheng", "Neth Savoeun", "Sok Phal")
NAME_POOL = (
    "Chhay Sinarith",
    "Mok Chito",
    "Touch Naruth",
    "Hing Bun Hieng",
    "Meas Vyrith",
    "Kirth Chantharith",
    "Ouk Kimlek",
    "Pen Rath",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NUMBER = re.compile(r"\d+")
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")


def _vary_number(rng: random.Random, match: re.Match[str]) -> str:
    digits = match.group()
    value = int(digits)
    if len(digits) == 4 and 1990 <= value <= 2030:
        return str(min(value + rng.randint(-3, 3), 2024))  # a plausible, past year
    if len(digits) <= 2 and value <= 31:
        return str(rng.randint(1, 28)) if value else digits  # a day of month, a small count
    low = 10 ** (len(digits) - 1)
    return str(rng.randint(low, low * 10 - 1))


def vary(text: str, index: int) -> str:
    """A deterministic variant of `text`: names, numbers and months swapped, body shuffled."""
    rng = random.Random(index)
    for name in NAMES:
        text = text.replace(name, rng.choice(NAME_POOL))
    shift = rng.randint(1, 11)
    text = _MONTH.sub(lambda m: MONTHS[(MONTHS.index(m.group()) + shift) % 12], text)
    text = _NUMBER.sub(lambda m: _vary_number(rng, m), text)
    separator = "\n\n"
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if len(blocks) < 4:
        separator = "\n"
        blocks = [b for b in text.strip().split("\n") if b.strip()]
    head, body = blocks[:2], blocks[2:]
    rng.shuffle(body)
    closing = f"Report {index:05d} by {rng.choice(NAME_POOL)}, {MONTHS[index % 12]} desk."
    return separator.join([*head, *body, closing]) + "\n"


def build_corpus(raw_dir: Path, count: int) -> None:
    samples = sorted(SAMPLE_RAW.glob("*.txt"))
    texts = [articles_lib.decode_bytes(p.read_bytes()).text for p in samples]
    raw_dir.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        source = i % len(texts)
        (raw_dir / f"{i:05d}_{samples[source].stem}.txt").write_text(
            vary(texts[source], i), encoding="utf-8"
        )


# ---------------------------------------------------------------------------------------------
# Stages


@dataclass
class Stage:
    name: str
    seconds: float
    articles: int
    articles_per_second: float
    peak_rss_mb: float
    detail: str = ""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def _stage(name: str, started: float, articles: int, detail: str = "") -> Stage:
    seconds = time.perf_counter() - started
    return Stage(
        name=name,
        seconds=round(seconds, 3),
        articles=articles,
        articles_per_second=round(articles / seconds, 1) if seconds else 0.0,
        peak_rss_mb=round(_peak_rss_mb(), 1),
        detail=detail,
    )


def _land(warehouse: Path, raw_dir: Path, load_id: str, name: str, count: int) -> Stage:
    started = time.perf_counter()
    with warehouse_lib.connect(warehouse) as con:
        result = articles_lib.land(con, raw_dir, load_id)
    detail = f"new={result.articles_new} unchanged={result.articles_unchanged}"
    return _stage(name, started, count, detail + f" rejects={result.rejects_new}")


def _paragraphs(warehouse: Path) -> Stage:
    started = time.perf_counter()
    with warehouse_lib.connect(warehouse) as con:
        current = warehouse_lib.fetch_df(con, articles_lib.CURRENT_ARTICLES)
        frame = paragraph_lib.classify_articles(current)
        warehouse_lib.replace_table(con, "nlp.paragraphs", frame)
    detail = f"paragraphs={len(frame)} content={int(frame['is_content'].sum())}"
    return _stage("paragraphs", started, len(current), detail)


def _nlp(warehouse: Path) -> Stage:
    started = time.perf_counter()
    with warehouse_lib.connect(warehouse) as con:
        paragraph_rows = warehouse_lib.fetch_df(con, "select * from nlp.paragraphs")
        current = warehouse_lib.fetch_df(con, articles_lib.CURRENT_ARTICLES)
    frames = nlp_lib.annotate(
        paragraph_rows, current, MODEL_NAME, nlp_lib.REFERENCE_AGENCIES, nlp_lib.REFERENCE_PLACES
    )
    with warehouse_lib.connect(warehouse) as con:
        for table in NLP_TABLES:
            warehouse_lib.replace_table(con, f"nlp.{table}", frames[table])
    detail = " ".join(f"{t}={len(frames[t])}" for t in ("sentences", "mentions", "events"))
    return _stage("nlp (spaCy)", started, len(current), detail)


# Linux carries the parent's RSS high-water mark into a child spawned straight from this
# (large) process, so dbt runs under a small Python wrapper whose RUSAGE_CHILDREN is dbt's own.
_RSS_WRAPPER = """
import pathlib, resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
pathlib.Path(sys.argv[1]).write_text(str(peak))
sys.exit(code)
"""


def _dbt(warehouse: Path, work: Path, count: int) -> Stage:
    env = {**os.environ, "NEWS_WAREHOUSE_PATH": str(warehouse), "DO_NOT_TRACK": "1"}
    peak_file = work / "dbt-maxrss"
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _RSS_WRAPPER,
            str(peak_file),
            str(BIN / "dbt"),
            "build",
            "--quiet",
            "--project-dir",
            str(REPO_ROOT / "dbt"),
            "--profiles-dir",
            str(REPO_ROOT / "dbt"),
            # keep the shared dbt/target (the manifest Dagster reads) untouched
            "--target-path",
            str(work / "dbt-target"),
            "--log-path",
            str(work / "dbt-logs"),
        ],
        cwd=REPO_ROOT / "dbt",
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    stage = _stage("dbt build", started, count)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"dbt build failed with exit code {result.returncode}")
    stage.peak_rss_mb = round(int(peak_file.read_text()) / 1024, 1)
    return stage


def run(count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="news-bench-") as tmp:
        work = Path(tmp)
        raw_dir, warehouse = work / "raw", work / "news.duckdb"
        started = time.perf_counter()
        build_corpus(raw_dir, count)
        corpus_seconds = time.perf_counter() - started
        stages = [
            _land(warehouse, raw_dir, "bench-1", "landing", count),
            _land(warehouse, raw_dir, "bench-2", "landing (unchanged)", count),
            _paragraphs(warehouse),
        ]
        started = time.perf_counter()
        nlp_lib.load_model(MODEL_NAME)
        stages.append(_stage("spaCy model load", started, 0, MODEL_NAME))
        stages.append(_nlp(warehouse))
        stages.append(_dbt(warehouse, work, count))
        return {
            "articles": count,
            "corpus_build_seconds": round(corpus_seconds, 3),
            "corpus_bytes": sum(p.stat().st_size for p in raw_dir.iterdir()),
            "warehouse_bytes": warehouse.stat().st_size,
            "spacy_model": MODEL_NAME,
            "cpus": os.cpu_count(),
            "stages": [asdict(s) for s in stages],
            "total_seconds": round(sum(s.seconds for s in stages), 3),
        }


def print_table(report: dict) -> None:
    headers = ("stage", "seconds", "articles/s", "peak RSS MB", "detail")
    rows = [
        (
            s["name"],
            f"{s['seconds']:.3f}",
            f"{s['articles_per_second']:.1f}" if s["articles"] else "-",
            f"{s['peak_rss_mb']:.1f}",
            s["detail"],
        )
        for s in report["stages"]
    ]
    widths = [max(len(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
    print(
        f"{report['articles']} articles, {report['corpus_bytes'] / 1e6:.2f} MB of text "
        f"(built in {report['corpus_build_seconds']:.2f} s), model {report['spacy_model']}, "
        f"{report['cpus']} CPUs"
    )
    for row in (headers, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    print(f"total {report['total_seconds']:.2f} s")
    print(f"warehouse file {report['warehouse_bytes'] / 1e6:.2f} MB")
    print("peak RSS: this process's high-water mark after the stage; dbt: the dbt process's own")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500, help="corpus size (default 500)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--backend",
        choices=("duckdb", "ducklake"),
        default="duckdb",
        help="ducklake: the NLP stage on DuckLake with 1 and 2 workers beside the DuckDB file "
        "(tests/benchmarks/bench_ducklake.py)",
    )
    args = parser.parse_args(argv)
    if args.articles <= 0:
        parser.error("--articles must be positive")
    if args.backend == "ducklake":
        import bench_ducklake

        report = bench_ducklake.run(args.articles, build_corpus)
        show = bench_ducklake.print_table
    else:
        report = run(args.articles)
        show = print_table
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)


if __name__ == "__main__":
    main()
