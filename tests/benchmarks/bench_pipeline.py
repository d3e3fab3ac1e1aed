"""The whole pipeline against its ceiling, on a real corpus folder.

Not a test (pytest does not collect `bench_*.py`): run it with `make bench` or
`.venv/bin/python tests/benchmarks/bench_pipeline.py [--corpus DIR] [--scale K] [--json]`.

In one temporary folder it builds the warehouse from the corpus (K distinct copies of every
file with `--scale K`: copy k>0 of a file gets one line naming the copy) with the real
pipeline (`dagster asset materialize`, as `make run`), then times a no-op run, a run after one
added article and a run after one changed article. The ceiling is a bare `nlp.pipe` (the
model as `spacy.load` gives it, the stage's batch size) over exactly the texts the cold NLP
stage parsed (`nlp.parse_texts` of the paragraphs it read), on 1 process and on as many
processes as the NLP stage uses. Peak RSS is sampled every 0.2 s over the whole process tree
of each run (workers, dbt and every other child added up); each run's peak is printed, with
the processes that held it, and the largest of them. Every time is printed in seconds and as
a ratio to the all-process ceiling; each run's Dagster steps are timed from the instance.
The NLP stage's efficiency is also printed in CPU seconds, which a busy or drifting host
skews far less than wall-clock ones: the bare parse's (its workers included) against the
stage's annotation (`annotation_cpu_seconds` of its metadata), model loads left out on both.
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
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import psutil

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.lib import driver, nlp  # noqa: E402
from tests.helpers import dagster_instance  # noqa: E402

BIN = Path(sys.executable).parent
MODEL = os.environ.get("NEWS_SPACY_MODEL") or nlp.DEFAULT_MODEL
SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
RUNS = ("cold end to end", "no-op run", "one added article", "one changed article")
CEILING = """
import os, sys, time, json, spacy
texts = json.load(open(sys.argv[1]))
nlp = spacy.load(sys.argv[2])
cpu = lambda t: t.user + t.system + t.children_user + t.children_system
started, before = time.perf_counter(), os.times()
for _ in nlp.pipe(texts, batch_size=int(sys.argv[3]), n_process=int(sys.argv[4])):
    pass
# the workers have been joined: their CPU is in the children's times
print(cpu(os.times()) - cpu(before))
print(time.perf_counter() - started)
"""


def _label(proc: psutil.Process) -> str:
    """What a process of the pipeline's tree is, for the peak's breakdown."""
    with contextlib.suppress(psutil.Error):
        line = " ".join(proc.cmdline())
        for needle, label in (
            ("forkserver", "workers"),
            ("resource_tracker", "other"),
            ("watch_orphans", "other"),
            ("/dbt", "dbt"),
            ("dagster", "dagster"),
        ):
            if needle in line:
                return label
        return proc.name()
    return "other"


class PeakRss(threading.Thread):
    """Largest sum of RSS over a process and all its descendants, sampled every 0.2 s, how
    that peak split between the kinds of process, and the CPU seconds each kind used (as last
    sampled): on a shared machine CPU seconds compare where wall-clock seconds cannot."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.breakdown: dict[str, int] = {}
        self.cpu: dict[int, tuple[str, float]] = {}

    def cpu_seconds(self) -> dict[str, float]:
        out: Counter[str] = Counter()
        for label, seconds in self.cpu.values():
            out[label] += seconds
        return {k: round(v, 1) for k, v in sorted(out.items())}

    def run(self) -> None:
        while not self.done.is_set():
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
                parts: Counter[str] = Counter()
                for proc in tree:
                    with contextlib.suppress(psutil.Error):
                        label = self.cpu.get(proc.pid, (None,))[0] or _label(proc)
                        parts[label] += proc.memory_info().rss
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = (label, times.user + times.system)
                total = sum(parts.values())
                if total > self.peak:
                    self.peak, self.breakdown = total, dict(parts)
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


def watched(command: list[str], what: str, **popen) -> tuple[str, PeakRss]:
    """Run `command` with the RSS of its process tree sampled; its stdout and the watcher."""
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, **popen)
    watcher = PeakRss(proc.pid)
    watcher.start()
    out, err = proc.communicate()
    watcher.done.set()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"{what} failed:\n{err[-4000:]}")
    return out or "", watcher


