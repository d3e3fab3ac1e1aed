"""The whole pipeline against its ceiling, on a real corpus folder.

Not a test (pytest does not collect `bench_*.py`): run it with `make bench` or
`.venv/bin/python tests/benchmarks/bench_pipeline.py [--corpus DIR] [--scale K] [--json]`.

In one temporary folder it builds the warehouse from the corpus (K distinct copies of every
file with `--scale K`: copy k>0 of a file gets one line naming the copy) with the real
pipeline (`dagster asset materialize`, as `make run`), then times a no-op run, a run after one
added article and a run after one changed article. The ceiling is a bare `nlp.pipe` with the
same model and batch size over the content paragraphs of the built warehouse, on 1 process and
on as many processes as the NLP stage uses. Peak RSS is sampled every 0.2 s over the whole
process tree of each run (workers added up). Every figure is printed in seconds and as a
ratio to the all-process ceiling.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import psutil

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.lib import driver, nlp  # noqa: E402

BIN = Path(sys.executable).parent
MODEL = os.environ.get("NEWS_SPACY_MODEL") or nlp.DEFAULT_MODEL
SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
CEILING = """
import sys, time, json, spacy
texts = json.load(open(sys.argv[1]))
nlp = spacy.load(sys.argv[2])
started = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=int(sys.argv[3]), n_process=int(sys.argv[4])):
    pass
print(time.perf_counter() - started)
"""


class PeakRss(threading.Thread):
    """Largest sum of RSS over a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
                total = 0
                for proc in tree:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.2)


def prepare(corpus: Path, scale: int, raw: Path) -> list[Path]:
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix in SUFFIXES)
    if not files:
        raise SystemExit(f"--corpus {corpus}: no {', '.join(SUFFIXES)} file")
    raw.mkdir(parents=True)
    for k in range(scale):
        for path in files:
            target = raw / (path.name if k == 0 else f"copy{k}_{path.name}")
            if k == 0 or path.suffix != ".txt":
                shutil.copy2(path, target)
            else:
                text = path.read_text(encoding="utf-8", errors="replace")
                target.write_text(f"{text.rstrip()}\n\nCopy {k} of {path.stem}.\n", "utf-8")
    return files


def run(env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions",
         "--select", "*"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    watcher = PeakRss(proc.pid)
    watcher.start()
    _, err = proc.communicate()
    watcher.done.set()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"pipeline failed:\n{err[-4000:]}")
    return time.perf_counter() - started, watcher.peak


def stage_seconds(home: Path) -> float:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["nlp", "sentences"]))
        return float(event.asset_materialization.metadata["stage_seconds"].value)


def ceiling(warehouse: Path, work: Path, processes: int) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        texts = [
            r[0]
            for r in con.execute(
                "select paragraph_text from nlp.paragraphs where is_content "
                "order by article_id, paragraph_index"
            ).fetchall()
        ]
    data = work / "texts.json"
    data.write_text(json.dumps(texts), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", CEILING, str(data), MODEL, str(nlp.BATCH_SIZE), str(processes)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def bench(corpus: Path, scale: int, processes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="news-bench-") as tmp:
        work = Path(tmp)
        files = prepare(corpus, scale, work / "raw")
        warehouse = work / "warehouse" / "news.duckdb"
        env = {
            **os.environ,
            "NEWS_RAW_DIR": str(work / "raw"),
            "NEWS_WAREHOUSE_PATH": str(warehouse),
            "NEWS_SPACY_MODEL": MODEL,
            "NEWS_NLP_PROCESSES": str(processes),
            "DAGSTER_HOME": str(work / "home"),
            "DAGSTER_DISABLE_TELEMETRY": "1",
        }
        (work / "home").mkdir()
        shutil.copy2(REPO_ROOT / "dagster.yaml", work / "home" / "dagster.yaml")
        figures: dict[str, float] = {}
        figures["cold end to end"], peak = run(env)
        figures["NLP stage (cold)"] = stage_seconds(work / "home")
        figures["no-op run"], _ = run(env)
        source = next(p for p in files if p.suffix == ".txt")
        text = source.read_text(encoding="utf-8", errors="replace")
        (work / "raw" / f"added_{source.name}").write_text(text + "\nAdded once more.\n", "utf-8")
        figures["one added article"], _ = run(env)
        changed = work / "raw" / source.name
        changed.write_text(text + "\nChanged once.\n", "utf-8")
        figures["one changed article"], _ = run(env)
        figures["ceiling nlp.pipe, 1 process"] = ceiling(warehouse, work, 1)
        figures[f"ceiling nlp.pipe, {processes} processes"] = ceiling(warehouse, work, processes)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            articles = con.execute("select count(*) from raw.articles where is_current").fetchone()
    top = figures[f"ceiling nlp.pipe, {processes} processes"]
    return {
        "corpus": str(corpus),
        "scale": scale,
        "articles": articles[0],
        "processes": processes,
        "seconds": {k: round(v, 2) for k, v in figures.items()},
        "ratio_to_ceiling": {k: round(v / top, 3) for k, v in figures.items()},
        "nlp_speed_vs_ceiling": round(top / figures["NLP stage (cold)"], 3),
        "peak_rss_mb": round(peak / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "raw")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--processes", type=int, default=driver.default_processes())
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--backend",
        choices=("duckdb", "ducklake"),
        default="duckdb",
        help="ducklake: the NLP stage on DuckLake with 1 and 2 workers beside the DuckDB file "
        "(tests/benchmarks/bench_ducklake.py), over the first --articles files of --corpus",
    )
    parser.add_argument("--articles", type=int, default=500)
    args = parser.parse_args(argv)
    if args.backend == "ducklake":
        import bench_ducklake

        def build_corpus(raw: Path, count: int) -> None:
            prepare(args.corpus.resolve(), args.scale, raw)
            for extra in sorted(raw.iterdir())[count:]:
                extra.unlink()

        report = bench_ducklake.run(args.articles, build_corpus)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            bench_ducklake.print_table(report)
        return
    report = bench(args.corpus.resolve(), args.scale, args.processes)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['articles']} articles ({args.corpus} x{args.scale}), "
        f"{report['processes']} processes"
    )
    print(f"{'figure':42} {'seconds':>9} {'x ceiling':>10}")
    for name, seconds in report["seconds"].items():
        print(f"{name:42} {seconds:9.2f} {report['ratio_to_ceiling'][name]:10.3f}")
    print(f"NLP stage speed / bare nlp.pipe on {report['processes']} processes: "
          f"{report['nlp_speed_vs_ceiling']:.3f}")  # fmt: skip
    print(f"peak RSS of the process tree: {report['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
