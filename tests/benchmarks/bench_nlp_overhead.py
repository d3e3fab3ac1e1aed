"""CPU cost of the extraction against a bare parse, in one process.

Not a test (pytest does not collect `bench_*.py`): run it with
`.venv/bin/python tests/benchmarks/bench_nlp_overhead.py --corpus DIR [--corpus DIR ...]
[--articles N] [--profile]`.

Each corpus folder (N articles of it, spread evenly over its file names, copied to a temporary
folder) is landed and its paragraphs classified as the pipeline does (`articles.land`,
`driver.classify_paragraphs`, into a temporary DuckDB file); the texts are those the NLP stage
hands spaCy (`nlp.parse_texts`). On one process, with the stage's batch size, it measures the
CPU seconds of a bare `nlp.pipe` of `spacy.load(model)` and of the stage's own run
(`nlp.annotate_parsed` over the pipeline's `nlp.pipe`), split into the pipeline's parse
(statistical model plus the registered components) and the article-level steps, each charged
the CPU spent in it within the same run. CPU seconds, not wall-clock ones, so that other load
on the machine matters less; run it twice to see the noise. It prints each figure and its
ratio to the bare parse; the issue's bar is the stage at most 1/0.9 of the bare parse. With
`--profile` it also prints cProfile's top functions of one stage run, by own and by cumulative
time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import spacy

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.lib import articles as article_lib  # noqa: E402
from dagster_project.lib import driver, nlp  # noqa: E402

MODEL = os.environ.get("NEWS_SPACY_MODEL") or nlp.DEFAULT_MODEL
SUFFIXES = (".txt", ".jsonl", ".html", ".htm")


def sample(corpus: Path, count: int, into: Path) -> int:
    """Copy `count` article files of `corpus`, spread evenly over its sorted names, into
    `into` (names prefixed by the corpus's, so that two corpora do not collide)."""
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise SystemExit(f"{corpus} holds no article files ({', '.join(SUFFIXES)})")
    step = max(1, len(files) / count) if count else 1
    chosen = sorted({files[int(i * step)] for i in range(min(count or len(files), len(files)))})
    for path in chosen:
        shutil.copyfile(path, into / f"{corpus.name}_{path.name}")
    return len(chosen)


def stage_inputs(raw: Path, warehouse: Path):
    """The paragraphs and articles a worker of the NLP stage reads for these files."""
    with duckdb.connect(str(warehouse)) as con:
        article_lib.land(con, raw, load_id="bench")
        version = driver.extractor_version(MODEL)
        driver.classify_paragraphs(con, version)
        ids = [r[0] for r in con.execute("select article_id from nlp.article_state").fetchall()]
        paragraphs, articles, _hashes = driver._unit_inputs(con, sorted(ids))
    return paragraphs, articles


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--articles", type=int, default=300, help="per corpus; 0 = all")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-nlp-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        count = sum(sample(corpus, args.articles, raw) for corpus in args.corpus)
        paragraphs, articles = stage_inputs(raw, Path(tmp) / "bench.duckdb")
    texts = nlp.parse_texts(paragraphs)
    bare = spacy.load(MODEL)
    ours = nlp.load_pipeline(MODEL)
    reference = nlp.reference_tables(nlp.REFERENCE_AGENCIES, nlp.REFERENCE_PLACES)

    def bare_parse() -> dict[str, float]:
        started = time.process_time()
        for _doc in bare.pipe(texts, batch_size=nlp.BATCH_SIZE):
            pass
        return {"bare": time.process_time() - started}

    def stage() -> dict[str, float]:
        """The stage's parse and its article-level steps, each charged the CPU spent in it."""
        spent = {"pipeline": 0.0, "steps": 0.0}

        def timed(stream: Iterator) -> Iterator:
            while True:
                started = time.process_time()
                item = next(stream, None)
                spent["pipeline"] += time.process_time() - started
                if item is None:
                    return
                yield item

        rows = nlp.read_rows(paragraphs)
        parsed = ours.pipe(rows, as_tuples=True, batch_size=nlp.BATCH_SIZE)
        started = time.process_time()
        nlp.annotate_parsed(timed(parsed), articles, ours, reference)
        spent["steps"] = time.process_time() - started - spent["pipeline"]
        return spent

    # one run of each, the bare parse first (it pays for the vocabulary's growth): a second
    # stage run over the same texts would find the per-text caches warm, as no real run does
    cpu = bare_parse() | stage()
    base = cpu["bare"]
    figures = {
        "bare nlp.pipe (spacy.load)": base,
        "pipeline nlp.pipe (model + components)": cpu["pipeline"],
        "article-level steps": cpu["steps"],
        "NLP stage (pipeline + steps)": cpu["pipeline"] + cpu["steps"],
    }
    chars = sum(map(len, texts))
    print(
        f"{count} articles, {len(texts)} texts, {chars:,} characters; model {MODEL}, "
        f"batch {nlp.BATCH_SIZE}, 1 process"
    )
    print(f"{'figure':42} {'CPU s':>8} {'x bare':>8}")
    for name, seconds in figures.items():
        print(f"{name:42} {seconds:8.2f} {seconds / base:8.3f}")
    print(
        f"stage speed vs bare parse: {base / figures['NLP stage (pipeline + steps)']:.3f} "
        "(the bar: 0.9)"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(stage)
        for order in ("tottime", "cumulative"):
            print(f"\n--- cProfile of one stage run, by {order}")
            pstats.Stats(profile).sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