def run(env: dict[str, str]) -> tuple[float, PeakRss]:
    started = time.perf_counter()
    _, watcher = watched(
        [sys.executable, "-m", "dagster", "asset", "materialize",
         "-m", "dagster_project.definitions", "--select", "*"],
        "pipeline", cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started, watcher


def last_run(home: Path) -> tuple[dict[str, float], dict]:
    """The steps of the latest run with their seconds, and the NLP asset's metadata if that
    run materialized it."""
    with dagster_instance(home) as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
        steps = {
            s.step_key: round((s.end_time or s.start_time) - s.start_time, 2)
            for s in instance.get_run_step_stats(run_id)
            if s.start_time is not None
        }
        event = instance.get_latest_materialization_event(dg.AssetKey(["nlp", "sentences"]))
        metadata = {}
        if event is not None and event.run_id == run_id:
            metadata = {
                k: v.value for k, v in event.asset_materialization.metadata.items()
                if isinstance(v.value, int | float)
            }  # fmt: skip
    return steps, metadata


def parsed_texts(warehouse: Path) -> list[str]:
    """The texts the NLP stage hands spaCy: content paragraphs and attribution lines, long
    ones in pieces (nlp.parse_texts), article by article."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        paragraphs = con.execute(
            "select * from nlp.paragraphs order by article_id, paragraph_index"
        ).df()
    return nlp.parse_texts(paragraphs)


def ceiling_name(processes: int) -> str:
    return f"ceiling nlp.pipe, {processes} process{'es' if processes > 1 else ''}"


def ceiling(data: Path, processes: int) -> tuple[float, float, PeakRss]:
    """Seconds and CPU seconds (every process) of the bare parse, model loaded, and its
    watcher."""
    out, watcher = watched(
        [sys.executable, "-c", CEILING, str(data), MODEL, str(nlp.BATCH_SIZE), str(processes)],
        "ceiling", stdout=subprocess.PIPE,
    )  # fmt: skip
    cpu, seconds = map(float, out.strip().splitlines()[-2:])
    return seconds, cpu, watcher


def bench(corpus: Path, scale: int, processes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="news-bench-") as tmp:
        work = Path(tmp)
        files = prepare(corpus, scale, work / "raw")
        warehouse = work / "warehouse" / "news.duckdb"
        home = work / "home"
        env = {
            **os.environ,
            "NEWS_RAW_DIR": str(work / "raw"),
            "NEWS_WAREHOUSE_PATH": str(warehouse),
            "NEWS_SPACY_MODEL": MODEL,
            "NEWS_NLP_PROCESSES": str(processes),
            "DAGSTER_HOME": str(home),
            "DAGSTER_DISABLE_TELEMETRY": "1",
        }
        home.mkdir()
        shutil.copy2(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
        source = next(p for p in files if p.suffix == ".txt")
        text = source.read_text(encoding="utf-8", errors="replace")
        edits = {
            "one added article": (work / "raw" / f"added_{source.name}", "\nAdded once more.\n"),
            "one changed article": (work / "raw" / source.name, "\nChanged once.\n"),
        }
        figures: dict[str, float] = {}
        cpu: dict[str, dict[str, float]] = {}
        peaks: dict[str, dict] = {}
        steps: dict[str, dict[str, float]] = {}
        nlp_metadata: dict = {}
        texts = work / "texts.json"
        for name in RUNS:
            if name in edits:
                path, line = edits[name]
                path.write_text(text + line, "utf-8")
            figures[name], watcher = run(env)
            cpu[name] = watcher.cpu_seconds()
            steps[name], metadata = last_run(home)
            peaks[name] = {"peak_mb": watcher.peak / 2**20, "by_process_mb": {
                k: round(v / 2**20) for k, v in sorted(watcher.breakdown.items())}}  # fmt: skip
            if name == "cold end to end":
                nlp_metadata = metadata
                figures["NLP stage (cold)"] = float(metadata["stage_seconds"])
                texts.write_text(json.dumps(parsed_texts(warehouse)), encoding="utf-8")
                with duckdb.connect(str(warehouse), read_only=True) as con:
                    articles = con.execute(
                        "select count(*) from raw.articles where is_current"
                    ).fetchone()[0]
        ceilings, parse_cpu = {}, {}
        for n in sorted({1, processes}):
            key = ceiling_name(n)
            figures[key], parse_cpu[key], watcher = ceiling(texts, n)
            ceilings[key] = round(watcher.peak / 2**20, 1)
            cpu[key] = watcher.cpu_seconds()
        parsed = json.loads(texts.read_text(encoding="utf-8"))
    top_key = ceiling_name(processes)
    top = figures[top_key]
    order = [k for k in figures if k.startswith("ceiling")] + ["NLP stage (cold)", *RUNS]
    return {
        "corpus": str(corpus),
        "scale": scale,
        # of the cold build (the same content under two names is one article)
        "articles": articles,
        "processes": processes,
        "texts_parsed": len(parsed),
        "chars_parsed": sum(map(len, parsed)),
        "seconds": {k: round(figures[k], 2) for k in order},
        "ratio_to_ceiling": {k: round(figures[k] / top, 3) for k in order},
        "nlp_speed_vs_ceiling": round(top / figures["NLP stage (cold)"], 3),
        "cold_speed_vs_ceiling": round(top / figures["cold end to end"], 3),
        "cpu_seconds": cpu,
        # CPU of the parse alone, model loaded, on both sides: the bare parse's (its workers
        # included) against the stage's annotation on its workers, is the stage's efficiency
        # whatever else loads the machine
        "ceiling_parse_cpu_seconds": {k: round(v, 2) for k, v in parse_cpu.items()},
        "nlp_cpu_vs_ceiling": round(
            parse_cpu[top_key] / float(nlp_metadata["annotation_cpu_seconds"]), 3
        ),
        "nlp_stage_metadata": nlp_metadata,
        "steps_seconds": steps,
        "peak_rss": peaks,
        "peak_rss_mb": round(max(p["peak_mb"] for p in peaks.values()), 1),
        "ceiling_peak_rss_mb": ceilings,
    }


def print_report(report: dict, corpus: Path) -> None:
    print(
        f"{report['articles']} articles ({corpus} x{report['scale']}), "
        f"{report['processes']} processes; spaCy read {report['texts_parsed']} texts, "
        f"{report['chars_parsed']} characters"
    )
    print(f"{'figure':42} {'seconds':>9} {'x ceiling':>10} {'peak RSS MB':>12}")
    for name, seconds in report["seconds"].items():
        peak = report["peak_rss"].get(name, {}).get("peak_mb")
        peak = report["ceiling_peak_rss_mb"].get(name, peak)
        shown = f"{peak:12.0f}" if peak is not None else ""
        print(f"{name:42} {seconds:9.2f} {report['ratio_to_ceiling'][name]:10.3f} {shown}")
    print(
        f"NLP stage speed / bare nlp.pipe on {report['processes']} processes: "
        f"{report['nlp_speed_vs_ceiling']:.3f}; cold end to end: "
        f"{report['cold_speed_vs_ceiling']:.3f}"
    )
    top_key = ceiling_name(report["processes"])
    print(
        f"CPU seconds of the bare nlp.pipe on {report['processes']} processes "
        f"({report['ceiling_parse_cpu_seconds'][top_key]}) / of the NLP stage's annotation "
        f"({report['nlp_stage_metadata']['annotation_cpu_seconds']}), model loads left out on "
        f"both sides: {report['nlp_cpu_vs_ceiling']:.3f} (its efficiency, whatever the load)"
    )
    for name, cpu in report["cpu_seconds"].items():
        print(f"  CPU seconds, {name}: " + ", ".join(f"{k} {v}" for k, v in cpu.items()))
    print(f"peak RSS of the process tree, largest of the runs: {report['peak_rss_mb']:.0f} MB")
    for name, peak in report["peak_rss"].items():
        parts = ", ".join(f"{k} {v}" for k, v in peak["by_process_mb"].items())
        print(f"  {name}: {peak['peak_mb']:.0f} MB ({parts})")
    print(f"NLP stage metadata (cold): {json.dumps(report['nlp_stage_metadata'])}")
    for name, steps in report["steps_seconds"].items():
        print(f"steps, {name}: " + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items()))


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
    else:
        print_report(report, args.corpus)


if __name__ == "__main__":
    main()
